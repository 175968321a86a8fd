"""brat standoff reader (MACCROBAT, n2c2 2018 Track 2): ``NAME.txt`` + ``NAME.ann`` pairs.

Only text-bound annotations (``T`` lines: ``Tid<TAB>Type start end[;start end]*<TAB>surface``)
become spans; events, relations, attributes, normalizations, equivalences and notes are
ignored; any other non-blank line is an error (not a brat file).
Discontinuous entities are made contiguous by
:func:`clin_distill.corpora.raw.join_fragments` (covering span when the gaps are
whitespace, else the first fragment; both counted). Extra trailing tab fields on a
``T`` line (MACCROBAT 25661749 T145) are ignored.

This is a small parser rather than ``bioc.brat``, because that one asserts on
extra fields with the line text in the message and reads files in text mode,
where ``\\r\\n`` line endings would shift every offset.

Byte-order marks: offsets count the characters of the .txt after its BOM (a BOM is not
text). Annotation tools that read the file with a BOM-keeping codec (brat's own server)
count it as character 0; such a document is recognised from its stated surface texts,
which then match only one position later, and its offsets are shifted back by one
(event ``bom_counted_in_offsets``). A mismatch either way is the usual error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from .raw import RawDoc, RawSpan, check_span, join_fragments, normalize_space
from .reading import CorpusError, check_doc_id, escaped, read_utf8, read_utf8_bom, where

# First characters of brat standoff lines: text-bound, event, relation, attribute (A, legacy M),
# normalization, equivalence (*) and note (#)
ANNOTATION_KINDS = frozenset("TERAMN*#")


def _fragments(field: str, source: Path, doc_id: str, line_no: int) -> list[tuple[int, int]]:
    try:
        return [(int(a), int(b)) for a, b in (frag.split() for frag in field.split(";"))]
    except ValueError:
        raise CorpusError(f"{where(source, doc_id, line_no)}: malformed offsets") from None


def _t_lines(ann_path: Path, doc_id: str) -> Iterator[tuple[int, str, list[tuple[int, int]], str]]:
    """``(line, label, fragments, surface)`` of each ``T`` line; other brat lines are checked and skipped."""
    for line_no, line in enumerate(read_utf8(ann_path).split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line[0] not in ANNOTATION_KINDS:
            raise CorpusError(f"{where(ann_path, doc_id, line_no)}: not a brat annotation line")
        if line[0] != "T":
            continue
        fields = line.split("\t")
        if len(fields) < 3 or " " not in fields[1]:
            raise CorpusError(f"{where(ann_path, doc_id, line_no)}: malformed T line")
        label, _, offsets = fields[1].partition(" ")
        yield line_no, label, _fragments(offsets, ann_path, doc_id, line_no), fields[2]


def _shows(text: str, fragments: list[tuple[int, int]], surface: str) -> bool:
    if not all(0 <= start < end <= len(text) for start, end in fragments):
        return False
    return normalize_space(" ".join(text[s:e] for s, e in fragments)) == normalize_space(surface)


def _bom_shift(text: str, had_bom: bool, lines: list) -> int:
    """1 when the .txt had a byte-order mark and the offsets counted it as character 0 (brat's own
    server reads files with Python's ``utf-8`` codec, which keeps the BOM), else 0.

    Decided per document from the stated surfaces: the offsets are shifted only when every
    ``T`` line shows its surface after shifting and not every one does as written.
    """
    if not had_bom or not lines:
        return 0
    if all(_shows(text, frags, surface) for _, _, frags, surface in lines):
        return 0
    shifted = ([(s - 1, e - 1) for s, e in frags] for _, _, frags, _ in lines)
    return int(all(_shows(text, f, line[3]) for f, line in zip(shifted, lines, strict=True)))


def read_brat_pair(txt_path: Path, ann_path: Path, doc_id: str | None = None) -> RawDoc:
    """One brat document; ``doc_id`` defaults to the file stem."""
    doc_id = check_doc_id(doc_id or txt_path.stem, txt_path)
    text, had_bom = read_utf8_bom(txt_path)
    lines = list(_t_lines(ann_path, doc_id))
    shift = _bom_shift(text, had_bom, lines)
    events: Counter = Counter({"bom_counted_in_offsets": 1} if shift else {})
    spans = []
    for line_no, label, fragments, surface in lines:
        fragments = [(start - shift, end - shift) for start, end in fragments]
        if len(fragments) == 1:
            ((start, end),) = fragments
            if check_span(text, start, end, surface, str(ann_path), doc_id, line_no):
                events["surface_whitespace"] += 1
        else:
            for start, end in fragments:
                check_span(text, start, end, None, str(ann_path), doc_id, line_no)
            if not _shows(text, fragments, surface):
                raise CorpusError(
                    f"{where(ann_path, doc_id, line_no)}: fragments {escaped(fragments)} "
                    "do not match their stated text"
                )
            start, end, event = join_fragments(text, fragments)
            events[event] += 1
        spans.append(RawSpan(start, end, label, line_no))
    return RawDoc(doc_id, text, spans, str(ann_path), 0, events)


def brat_ids(folder: Path) -> list[str]:
    """Sorted document names of a brat folder; a .txt without its .ann (or the reverse) is an error."""
    if not folder.is_dir():
        raise CorpusError(f"{escaped(folder)}: brat folder is missing")
    txt = {p.stem for p in folder.glob("*.txt")}
    ann = {p.stem for p in folder.glob("*.ann")}
    unpaired = sorted(txt ^ ann)
    if unpaired:
        raise CorpusError(
            f"{escaped(folder)}: {len(unpaired)} documents lack their .txt or .ann "
            f"(first: {escaped(unpaired[0])})"
        )
    if not txt:
        raise CorpusError(f"{escaped(folder)}: no .txt/.ann pairs")
    return sorted(txt)


def read_brat_dir(folder: Path, ids: Iterable[str] | None = None) -> Iterator[RawDoc]:
    """The documents ``ids`` (default: all, sorted) of a brat folder."""
    for name in brat_ids(folder) if ids is None else ids:
        yield read_brat_pair(folder / f"{name}.txt", folder / f"{name}.ann")
