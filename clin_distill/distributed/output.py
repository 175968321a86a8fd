"""What a run writes under its output root, always through a temporary name and a rename:

- ``entities/<shard>.parquet``: one row per entity (note_id, character ``start``/``end``, label,
  ConText flags, model name and version; no text unless asked),
- ``docs/<shard>.spacy`` (optional, mode 0600): the annotated Docs with their ids,
- ``_SUCCESS/<shard>.json``: written last, so its presence means the shard is complete,
- ``summary.json`` and ``summary.md``: this run's shards (counts and ids only).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
from spacy.language import Language
from spacy.tokens import Doc, Span
from wasabi import MarkdownRenderer

from ..docio import atomic_path
from .input import filesystem

ASSERTION_FLAGS = ("is_negated", "is_historical", "is_family", "is_hypothetical")
CONTEXT_FACTORY = "medspacy_context"  # ConText with its default span_attrs sets all four flags
ENTITIES_DIR, DOCS_DIR, MARKERS_DIR = "entities", "docs", "_SUCCESS"


class OutputStore:
    """Atomic writes under the output root: temp name + rename (``os.replace`` locally;
    on object stores a move, which is why the completeness marker is written last)."""

    def __init__(self, uri: str):
        self.uri = uri
        self.fs, self.root = filesystem(uri)
        self.local = isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, rel: str) -> str:
        """The full path of ``rel`` under the output root."""
        return f"{self.root.rstrip('/')}/{rel}"

    def exists(self, rel: str) -> bool:
        """Whether the file ``rel`` exists."""
        return self.fs.get_file_info(self.path(rel)).type == pafs.FileType.File

    def write(self, rel: str, data: bytes, private: bool = False) -> None:
        """Write ``data`` to ``rel`` atomically (mode 0600 when ``private`` on a local disk)."""
        target = self.path(rel)
        if self.local:
            with atomic_path(target, private=private) as tmp:
                tmp.write_bytes(data)
            return
        parent, name = target.rsplit("/", 1)
        self.fs.create_dir(parent, recursive=True)
        tmp = f"{parent}/.{name}.{uuid.uuid4().hex}.tmp"
        with self.fs.open_output_stream(tmp) as out:
            out.write(data)
        self.fs.move(tmp, target)

    def read_json(self, rel: str) -> dict | None:
        """The JSON object at ``rel``, or None if absent."""
        if not self.exists(rel):
            return None
        with self.fs.open_input_stream(self.path(rel)) as f:
            return json.loads(f.read())

    def delete(self, rel: str) -> None:
        """Delete ``rel`` if it exists."""
        if self.exists(rel):
            self.fs.delete_file(self.path(rel))


def entities_rel(key: str) -> str:
    """The entities Parquet of shard ``key`` under the output root."""
    return f"{ENTITIES_DIR}/{key}.parquet"


def docs_rel(key: str) -> str:
    """The DocBin of shard ``key`` under the output root."""
    return f"{DOCS_DIR}/{key}.spacy"


def marker_rel(key: str) -> str:
    """The completeness marker of shard ``key`` under the output root."""
    return f"{MARKERS_DIR}/{key}.json"


def entity_schema(include_text: bool) -> pa.Schema:
    """The entities table's schema (the text column only with ``include_text``)."""
    fields = [
        pa.field("note_id", pa.string(), nullable=False),
        pa.field("start", pa.int32(), nullable=False),
        pa.field("end", pa.int32(), nullable=False),
        pa.field("label", pa.string(), nullable=False),
    ]
    if include_text:
        fields.append(pa.field("text", pa.string()))
    fields += [pa.field(flag, pa.bool_()) for flag in ASSERTION_FLAGS]
    fields += [pa.field("model", pa.string()), pa.field("model_version", pa.string())]
    return pa.schema(fields)


