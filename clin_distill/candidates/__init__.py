"""Unknown phrases: candidate entity spans in the training texts that no teacher may have labelled.

The distilled corpus teaches a candidate that no teacher labels as neither an entity nor "O" (a
missing value, AutoNER's "unknown"; see :mod:`clin_distill.combine.unknown`). Candidates come from
three sources (:data:`.phrases.SOURCES`): noun phrases of a real parser, phrases ending in a head
word of the vocabularies, and approximate QuickUMLS matches below the teacher's threshold.
"""

SPANS_KEY = "candidates"  # the span group of a candidates doc
CHUNKS, HEADS, FUZZY = "chunks", "heads", "fuzzy"
SOURCES = (CHUNKS, HEADS, FUZZY)
SPLITS = ("train", "notes")  # the pool splits the distilled corpus is built from
