"""Note shards: find them under a local path or URI, and read them as batches of (id, text).

Notes are Parquet or JSONL shards (an id column, a text column, any other columns are ignored)
on any filesystem pyarrow reads (local, ``s3://``, ``gs://``, ``hdfs://``). Messages name
shards, line or row numbers and note ids, never note text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

NOTE_SUFFIXES = (".parquet", ".jsonl.gz", ".jsonl", ".ndjson")


class InputError(ValueError):
    """A shard that cannot be read as notes (the message names the shard, never note text)."""


def filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """A pyarrow filesystem and path for a local path or a URI (``s3://...``)."""
    if "://" in uri:
        return pafs.FileSystem.from_uri(uri)
    return pafs.LocalFileSystem(), str(Path(uri).resolve())


@dataclass(frozen=True)
class Shard:
    """One input file. ``key`` is its path below the input root without suffix: the output name."""

    key: str
    path: str
    size: int


def note_suffix(name: str) -> str | None:
    """The note-file suffix ``name`` ends with, or None."""
    return next((s for s in NOTE_SUFFIXES if name.endswith(s)), None)


def find_shards(input_uri: str) -> list[Shard]:
    """List the note files under ``input_uri`` (a file or a folder, searched recursively).
    Files and folders whose name starts with ``.`` or ``_`` are ignored."""
    fs, root = filesystem(input_uri)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        raise InputError(f"input not found: {input_uri}")
    if info.type == pafs.FileType.File:
        infos, base = [info], info.path.rsplit("/", 1)[0]
    else:
        infos, base = fs.get_file_info(pafs.FileSelector(root, recursive=True)), root.rstrip("/")
    shards: dict[str, Shard] = {}
    for item in infos:
        rel = item.path[len(base) :].lstrip("/")
        suffix = note_suffix(rel)
        hidden = any(part.startswith((".", "_")) for part in rel.split("/"))
        if item.type != pafs.FileType.File or suffix is None or hidden:
            continue
        key = rel[: -len(suffix)]
        if key in shards:
            raise InputError(f"two input files map to the same output shard {key!r}: rename one")
        shards[key] = Shard(key=key, path=item.path, size=item.size)
    if not shards:
        raise InputError(f"no {', '.join(NOTE_SUFFIXES)} files under {input_uri}")
    return [shards[k] for k in sorted(shards)]


@dataclass
class NoteBatch:
    """A batch of one shard's notes: ids, texts and where each came from."""

    ids: list[str]
    texts: list[str]


@dataclass
class ShardReport:
    """What reading and annotating one shard found (ids only, never text)."""

    notes: int = 0
    entities: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)


def iter_notes(
    shard: Shard, fs: pafs.FileSystem, batch_size: int, id_column: str, text_column: str, report: ShardReport
) -> Iterator[NoteBatch]:
    """Yield batches of (id, text). A note without text is skipped and listed in ``report.skipped``;
    a missing id, a duplicate id, a missing column or a malformed line fails the shard."""
    rows = _parquet_rows if shard.path.endswith(".parquet") else _jsonl_rows
    batch = NoteBatch([], [])
    for where, note_id, text in rows(shard, fs, batch_size, id_column, text_column):
        if note_id is None or note_id == "":
            raise InputError(f"{shard.key}: {where} has no {id_column!r}")
        note_id = str(note_id)
        if note_id in report.seen:
            raise InputError(f"{shard.key}: duplicate note id {note_id!r} at {where}")
        report.seen.add(note_id)
        if not isinstance(text, str):
            report.skipped.append(note_id)
            continue
        batch.ids.append(note_id)
        batch.texts.append(text)
        if len(batch.ids) >= batch_size:
            yield batch
            batch = NoteBatch([], [])
    if batch.ids:
        yield batch


def check_shard(shard: Shard, fs: pafs.FileSystem, batch_size: int, id_column: str, text_column: str) -> None:
    """Read the whole shard once, keeping nothing: raises :class:`InputError` where
    :func:`iter_notes` would, before a paid model sees any of its notes."""
    for _ in iter_notes(shard, fs, batch_size, id_column, text_column, ShardReport()):
        pass


def _parquet_rows(
    shard: Shard, fs: pafs.FileSystem, batch_size: int, id_column: str, text_column: str
) -> Iterator[tuple[str, Any, Any]]:
    with fs.open_input_file(shard.path) as handle:
        try:
            parquet = pq.ParquetFile(handle)
        except pa.ArrowInvalid:
            raise InputError(f"{shard.key}: not a readable Parquet file") from None
        missing = [c for c in (id_column, text_column) if c not in parquet.schema_arrow.names]
        if missing:
            raise InputError(f"{shard.key}: no column {missing[0]!r}")
        row = 0
        for record_batch in parquet.iter_batches(batch_size=batch_size, columns=[id_column, text_column]):
            ids = record_batch.column(id_column).to_pylist()
            texts = record_batch.column(text_column).to_pylist()
            for note_id, text in zip(ids, texts, strict=True):
                yield f"row {row}", note_id, text
                row += 1


def _jsonl_rows(
    shard: Shard, fs: pafs.FileSystem, batch_size: int, id_column: str, text_column: str
) -> Iterator[tuple[str, Any, Any]]:
    with fs.open_input_stream(shard.path, compression="detect") as raw:
        for lineno, line in enumerate(io.TextIOWrapper(raw, encoding="utf8"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise InputError(f"{shard.key}: line {lineno} is not valid JSON") from None
            if not isinstance(record, dict):
                raise InputError(f"{shard.key}: line {lineno} is not a JSON object")
            if text_column not in record:
                raise InputError(f"{shard.key}: line {lineno} has no {text_column!r}")
            yield f"line {lineno}", record.get(id_column), record[text_column]
