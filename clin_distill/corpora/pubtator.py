"""PubTator reader (NCBI Disease, BC5CDR).

Format: ``PMID|t|title``, ``PMID|a|abstract``, then tab-separated mention lines
``PMID start end mention type concept-id [individual mentions]`` with 0-based,
end-exclusive offsets into ``title + " " + abstract``; relation lines
(``PMID CID id1 id2``) are skipped; a blank line ends a document.

This is a small line parser rather than ``bioc.pubtator``, because that parser
keeps no line numbers (errors here must name the line) and prints unparseable
lines, mention text included, to stdout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .raw import RawDoc, RawSpan, check_span
from .reading import CorpusError, check_doc_id, read_utf8, where


def _finish(
    path: Path, pmid: str, start_line: int, title: str | None, abstract: str | None, mentions: list
) -> RawDoc:
    if title is None:
        raise CorpusError(f"{where(path, pmid, start_line)}: document has no |t| title line")
    text = title if abstract is None else f"{title} {abstract}"
    events: Counter = Counter()
    spans = []
    for line_no, start, end, surface, label in mentions:
        if check_span(text, start, end, surface, str(path), pmid, line_no):
            events["surface_whitespace"] += 1
        spans.append(RawSpan(start, end, label, line_no))
    return RawDoc(pmid, text, spans, str(path), start_line, events)


def read_pubtator(path: str | Path) -> Iterator[RawDoc]:
    """Yield the documents of one PubTator file in file order (duplicates included)."""
    path = Path(path)
    pmid: str | None = None
    start_line = 0
    title: str | None = None
    abstract: str | None = None
    mentions: list = []
    text = read_utf8(path)
    if not text.strip():
        raise CorpusError(f"{where(path)}: empty file (no documents)")
    for line_no, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            if pmid is not None:
                yield _finish(path, pmid, start_line, title, abstract, mentions)
            pmid, title, abstract, mentions = None, None, None, []
            continue
        head, sep, rest = line.partition("|")
        if sep and rest[:2] in ("t|", "a|") and "\t" not in head:
            if pmid is not None and head != pmid:
                raise CorpusError(
                    f"{where(path, head, line_no)}: new document starts before a blank line ends doc {pmid}"
                )
            if pmid is None:
                pmid, start_line = check_doc_id(head, path, line_no), line_no
            if rest[0] == "t":
                title = rest[2:]
            else:
                abstract = rest[2:]
            continue
        fields = line.split("\t")
        if pmid is None or fields[0] != pmid:
            raise CorpusError(f"{where(path, fields[0], line_no)}: annotation line outside its document")
        if len(fields) in (4, 5) and not fields[1].isdigit():
            continue  # relation line
        if len(fields) < 6:
            raise CorpusError(f"{where(path, pmid, line_no)}: expected >= 6 tab-separated fields")
        try:
            start, end = int(fields[1]), int(fields[2])
        except ValueError:
            raise CorpusError(f"{where(path, pmid, line_no)}: offsets are not integers") from None
        mentions.append((line_no, start, end, fields[3], fields[4]))
    if pmid is not None:
        yield _finish(path, pmid, start_line, title, abstract, mentions)
