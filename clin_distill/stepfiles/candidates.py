"""``metrics/candidates.json``: the unknown-phrase candidates found per source and split.

Written by the candidates step (:func:`clin_distill.candidates.run.find_candidates`); read by whoever
reviews the unknown-phrase marking (the combine step records how many tokens became missing).
"""

from __future__ import annotations

from .base import FileModel, Record


class SourceCounts(Record):
    """One source on one split: docs read, candidate spans and the tokens they cover."""

    docs: int
    spans: int
    tokens: int


class Candidates(FileModel):
    """The sources run, their settings, and ``splits``: ``{split: {source: SourceCounts}}``."""

    SCHEMA = "clin_distill.candidates.v1"
    sources: list[str]
    settings: dict[str, str | int | float]
    splits: dict[str, dict[str, SourceCounts]]