def assertion_flags(nlp: Language) -> frozenset[str]:
    """The flags some component of ``nlp`` sets: ConText, or a component declaring
    ``assigns=["span._.<flag>"]``. An extension merely registered (by an import) does not count."""
    assigned: set[str] = set()
    for name in nlp.pipe_names:
        meta = nlp.get_pipe_meta(name)
        if meta.factory == CONTEXT_FACTORY:
            assigned.update(ASSERTION_FLAGS)
        assigned.update(a.removeprefix("span._.") for a in meta.assigns if a.startswith("span._."))
    return frozenset(f for f in ASSERTION_FLAGS if f in assigned and Span.has_extension(f))


def entity_rows(
    doc: Doc,
    note_id: str,
    model: str,
    model_version: str,
    flags: frozenset[str] = frozenset(),
    include_text: bool = False,
) -> list[dict[str, Any]]:
    """One row per entity, with character offsets. A flag not in ``flags`` (see
    :func:`assertion_flags`) is None: not computed is not the same as False."""
    rows = []
    for ent in doc.ents:
        row: dict[str, Any] = {"note_id": note_id, "start": ent.start_char, "end": ent.end_char}
        row["label"] = ent.label_
        if include_text:
            row["text"] = ent.text
        for flag in ASSERTION_FLAGS:
            row[flag] = bool(ent._.get(flag)) if flag in flags else None
        row["model"], row["model_version"] = model, model_version
        rows.append(row)
    return rows


@dataclass
class RunSummary:
    """What a run did: shards done, skipped and failed, notes, entities, actors, time, LLM usage."""

    shards: int = 0
    skipped_complete: int = 0
    done: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    notes: int = 0
    entities: int = 0
    notes_skipped: int = 0
    docs_failed: int = 0
    actors: int = 0
    seconds: float = 0.0
    llm_limiter: dict[str, int] | None = None
    llm_usage: dict[str, float] | None = None
    llm_interrupted: dict | None = None
    per_shard: list[dict[str, Any]] = field(default_factory=list)

    @property
    def notes_per_s(self) -> float:
        """End to end: cluster start, model loading and writing included."""
        return self.notes / self.seconds if self.seconds else 0.0

    @property
    def actor_notes_per_s(self) -> float:
        """One actor's rate once its model is loaded (notes over the summed shard times)."""
        busy = sum(row["seconds"] for row in self.per_shard if row["status"] == "done")
        return self.notes / busy if busy else 0.0


def write_summary(store: OutputStore, summary: RunSummary) -> None:
    """``summary.json`` and a Markdown table of this run's shards (counts and ids only)."""
    rates = {
        "notes_per_s": round(summary.notes_per_s, 2),
        "actor_notes_per_s": round(summary.actor_notes_per_s, 2),
    }
    data = asdict(summary) | rates
    store.write("summary.json", json.dumps(data, indent=1).encode())
    header = ("shard", "status", "notes", "entities", "skipped (no text)", "failed", "seconds")
    rows = [
        (r["key"], r["status"], str(r["notes"]), str(r["entities"]), str(r["skipped"]), str(r["failed"]))
        + (f"{r['seconds']:.1f}",)
        for r in sorted(summary.per_shard, key=lambda r: r["key"])
    ]
    md = MarkdownRenderer()
    md.add(md.table(rows, header, aligns=("l", "l", "r", "r", "r", "r", "r")))
    md.add(
        f"{summary.done} shards done, {summary.skipped_complete} already complete, "
        f"{len(summary.errors)} failed; {summary.notes} notes at {summary.notes_per_s:.1f} notes/s "
        f"end to end with {summary.actors} actors ({summary.actor_notes_per_s:.1f} notes/s per busy actor)."
    )
    if summary.llm_usage:
        u = summary.llm_usage
        md.add(
            f"LLM: {u['prompt_tokens']:.0f} prompt + {u['completion_tokens']:.0f} completion tokens, "
            f"${u['cost_usd']:.4f} (this run's shards)."
        )
    store.write("summary.md", (md.text + "\n").encode())
