"""Span-level NER metrics over spaCy Docs: strict and lenient P/R/F per label."""

from .spans import PRF, score_docs

__all__ = ["PRF", "score_docs"]
