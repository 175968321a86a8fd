"""``metrics/anchored.json``: how the gold-anchored training corpus was built.

Written by the anchor step (``scripts/anchor.py``); read by the package step (what the packaged
model learned from) and by whoever reviews the corpus (gold spans kept, teacher spans added or
dropped by the gold-wins rule, gold docs without teacher labels, notes).
"""

from __future__ import annotations

from .base import FileModel


class AnchoredCorpus(FileModel):
    """The docs written, per gold corpus the labels taken from gold, and the rule's counts."""

    SCHEMA = "clin_distill.anchored_corpus.v1"
    docs: int
    gold_labels: dict[str, list[str]]
    notes: int
    counts: dict[str, int]
