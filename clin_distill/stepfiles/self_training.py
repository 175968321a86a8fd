"""``metrics/self_training.json``: the rounds of self-training, what each did to the distilled corpus and
how each student scored on dev.

Written by the self-train step (``scripts/self_train.py``); read by the report and by whoever reviews a
self-trained student (the counts say how many spans each student added and how many tokens it doubted).
"""

from __future__ import annotations

from .base import FileModel, Record


class RuleSettings(Record):
    """Confidence for a student span to join, confidence below which it is ignored, beam width."""

    threshold: float
    floor: float
    beam_width: int


class RoundRecord(Record):
    """One round: the student that labelled, the docs written, the new student's dev score, whether it
    beat the best so far (kept), and the rule's counts."""

    round: int
    started_from: str
    docs: int
    dev_score: float
    kept: bool
    counts: dict[str, int]


class SelfTraining(FileModel):
    """The first student and its dev score, the rule, the rounds allowed and run, the model chosen."""

    SCHEMA = "clin_distill.self_training.v2"
    model: str
    first_dev_score: float
    rule: RuleSettings
    max_rounds: int
    rounds: list[RoundRecord]
    chosen: str
