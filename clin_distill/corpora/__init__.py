"""Readers that turn gold NER corpora and plain notes into spaCy Docs (see :mod:`.base` for the policies)."""

from .base import CorpusError, LabelMap, RawDoc, RawSpan, convert_splits
from .notes import read_notes

__all__ = ["CorpusError", "LabelMap", "RawDoc", "RawSpan", "convert_splits", "read_notes"]
