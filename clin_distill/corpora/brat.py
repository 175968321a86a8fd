"""brat standoff reader (MACCROBAT, n2c2 2018 Track 2): ``NAME.txt`` + ``NAME.ann`` pairs.

Only text-bound annotations (``T`` lines: ``Tid<TAB>Type start end[;start end]*<TAB>surface``)
become spans; events, relations, attributes, equivalences and notes are ignored.
Discontinuous entities are made contiguous by
:func:`clin_distill.corpora.base.join_fragments` (covering span when the gaps are
whitespace, else the first fragment; both counted). Extra trailing tab fields on a
``T`` line (MACCROBAT 25661749 T145) are ignored.

This is a small parser rather than ``bioc.brat``, because that one asserts on
extra fields with the line text in the message and reads files in text mode,
where ``\\r\\n`` line endings would shift every offset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from .base import CorpusError, RawDoc, RawSpan, check_span, join_fragments, normalize_space, read_utf8, where


def _fragments(field: str, source: Path, doc_id: str, line_no: int) -> list[tuple[int, int]]:
    try:
        return [(int(a), int(b)) for a, b in (frag.split() for frag in field.split(";"))]
    except ValueError:
        raise CorpusError(f"{where(source, doc_id, line_no)}: malformed offsets") from None


def read_brat_pair(txt_path: Path, ann_path: Path, doc_id: str | None = None) -> RawDoc:
    """One brat document; ``doc_id`` defaults to the file stem."""
    doc_id = doc_id or txt_path.stem
    text = read_utf8(txt_path)
    events: Counter = Counter()
    spans = []
    for line_no, line in enumerate(read_utf8(ann_path).split("\n"), 1):
        line = line.rstrip("\r")
        if not line.startswith("T"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or " " not in fields[1]:
            raise CorpusError(f"{where(ann_path, doc_id, line_no)}: malformed T line")
        label, _, offsets = fields[1].partition(" ")
        fragments = _fragments(offsets, ann_path, doc_id, line_no)
        if len(fragments) == 1:
            ((start, end),) = fragments
            if check_span(text, start, end, fields[2], str(ann_path), doc_id, line_no):
                events["surface_whitespace"] += 1
        else:
            for start, end in fragments:
                check_span(text, start, end, None, str(ann_path), doc_id, line_no)
            joined = " ".join(text[start:end] for start, end in fragments)
            if normalize_space(joined) != normalize_space(fields[2]):
                raise CorpusError(
                    f"{where(ann_path, doc_id, line_no)}: fragments {offsets} do not match their stated text"
                )
            start, end, event = join_fragments(text, fragments)
            events[event] += 1
        spans.append(RawSpan(start, end, label, line_no))
    return RawDoc(doc_id, text, spans, str(ann_path), 0, events)


def brat_ids(folder: Path) -> list[str]:
    """Sorted document names of a brat folder; a .txt without its .ann (or the reverse) is an error."""
    if not folder.is_dir():
        raise CorpusError(f"{folder}: brat folder is missing")
    txt = {p.stem for p in folder.glob("*.txt")}
    ann = {p.stem for p in folder.glob("*.ann")}
    unpaired = sorted(txt ^ ann)
    if unpaired:
        raise CorpusError(
            f"{folder}: {len(unpaired)} documents lack their .txt or .ann (first: {unpaired[0]})"
        )
    if not txt:
        raise CorpusError(f"{folder}: no .txt/.ann pairs")
    return sorted(txt)


def read_brat_dir(folder: Path, ids: Iterable[str] | None = None) -> Iterator[RawDoc]:
    """The documents ``ids`` (default: all, sorted) of a brat folder."""
    for name in brat_ids(folder) if ids is None else ids:
        yield read_brat_pair(folder / f"{name}.txt", folder / f"{name}.ann")
