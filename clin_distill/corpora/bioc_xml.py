"""BioC XML reader (parsed with the maintained ``bioc`` package).

Passages carry absolute offsets; a document's text is its passages placed at
their offsets, gaps filled with spaces (for PubTator-derived collections this is
exactly ``title + " " + abstract``). Each annotation's ``type`` infon is its
source label. An annotation with several ``<location>``s is made contiguous by
:func:`clin_distill.corpora.base.join_fragments`.

Composite mentions ("Ocular and auditory toxicity") appear in BioC both as the
whole mention (``CompositeRole=CompositeMention``) and as its parts
(``CompositeRole=IndividualMention``, often discontinuous); the parts are
skipped and counted as ``individual_mention_skipped/<type>``, so the gold spans equal
the PubTator release's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import bioc
from lxml import etree

from .base import CorpusError, RawDoc, RawSpan, check_span, join_fragments, normalize_space, read_utf8, where


def _document_text(document: bioc.BioCDocument, source: str) -> str:
    text = ""
    for passage in sorted(document.passages, key=lambda p: p.offset):
        if passage.offset < len(text):
            raise CorpusError(f"{where(source, document.id)}: passage at offset {passage.offset} overlaps")
        text += " " * (passage.offset - len(text)) + (passage.text or "")
    return text


def _annotations(document: bioc.BioCDocument) -> Iterator[bioc.BioCAnnotation]:
    for passage in document.passages:
        yield from passage.annotations
    yield from document.annotations


def read_bioc(path: str | Path) -> Iterator[RawDoc]:
    """Yield the documents of one BioC XML collection in file order."""
    path = Path(path)
    try:
        collection = bioc.biocxml.loads(read_utf8(path))
    except etree.XMLSyntaxError as err:
        raise CorpusError(f"{where(path, line=err.lineno)}: not well-formed BioC XML") from None
    for document in collection.documents:
        text = _document_text(document, str(path))
        events: Counter = Counter()
        spans = []
        for ann in _annotations(document):
            source = f"{path} annotation {ann.id}"
            if ann.infons.get("CompositeRole") == "IndividualMention":
                events[f"individual_mention_skipped/{ann.infons.get('type')}"] += 1
                continue
            if "type" not in ann.infons or not ann.locations:
                raise CorpusError(f"{where(source, document.id)}: annotation has no type or no location")
            fragments = [(loc.offset, loc.offset + loc.length) for loc in ann.locations]
            for start, end in fragments:
                check_span(text, start, end, None, source, document.id, 0)
            joined = " ".join(text[start:end] for start, end in fragments)
            if normalize_space(joined) != normalize_space(ann.text or joined):
                raise CorpusError(f"{where(source, document.id)}: locations do not match the stated text")
            if len(fragments) > 1:
                start, end, event = join_fragments(text, fragments)
                events[event] += 1
            else:
                ((start, end),) = fragments
                if check_span(text, start, end, ann.text, source, document.id, 0):
                    events["surface_whitespace"] += 1
            spans.append(RawSpan(start, end, ann.infons["type"]))
        yield RawDoc(document.id, text, spans, str(path), 0, events)
