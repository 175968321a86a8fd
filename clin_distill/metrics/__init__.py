"""Span-level NER metrics over spaCy Docs: strict and lenient P/R/F per label, micro/macro,
document-bootstrap confidence intervals and an error breakdown."""

from .bootstrap import BootstrapSpec
from .errors import error_breakdown
from .evaluate import evaluate_docs, scored_labels, scores_by_corpus
from .spans import PRF, score_docs

__all__ = [
    "PRF",
    "BootstrapSpec",
    "error_breakdown",
    "evaluate_docs",
    "score_docs",
    "scored_labels",
    "scores_by_corpus",
]
