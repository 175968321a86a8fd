"""``metrics/<system>/<corpus>.json``: one system scored on a gold corpus (the evaluate step).

Written by the evaluate step (:func:`clin_distill.metrics.systems.system_metrics`); read by the report
(every table and plot, through :func:`clin_distill.report.sources.load_results`) and the package step
(the packaged student's test scores in its meta). Precision, recall and F1 are fractions in [0, 1];
each ``ci`` is the bootstrap interval ``{"p": [low, high], "r": [...], "f": [...]}`` (macro: ``f``).
"""

from __future__ import annotations

from typing import Literal

from .base import FileModel, Record
from .scores import PRF, Macro


class ScoredPRF(PRF):
    """Counts, P/R/F1 and their bootstrap intervals for one label or ``micro``."""

    ci: dict[str, tuple[float, float]] = {}


class ScoredMacro(Macro):
    """The mean F1 over ``labels`` and its interval."""

    ci: dict[str, tuple[float, float]] = {}


class LabelErrors(Record):
    """One label's outcomes (correct, boundary, confusion, missed, spurious) and confusions by label."""

    correct: int
    boundary: int
    confusion: int
    missed: int
    spurious: int
    confused_as: dict[str, int]


class ErrorBreakdown(Record):
    """Outcomes per label and in total, over ``n_docs`` docs."""

    per_label: dict[str, LabelErrors]
    total: dict[str, int]
    n_docs: int


class Evaluated(Record):
    """Scores of one set of gold docs: docs scored, the labels scored, strict and lenient entries per
    label plus ``micro`` and ``macro``, and the error breakdown."""

    n_docs: int
    n_gold_docs: int
    labels: list[str]
    docs_per_label: dict[str, int]
    strict: dict[str, ScoredPRF | ScoredMacro]
    lenient: dict[str, ScoredPRF | ScoredMacro]
    errors: ErrorBreakdown


class SystemMetrics(FileModel, Evaluated):
    """A system's record: what it is, the docs it failed on or did not predict, the bootstrap settings,
    and the same scores for each source corpus of the gold (``by_corpus``)."""

    SCHEMA = "clin_distill.system_metrics.v1"
    system: str
    kind: Literal["model", "teacher", "combination"]
    source: str
    corpus: str
    failures: int
    failed_doc_ids: list[str]
    missing: int
    missing_doc_ids: list[str]
    small_local_model: bool
    bootstrap: dict[str, str | int | float]
    by_corpus: dict[str, Evaluated]
