"""MedAlign (Fleming et al. 2024; credentialed): an evaluation-only gold corpus.

Inputs, both supplied by the user:

* notes, OMOP NOTE-table style: CSV or JSONL with ``note_id`` and ``note_text``
  (``id``/``text`` also accepted; see :mod:`clin_distill.corpora.notes`);
* span annotations, JSONL or CSV with ``note_id``, ``start``, ``end``, ``label`` and an
  optional ``text`` (the surface, checked against the note); 0-based, end-exclusive
  character offsets into ``note_text``.

MedAlign's data use agreement forbids training models on it, so this module only
ever writes a test split (``convert_splits(..., evaluation_only=True)``). By default
only notes with at least one annotation are kept; notes without any are skipped
and counted as ``unannotated`` (pass ``include_unannotated`` when every note was
annotated and an empty note means "no entities").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from ..runtime.tokenizer import clinical_blank
from .convert import convert_splits
from .label_map import LabelMap
from .notes import iter_note_records, json_records
from .raw import RawDoc, RawSpan, check_span
from .reading import CorpusError, check_doc_id, csv_rows, escaped, read_utf8, where
from .stats import CorpusStats

FIELDS = ("note_id", "start", "end", "label")


def _annotation_records(path: Path) -> Iterator[tuple[dict, int]]:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from json_records(path)
    elif path.suffix.lower() == ".csv":
        reader = csv_rows(read_utf8(path))
        for row in reader:
            yield row, reader.line_num
    else:
        raise CorpusError(f"{escaped(path)}: annotations must be a .jsonl or .csv file")


def _offset(value: object, path: Path, note_id: str, line: int) -> int:
    """A character offset: an integer, or a string of digits (CSV); floats and booleans are errors."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise CorpusError(f"{where(path, note_id, line)}: offsets are not integers")


def read_annotations(path: str | Path) -> dict[str, list[tuple[int, int, str, str | None, int]]]:
    """``{note_id: [(start, end, label, surface or None, line), ...]}`` from a JSONL or CSV file."""
    path = Path(path)
    out: dict[str, list] = defaultdict(list)
    for record, line in _annotation_records(path):
        missing = [f for f in FIELDS if record.get(f) in (None, "")]
        if missing:
            raise CorpusError(f"{where(path, line=line)}: missing fields {missing}")
        note_id = check_doc_id(record["note_id"], path, line)
        start, end = (_offset(record[key], path, note_id, line) for key in ("start", "end"))
        surface = record.get("text") or None
        if surface is not None and not isinstance(surface, str):
            raise CorpusError(f"{where(path, note_id, line)}: text must be a string")
        out[note_id].append((start, end, str(record["label"]), surface, line))
    return dict(out)


def read_medalign(
    notes_path: str | Path,
    annotations_path: str | Path,
    split: str = "test",
    include_unannotated: bool = False,
    skipped: Counter | None = None,
) -> Iterator[RawDoc]:
    """Gold MedAlign documents. Any ``split`` other than "test" is refused (data use agreement)."""
    if split != "test":
        raise CorpusError(
            "MedAlign's data use agreement forbids training on it: only a test split is allowed"
        )
    annotations_path = Path(annotations_path)
    annotations = read_annotations(annotations_path)
    skipped = skipped if skipped is not None else Counter()
    found: set[str] = set()
    for doc_id, text, line, _ in iter_note_records(notes_path):
        anns = annotations.get(doc_id)
        if anns is None and not include_unannotated:
            skipped["unannotated"] += 1
            continue
        found.add(doc_id)
        spans = []
        events: Counter = Counter()
        for start, end, label, surface, ann_line in anns or []:
            if check_span(text, start, end, surface, str(annotations_path), doc_id, ann_line):
                events["surface_whitespace"] += 1
            spans.append(RawSpan(start, end, label, ann_line))
        yield RawDoc(doc_id, text, spans, str(notes_path), line, events)
    orphans = sorted(set(annotations) - found)
    if orphans:
        first = annotations[orphans[0]][0][4]
        raise CorpusError(
            f"{where(annotations_path, orphans[0], first)}: annotations for {len(orphans)} note ids "
            "that are not in the notes file"
        )


def convert_medalign(
    notes_path: Path,
    annotations_path: Path,
    out_dir: Path,
    label_map_path: Path,
    include_unannotated: bool = False,
) -> CorpusStats:
    """Write ``out_dir/test.spacy`` and stats; there is deliberately no way to write train or dev."""
    label_map = LabelMap.load(label_map_path)
    skipped: Counter = Counter()
    docs = list(read_medalign(notes_path, annotations_path, "test", include_unannotated, skipped))
    info = {
        "label_map": str(label_map_path),
        "split_rule": "evaluation only (data use agreement): test",
        "unannotated_notes_skipped": skipped["unannotated"],
    }
    return convert_splits(
        clinical_blank(), {"test": docs}, label_map, out_dir, "medalign", info, evaluation_only=True
    )
