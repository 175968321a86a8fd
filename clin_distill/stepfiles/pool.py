"""``corpus/pool/pool.json``: what went into the pool the teachers label.

Written by :func:`clin_distill.corpora.pool.build_pool` (the pool step); read by the package step
(the corpora and notes a model was distilled from, for its meta and licences).
"""

from __future__ import annotations

from .base import FileModel, Record


class NotesRead(Record):
    """The user's notes: where from (None: no notes), how many read, kept and skipped (per reason),
    and notices from the notes reader (counts and file names, never text)."""

    source: str | None
    read: int
    kept: int
    skipped: dict[str, int]
    notices: list[str]


class Pool(FileModel):
    """Docs per gold corpus and split (``corpora``), the labels each corpus annotates, the notes."""

    SCHEMA = "clin_distill.pool.v1"
    corpora: dict[str, dict[str, int]] = {}
    annotated_labels: dict[str, list[str]] = {}
    notes: NotesRead = NotesRead(source=None, read=0, kept=0, skipped={}, notices=[])
