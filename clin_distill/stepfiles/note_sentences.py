"""``metrics/note_sentences.json``: the packaged model on note sentences with section headers and
clinical abbreviations (a versioned table in ``clin_distill/resources/notes``, never trained on).

Written by the package step (:func:`clin_distill.metrics.note_sentences.score_sentences` on the
staged pipeline); read by the report. The sentences are written for the table, not taken from notes.
"""

from __future__ import annotations

from .base import FileModel, Record
from .scores import PRF


class SentenceResult(Record):
    """One sentence: its text, the entities expected and predicted as ``[text, label]``, and whether
    they match exactly."""

    text: str
    expected: list[tuple[str, str]]
    predicted: list[tuple[str, str]]
    correct: bool


class NoteSentences(FileModel):
    """The table's version, the model, every sentence, and exact-match P/R/F over their entities."""

    SCHEMA = "clin_distill.note_sentences.v1"
    version: str
    model: str
    sentences: list[SentenceResult]
    scores: PRF
