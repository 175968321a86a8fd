"""``metrics/self_training.json``: what the self-labelling rule did to the distilled training corpus.

Written by the self-label step (``scripts/self_label.py``); read by whoever reviews a self-trained
student (the counts say how many spans the first student added and how many tokens it doubted).
"""

from __future__ import annotations

from .base import FileModel, Record


class RuleSettings(Record):
    """Confidence for a student span to join, confidence below which it is ignored, beam width."""

    threshold: float
    floor: float
    beam_width: int


class SelfTraining(FileModel):
    """The first student (``model``), the docs written, the rule and its counts (per outcome)."""

    SCHEMA = "clin_distill.self_training.v1"
    model: str
    docs: int
    rule: RuleSettings
    counts: dict[str, int]
