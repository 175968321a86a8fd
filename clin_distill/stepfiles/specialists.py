"""``training/human/specialists.json``: the human-label specialists, one per gold corpus.

Written by the train-human step (:func:`clin_distill.student.specialists.train_specialists`); read by
the evaluate step (which specialist predicts which corpus's test docs) and the report.
"""

from __future__ import annotations

from .base import FileModel, Record


class Specialist(Record):
    """One corpus's specialist: the labels it predicts, its model folder, its corpus sizes and steps."""

    labels: list[str]
    model: str
    train_docs: int
    dev_docs: int
    max_steps: int


class Specialists(FileModel):
    """``specialists``: ``{corpus: Specialist}``."""

    SCHEMA = "clin_distill.specialists.v1"
    specialists: dict[str, Specialist]
