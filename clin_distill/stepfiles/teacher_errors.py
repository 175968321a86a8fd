"""``metrics/teacher_errors.json``: what each teacher misses and gets wrong on the gold train/dev splits.

Written by the teacher-errors step (:func:`clin_distill.teachers.error_analysis.teacher_errors`); read by
people tuning the teachers (``metrics/teacher_errors.md`` is the same as tables). Public gold corpora
only: the rows hold span texts.
"""

from __future__ import annotations

from .base import FileModel, Record
from .scores import Scores


class KindCount(Record):
    """How many spans of one label had one outcome and kind (``missed``, ``acronym``: 19)."""

    outcome: str
    label: str
    kind: str
    n: int


class ErrorText(KindCount):
    """One lower-cased span text (``gold → predicted`` for boundary and confusion) and its count."""

    text: str


class CorpusErrors(Record):
    """One teacher on one corpus's split: its scores, every (outcome, label, kind) count, and the
    commonest texts of each (outcome, label)."""

    corpus: str
    split: str
    labels: list[str]
    scores: Scores
    kinds: list[KindCount]
    texts: list[ErrorText]


class TeacherErrors(FileModel):
    """``teachers``: ``{teacher: [CorpusErrors, ...]}``; ``top``: texts kept per (outcome, label)."""

    SCHEMA = "clin_distill.teacher_errors.v1"
    splits: list[str]
    top: int
    teachers: dict[str, list[CorpusErrors]]
