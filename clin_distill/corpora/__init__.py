"""Readers that turn gold NER corpora and plain notes into spaCy Docs (policies: :mod:`.convert`)."""

from .convert import convert_splits
from .label_map import LabelMap
from .notes import read_notes
from .raw import RawDoc, RawSpan
from .reading import CorpusError

__all__ = ["CorpusError", "LabelMap", "RawDoc", "RawSpan", "convert_splits", "read_notes"]
