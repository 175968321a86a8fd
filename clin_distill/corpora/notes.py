"""Plain clinical notes without gold labels (for teacher labeling, and MedAlign's note table).

Accepted inputs:

* ``.txt``: one note (doc id = file stem);
* JSONL, one ``{"id": ..., "text": ...}`` object per line;
* CSV with a header row and a text column (``text`` or OMOP's ``note_text``) and
  optionally an id column (``id`` or OMOP's ``note_id``; default ``<file stem>-<row>``,
  reported as a notice). Default column names match in any case, ignoring surrounding spaces;
* Parquet with the columns of a CSV (an id column is required);
* a folder of such files, suffixes in any case, read in sorted order. Other entries are
  skipped and counted, never silently: hidden files (``.DS_Store``, macOS ``._note.txt``
  forks), subfolders, other suffixes (a README), and anything that is not a regular file.
  A file that cannot be read (permission denied) or is not UTF-8 is an error naming the
  file: a note is never dropped because of its encoding or permissions.

A leading UTF-8 byte-order mark is dropped in every format. Control and zero-width characters in a
note's text (NUL and the other C0/C1 codes but tab and line breaks; U+200B and the like) are each
replaced by a space and counted in a notice. Symbolic links in a folder are skipped and counted,
wherever they point: a note is read only from a regular file inside the folder (a link could bring in
another patient's files). Ids are checked by
:func:`clin_distill.corpora.reading.check_doc_id` (null, empty, other types and control
characters are errors). Errors (invalid UTF-8 or JSON, missing fields, bad ids) name the
file and line, never the text.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from spacy.language import Language
from spacy.tokens import Doc

from ..docio import set_doc_id
from .reading import (
    CorpusError,
    check_doc_id,
    csv_rows,
    escaped,
    jsonl_lines,
    read_utf8,
    replace_controls,
    where,
)

ID_COLUMNS = ("id", "note_id")
TEXT_COLUMNS = ("text", "note_text")
NOTE_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".csv", ".parquet")


class NoteRecord(NamedTuple):
    """One note as read: its id, its text and where it was (file, line or row)."""

    doc_id: str
    text: str
    line: int  # 0 for a .txt file
    source: Path  # the file it came from


@dataclass
class NotesReport:
    """What reading a notes input skipped (counted by reason) and anything else the user should know."""

    skipped: Counter = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)


def _pick(columns: Iterable[str], wanted: str | None, defaults: tuple[str, ...]) -> str | None:
    columns = list(columns)
    if wanted is not None:
        return wanted if wanted in columns else None
    by_name = {c.strip().lower(): c for c in reversed(columns)}
    return next((by_name[c] for c in defaults if c in by_name), None)


def json_records(path: Path) -> Iterator[tuple[dict, int]]:
    """``(record, line number)`` for each JSON object line of a JSONL file; anything else is an error."""
    for line_no, line in jsonl_lines(read_utf8(path)):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise CorpusError(f"{where(path, line=line_no)}: not a JSON object") from None
        if not isinstance(record, dict):
            raise CorpusError(f"{where(path, line=line_no)}: not a JSON object")
        yield record, line_no


def _jsonl(path: Path, id_key: str | None, text_key: str | None) -> Iterator[NoteRecord]:
    for record, line_no in json_records(path):
        id_col, text_col = _pick(record, id_key, ID_COLUMNS), _pick(record, text_key, TEXT_COLUMNS)
        if id_col is None or text_col is None or not isinstance(record[text_col], str):
            raise CorpusError(f"{where(path, line=line_no)}: needs an id field and a string text field")
        yield NoteRecord(check_doc_id(record[id_col], path, line_no), record[text_col], line_no, path)


def _csv(path: Path, id_key: str | None, text_key: str | None, report: NotesReport) -> Iterator[NoteRecord]:
    reader = csv_rows(read_utf8(path))
    columns = reader.fieldnames or []
    text_col = _pick(columns, text_key, TEXT_COLUMNS)
    if text_col is None:
        raise CorpusError(
            f"{escaped(path)}: no text column (looked for {text_key or ' or '.join(TEXT_COLUMNS)})"
        )
    id_col = _pick(columns, id_key, ID_COLUMNS)
    if id_key is not None and id_col is None:
        raise CorpusError(f"{escaped(path)}: no id column {id_key!r}")
    if id_col is None:
        report.notices.append(
            f"{escaped(path)}: no id column ({' or '.join(ID_COLUMNS)}): ids are {escaped(path.stem)}-<row>"
        )
    for row_no, row in enumerate(reader, 1):
        if row.get(text_col) is None:
            raise CorpusError(f"{where(path, line=reader.line_num)}: row has no {text_col} value")
        doc_id = check_doc_id(row[id_col], path, reader.line_num) if id_col else f"{path.stem}-{row_no}"
        yield NoteRecord(doc_id, row[text_col], reader.line_num, path)


def _parquet(path: Path, id_key: str | None, text_key: str | None) -> Iterator[NoteRecord]:
    import pyarrow.lib
    import pyarrow.parquet as pq

    try:
        columns = pq.read_schema(path).names
    except (OSError, pyarrow.lib.ArrowException) as err:
        raise CorpusError(f"{escaped(path)}: not a Parquet file ({type(err).__name__})") from None
    id_col, text_col = _pick(columns, id_key, ID_COLUMNS), _pick(columns, text_key, TEXT_COLUMNS)
    if id_col is None or text_col is None:
        raise CorpusError(f"{escaped(path)}: needs an id column and a text column")
    table = pq.read_table(path, columns=[id_col, text_col])
    rows = zip(table[id_col].to_pylist(), table[text_col].to_pylist(), strict=True)
    for row_no, (doc_id, text) in enumerate(rows, 1):
        if not isinstance(text, str):
            raise CorpusError(f"{where(path, line=row_no)}: row has no string {text_col} value")
        yield NoteRecord(check_doc_id(doc_id, path, row_no), text, row_no, path)


def _file(path: Path, id_key: str | None, text_key: str | None, report: NotesReport) -> Iterator[NoteRecord]:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        yield NoteRecord(check_doc_id(path.stem, path), read_utf8(path), 0, path)
    elif path.stat().st_size == 0:
        raise CorpusError(f"{escaped(path)}: empty file (no notes)")
    elif suffix in (".jsonl", ".ndjson"):
        yield from _jsonl(path, id_key, text_key)
    elif suffix == ".csv":
        yield from _csv(path, id_key, text_key, report)
    elif suffix == ".parquet":
        yield from _parquet(path, id_key, text_key)
    else:
        raise CorpusError(
            f"{escaped(path)}: notes must be .txt, .jsonl, .csv or .parquet files, or a folder of them"
        )


def has_notes(path: Path) -> bool:
    """True when ``path`` is a notes file, or a folder holding at least one (see the module docstring)."""
    if path.is_dir():
        return any(_skip_reason(entry) is None for entry in path.iterdir())
    return path.is_file()


def _skip_reason(entry: Path) -> str | None:
    """Why a folder entry is not read as a note (None: it is a note)."""
    if entry.name.startswith("."):
        return "hidden"
    if entry.is_symlink():
        return "symbolic link"
    if entry.is_dir():
        return "subfolder"
    if not entry.is_file():
        return "not a regular file"
    if entry.suffix.lower() not in NOTE_SUFFIXES:
        return f"not a notes file ({escaped(entry.suffix.lower()) or 'no suffix'})"
    return None


def _folder(
    path: Path, id_key: str | None, text_key: str | None, report: NotesReport
) -> Iterator[NoteRecord]:
    files = []
    for entry in sorted(path.iterdir()):
        reason = _skip_reason(entry)
        if reason is None:
            files.append(entry)
        else:
            report.skipped[reason] += 1
    if not files:
        skipped = f" (skipped: {dict(report.skipped)})" if report.skipped else ""
        raise CorpusError(f"{escaped(path)}: folder holds no notes ({', '.join(NOTE_SUFFIXES)}){skipped}")
    for file in files:
        yield from _file(file, id_key, text_key, report)


def iter_note_records(
    path: str | Path,
    id_key: str | None = None,
    text_key: str | None = None,
    report: NotesReport | None = None,
) -> Iterator[NoteRecord]:
    """Yield a :class:`NoteRecord` per note from a notes file or a folder of them (module
    docstring); skips and notices go to ``report``."""
    path = Path(path)
    report = report if report is not None else NotesReport()
    if path.is_dir():
        yield from _folder(path, id_key, text_key, report)
    elif not path.exists():
        raise CorpusError(f"{escaped(path)}: no such file or folder")
    else:
        yield from _file(path, id_key, text_key, report)


def read_notes(
    path: str | Path, id_key: str | None = None, text_key: str | None = None
) -> Iterator[tuple[str, str]]:
    """Yield ``(doc_id, text)`` for every note at ``path`` (see the module docstring for formats)."""
    for record in iter_note_records(path, id_key, text_key):
        yield record.doc_id, record.text


def notes_to_docs(
    nlp: Language, path: str | Path, id_key: str | None = None, text_key: str | None = None
) -> tuple[list[Doc], NotesReport]:
    """Unlabeled Docs with their ids; empty notes are skipped and counted (with the folder skips in
    the returned report), duplicate ids are an error."""
    docs: list[Doc] = []
    report = NotesReport()
    seen: dict[str, NoteRecord] = {}
    controls = Counter()
    for record in iter_note_records(path, id_key, text_key, report):
        first = seen.get(record.doc_id)
        if first is not None:
            at = f"line {first.line}" if first.source == record.source else escaped(first.source)
            raise CorpusError(
                f"{where(record.source, record.doc_id, record.line)}: duplicate doc id (first at {at})"
            )
        seen[record.doc_id] = record
        text, replaced = replace_controls(record.text)
        if replaced:
            controls["notes"] += 1
            controls["characters"] += replaced
        if not text.strip():
            report.skipped["empty"] += 1
            continue
        docs.append(set_doc_id(nlp.tokenizer(text), record.doc_id))  # no nlp.max_length cap
    if not seen:
        raise CorpusError(f"{escaped(path)}: holds no notes")
    if controls:
        report.notices.append(
            f"{controls['notes']} notes held {controls['characters']} control or zero-width characters "
            "(each replaced by a space)"
        )
    return docs, report
