"""Span scores as the files between steps hold them (:func:`clin_distill.metrics.score_docs`).

Under ``strict`` and ``lenient``, each scored label and ``micro`` map to a :class:`PRF` entry and
``macro`` to a :class:`Macro` entry; precision, recall and F1 are fractions in [0, 1].
"""

from __future__ import annotations

from .base import Record


class PRF(Record):
    """Counts of true/false positives and false negatives, and P/R/F1 from them."""

    tp: int
    fp: int
    fn: int
    p: float
    r: float
    f: float


class Macro(Record):
    """The mean F1 over ``labels`` (the labels with gold docs)."""

    f: float
    labels: list[str]


class F1Only(Record):
    """P/R/F1 without counts (a summary row)."""

    p: float
    r: float
    f: float


ModeScores = dict[str, PRF | Macro]


class Scores(Record):
    """One scoring: docs scored, the labels some scored doc annotates and how many docs each."""

    n_docs: int
    labels: list[str]
    docs_per_label: dict[str, int]
    strict: ModeScores
    lenient: ModeScores

    def prf(self, mode: str, key: str) -> PRF:
        """The :class:`PRF` entry of ``key`` (a label or ``micro``) under ``mode``."""
        entry = getattr(self, mode)[key]
        if not isinstance(entry, PRF):
            raise KeyError(f"{mode} {key} is not a P/R/F entry")
        return entry


class CorpusScores(Scores):
    """A split's scores, and the same for each source corpus in it (each on the labels it annotates)."""

    by_corpus: dict[str, Scores]
