"""Plain clinical notes without gold labels (for teacher labeling, and MedAlign's note table).

Accepted inputs:

* ``.txt``: one note (doc id = file stem);
* JSONL, one ``{"id": ..., "text": ...}`` object per line;
* CSV with a header row and a text column (``text`` or OMOP's ``note_text``) and
  optionally an id column (``id`` or OMOP's ``note_id``; default ``<file stem>-<row>``);
* Parquet with the same columns as CSV (an id column is required);
* a folder holding any of these files (read in sorted order; other files are left alone).

Errors (invalid UTF-8 or JSON, missing fields) name the file and line, never the text.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..docio import set_doc_id
from .base import CorpusError, csv_rows, jsonl_lines, read_utf8, where

ID_COLUMNS = ("id", "note_id")
TEXT_COLUMNS = ("text", "note_text")


def _pick(columns: Iterable[str], wanted: str | None, defaults: tuple[str, ...]) -> str | None:
    columns = list(columns)
    if wanted is not None:
        return wanted if wanted in columns else None
    return next((c for c in defaults if c in columns), None)


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


def _jsonl(path: Path, id_key: str | None, text_key: str | None) -> Iterator[tuple[str, str, int]]:
    for record, line_no in json_records(path):
        id_col, text_col = _pick(record, id_key, ID_COLUMNS), _pick(record, text_key, TEXT_COLUMNS)
        if id_col is None or text_col is None or not isinstance(record[text_col], str):
            raise CorpusError(f"{where(path, line=line_no)}: needs an id field and a string text field")
        yield str(record[id_col]), record[text_col], line_no


def _csv(path: Path, id_key: str | None, text_key: str | None) -> Iterator[tuple[str, str, int]]:
    reader = csv_rows(read_utf8(path))
    columns = reader.fieldnames or []
    text_col = _pick(columns, text_key, TEXT_COLUMNS)
    if text_col is None:
        raise CorpusError(f"{path}: no text column (looked for {text_key or ' or '.join(TEXT_COLUMNS)})")
    id_col = _pick(columns, id_key, ID_COLUMNS)
    if id_key is not None and id_col is None:
        raise CorpusError(f"{path}: no id column {id_key!r}")
    for row_no, row in enumerate(reader, 1):
        if row.get(text_col) is None:
            raise CorpusError(f"{where(path, line=reader.line_num)}: row has no {text_col} value")
        doc_id = row[id_col] if id_col else f"{path.stem}-{row_no}"
        yield str(doc_id), row[text_col], reader.line_num


NOTE_SUFFIXES = (".txt", ".jsonl", ".ndjson", ".csv", ".parquet")


def has_note_suffix(path: Path) -> bool:
    """True for a file the notes reader reads (see :data:`NOTE_SUFFIXES`)."""
    return path.is_file() and path.suffix.lower() in NOTE_SUFFIXES


def _parquet(path: Path, id_key: str | None, text_key: str | None) -> Iterator[tuple[str, str, int]]:
    import pyarrow.parquet as pq

    try:
        columns = pq.read_schema(path).names
    except (OSError, ValueError) as err:
        raise CorpusError(f"{path}: not a Parquet file ({type(err).__name__})") from None
    id_col, text_col = _pick(columns, id_key, ID_COLUMNS), _pick(columns, text_key, TEXT_COLUMNS)
    if id_col is None or text_col is None:
        raise CorpusError(f"{path}: needs an id column and a text column (found {columns})")
    table = pq.read_table(path, columns=[id_col, text_col])
    for row_no, (doc_id, text) in enumerate(
        zip(*(table[c].to_pylist() for c in (id_col, text_col)), strict=True), 1
    ):
        if not isinstance(text, str):
            raise CorpusError(f"{where(path, line=row_no)}: row has no string {text_col} value")
        yield str(doc_id), text, row_no


def _file_records(path: Path, id_key: str | None, text_key: str | None) -> Iterator[tuple[str, str, int]]:
    suffix = path.suffix.lower()
    if suffix == ".txt":
        yield path.stem, read_utf8(path), 0
    elif path.stat().st_size == 0:
        raise CorpusError(f"{path}: empty file (no notes)")
    elif suffix in (".jsonl", ".ndjson"):
        yield from _jsonl(path, id_key, text_key)
    elif suffix == ".csv":
        yield from _csv(path, id_key, text_key)
    elif suffix == ".parquet":
        yield from _parquet(path, id_key, text_key)
    else:
        raise CorpusError(f"{path}: notes must be .txt, .jsonl, .csv or .parquet files, or a folder of them")


def iter_note_records(
    path: str | Path, id_key: str | None = None, text_key: str | None = None
) -> Iterator[tuple[str, str, int]]:
    """Yield ``(doc_id, text, line)`` from a notes file or a folder of them (module docstring)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if has_note_suffix(p))
        if not files:
            raise CorpusError(f"{path}: folder holds no notes ({', '.join(NOTE_SUFFIXES)} files)")
        for file in files:
            yield from _file_records(file, id_key, text_key)
    elif not path.exists():
        raise CorpusError(f"{path}: no such file or folder")
    else:
        yield from _file_records(path, id_key, text_key)


def read_notes(
    path: str | Path, id_key: str | None = None, text_key: str | None = None
) -> Iterator[tuple[str, str]]:
    """Yield ``(doc_id, text)`` for every note at ``path`` (see the module docstring for formats)."""
    for doc_id, text, _ in iter_note_records(path, id_key, text_key):
        yield doc_id, text


def notes_to_docs(
    nlp: Language, path: str | Path, id_key: str | None = None, text_key: str | None = None
) -> tuple[list[Doc], Counter]:
    """Unlabeled Docs with their ids; empty notes are skipped and counted, duplicate ids are an error."""
    docs: list[Doc] = []
    skipped: Counter = Counter()
    seen: dict[str, int] = {}
    for doc_id, text, line in iter_note_records(path, id_key, text_key):
        if doc_id in seen:
            raise CorpusError(f"{where(path, doc_id, line)}: duplicate doc id (first at line {seen[doc_id]})")
        seen[doc_id] = line
        if not text.strip():
            skipped["empty"] += 1
            continue
        docs.append(set_doc_id(nlp.tokenizer(text), doc_id))  # no nlp.max_length cap
    if not seen:
        raise CorpusError(f"{path}: holds no notes")
    return docs, skipped
