"""BioC XML reader (lxml, element by element, so every error names the file, line and doc).

Passages carry absolute offsets; a document's text is its passages placed at
their offsets, gaps filled with spaces (for PubTator-derived collections this is
exactly ``title + " " + abstract``). A passage without ``<text>`` contributes its
``<sentence>`` texts at their offsets instead. Annotations are read from passages,
sentences and the document. Each annotation's ``type`` infon is its source label.
An annotation with several ``<location>``s is made contiguous by
:func:`clin_distill.corpora.raw.join_fragments`.

Composite mentions ("Ocular and auditory toxicity") appear in BioC both as the
whole mention (``CompositeRole=CompositeMention``) and as its parts
(``CompositeRole=IndividualMention``, often discontinuous); the parts are
skipped and counted as ``individual_mention_skipped/<type>``, so the gold spans equal
the PubTator release's.

Malformed input (not XML, not a collection, a document without ``<id>``, an offset or
length that is not an integer, an annotation without type or location, offsets that
do not show the stated text) is a :class:`CorpusError` naming the file, line and doc.
Entities are never resolved and nothing is fetched from the network.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from .raw import RawDoc, RawSpan, check_span, join_fragments, normalize_space
from .reading import CorpusError, check_doc_id, escaped, read_utf8, where

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _int(text: str | None, what: str, path: Path, doc_id: str, line: int) -> int:
    try:
        return int(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CorpusError(f"{where(path, doc_id, line)}: {what} is not an integer") from None


def _document_text(element: etree._Element, path: Path, doc_id: str) -> str:
    pieces = []
    for passage in element.findall("passage"):
        offset = _int(passage.findtext("offset"), "passage offset", path, doc_id, passage.sourceline)
        if passage.find("text") is not None or not passage.findall("sentence"):
            pieces.append((offset, passage.findtext("text") or "", passage.sourceline))
        for sentence in passage.findall("sentence") if passage.find("text") is None else ():
            start = _int(sentence.findtext("offset"), "sentence offset", path, doc_id, sentence.sourceline)
            pieces.append((start, sentence.findtext("text") or "", sentence.sourceline))
    text = ""
    for offset, piece, line in sorted(pieces, key=lambda p: p[0]):
        if offset < len(text):
            raise CorpusError(f"{where(path, doc_id, line)}: passage at offset {offset} overlaps")
        text += " " * (offset - len(text)) + piece
    return text


def _annotations(element: etree._Element) -> Iterator[etree._Element]:
    for passage in element.findall("passage"):
        yield from passage.findall("annotation")
        for sentence in passage.findall("sentence"):
            yield from sentence.findall("annotation")
    yield from element.findall("annotation")


def _span(ann: etree._Element, text: str, path: Path, doc_id: str, events: Counter) -> RawSpan | None:
    """The annotation's span (None for a skipped composite part)."""
    line = ann.sourceline
    source = f"{escaped(path)} annotation {escaped(ann.get('id'))}"
    infons = {infon.get("key"): infon.text or "" for infon in ann.findall("infon")}
    if infons.get("CompositeRole") == "IndividualMention":
        events[f"individual_mention_skipped/{infons.get('type')}"] += 1
        return None
    locations = ann.findall("location")
    if not infons.get("type") or not locations:
        raise CorpusError(f"{where(source, doc_id, line)}: annotation has no type or no location")
    fragments = []
    for loc in locations:
        start = _int(loc.get("offset"), "location offset", path, doc_id, loc.sourceline)
        length = _int(loc.get("length"), "location length", path, doc_id, loc.sourceline)
        fragments.append((start, start + length))
    for start, end in fragments:
        check_span(text, start, end, None, source, doc_id, line)
    stated = ann.findtext("text")
    joined = " ".join(text[start:end] for start, end in fragments)
    if normalize_space(joined) != normalize_space(stated if stated is not None else joined):
        raise CorpusError(f"{where(source, doc_id, line)}: locations do not match the stated text")
    if len(fragments) > 1:
        start, end, event = join_fragments(text, fragments)
        events[event] += 1
    else:
        ((start, end),) = fragments
        if check_span(text, start, end, stated, source, doc_id, line):
            events["surface_whitespace"] += 1
    return RawSpan(start, end, infons["type"], line)


def read_bioc(path: str | Path) -> Iterator[RawDoc]:
    """Yield the documents of one BioC XML collection in file order."""
    path = Path(path)
    try:
        root = etree.fromstring(read_utf8(path).encode("utf-8"), parser=PARSER)
    except etree.XMLSyntaxError as err:
        raise CorpusError(f"{where(path, line=err.lineno)}: not well-formed BioC XML") from None
    if root.tag != "collection":
        raise CorpusError(f"{where(path, line=root.sourceline)}: not a BioC collection (root <{root.tag}>)")
    for element in root.findall("document"):
        line = element.sourceline
        doc_id = element.findtext("id")
        if doc_id is None:
            raise CorpusError(f"{where(path, line=line)}: document has no <id>")
        doc_id = check_doc_id(doc_id.strip(), path, line)  # XML layout whitespace is not part of the id
        text = _document_text(element, path, doc_id)
        events: Counter = Counter()
        spans = [_span(ann, text, path, doc_id, events) for ann in _annotations(element)]
        yield RawDoc(doc_id, text, [s for s in spans if s is not None], str(path), line, events)
