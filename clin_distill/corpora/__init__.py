"""Readers that turn gold NER corpora and plain notes into spaCy Docs (policies: :mod:`.convert`)."""

from .convert import convert_splits
from .files import CorpusError
from .label_map import LabelMap
from .notes import read_notes
from .raw import RawDoc, RawSpan

__all__ = ["CorpusError", "LabelMap", "RawDoc", "RawSpan", "convert_splits", "read_notes"]
