"""Run a spaCy pipeline over millions of notes with a Ray Data actor pool.

Notes are Parquet or JSONL shards (an id column, a text column, any other columns
are ignored) on any filesystem pyarrow reads (local, ``s3://``, ``gs://``, ``hdfs://``).
Each shard is one unit of work: a pool of actors, each loading the pipeline once,
reads a shard in batches of notes, and writes

- ``<output>/entities/<shard>.parquet``: one row per entity (note_id, character
  ``start``/``end``, label, ConText flags, model name and version; no text unless asked),
- ``<output>/docs/<shard>.spacy`` (optional, mode 0600): the annotated Docs with their ids,
- ``<output>/_SUCCESS/<shard>.json``: written last, so its presence means the shard is complete.

Every file goes to a temporary name first and is renamed into place. A rerun skips
shards whose marker matches the input and the model, so a crash loses only the shards
that were in flight. Nothing here logs note text: messages name shards, line or row
numbers and note ids.

Resources: each actor reserves ``num_cpus``/``num_gpus`` and runs torch with ``ceil(num_cpus)``
threads; by default the pool has as many actors as the cluster's CPUs (GPUs) fit, so nothing
is oversubscribed. Parallelism is across shards: give the input at least as many shards as actors.

LLM teachers: ``llm_max_concurrency`` is the provider's limit on requests in flight. A named
Ray actor holding a semaphore lets at most ``llm_max_concurrency // llm_requests_per_actor``
batches call the model at once, on all nodes together, so in-flight requests never exceed the
limit whatever the actor count. It lives as long as the run: two runs against one provider
key must split the limit between them. The teacher config's own cache (spacy-llm
``cache.path`` on storage the workers share) keeps a rerun from paying twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import math
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from clin_distill.docio import atomic_path, failure_of, set_doc_id

NOTE_SUFFIXES = (".parquet", ".jsonl.gz", ".jsonl", ".ndjson")
ASSERTION_FLAGS = ("is_negated", "is_historical", "is_family", "is_hypothetical")
CONTEXT_FACTORY = "medspacy_context"  # ConText with its default span_attrs sets all four flags
ENTITIES_DIR, DOCS_DIR, MARKERS_DIR = "entities", "docs", "_SUCCESS"
LIMITER_NAMESPACE = "clin_distill"


class InputError(ValueError):
    """A shard that cannot be read as notes (the message names the shard, never note text)."""


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class ModelSource:
    """What each actor loads: an installed package, a model folder, or a teacher ``.cfg``."""

    source: str
    overrides: dict[str, Any] = field(default_factory=dict)
    code: str | None = None

    @property
    def is_config(self) -> bool:
        return self.source.endswith(".cfg") and Path(self.source).is_file()

    def load(self) -> Language:
        """Load the pipeline (a ``.cfg`` is assembled and initialized as the teach step does)."""
        if self.code:
            spacy.util.import_file("clin_distill_user_code", self.code)
        if self.is_config:
            config = spacy.util.load_config(self.source, overrides=self.overrides, interpolate=False)
            nlp = spacy.util.load_model_from_config(config, auto_fill=True)
            nlp.initialize()
            return nlp
        return spacy.load(self.source, config=self.overrides)

    def absolute(self) -> ModelSource:
        """The same source with local paths made absolute, for actors with another working folder."""
        source = str(Path(self.source).resolve()) if Path(self.source).exists() else self.source
        code = str(Path(self.code).resolve()) if self.code else None
        return ModelSource(source=source, overrides=self.overrides, code=code)

    def identity(self) -> tuple[str, str, str]:
        """(name, version, fingerprint), read without loading weights. The fingerprint
        changes when the model does, so a rerun recomputes shards made by another model."""
        digest = hashlib.sha256(json.dumps(self.overrides, sort_keys=True).encode())
        if self.is_config:
            data = Path(self.source).read_bytes()
            digest.update(data)
            return f"teacher:{Path(self.source).stem}", hashlib.sha256(data).hexdigest()[:12], _hex(digest)
        path = Path(self.source)
        if not (path / "meta.json").is_file():
            try:
                path = spacy.util.get_package_path(self.source)
            except (ImportError, ModuleNotFoundError):
                raise InputError(
                    f"model {self.source!r} is neither a .cfg file, a model folder nor an installed package"
                ) from None
        meta = spacy.util.load_meta(path / "meta.json")
        digest.update((path / "meta.json").read_bytes())
        if (path / "config.cfg").is_file():
            digest.update((path / "config.cfg").read_bytes())
        name = f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}"
        return name, str(meta.get("version", "0.0.0")), _hex(digest)


def _hex(digest: Any) -> str:
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- files


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


class OutputStore:
    """Atomic writes under the output root: temp name + rename (``os.replace`` locally;
    on object stores a move, which is why the completeness marker is written last)."""

    def __init__(self, uri: str):
        self.uri = uri
        self.fs, self.root = filesystem(uri)
        self.local = isinstance(self.fs, pafs.LocalFileSystem)

    def path(self, rel: str) -> str:
        return f"{self.root.rstrip('/')}/{rel}"

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type == pafs.FileType.File

    def write(self, rel: str, data: bytes, private: bool = False) -> None:
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
        if not self.exists(rel):
            return None
        with self.fs.open_input_stream(self.path(rel)) as f:
            return json.loads(f.read())

    def delete(self, rel: str) -> None:
        if self.exists(rel):
            self.fs.delete_file(self.path(rel))


def entities_rel(key: str) -> str:
    return f"{ENTITIES_DIR}/{key}.parquet"


def docs_rel(key: str) -> str:
    return f"{DOCS_DIR}/{key}.spacy"


def marker_rel(key: str) -> str:
    return f"{MARKERS_DIR}/{key}.json"


# --------------------------------------------------------------------------- reading notes


@dataclass
class NoteBatch:
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


# --------------------------------------------------------------------------- entity rows


def entity_schema(include_text: bool) -> pa.Schema:
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


# --------------------------------------------------------------------------- options and limiter


@dataclass(frozen=True)
class RunOptions:
    """Knobs of a run. ``actors=0`` fills the cluster's CPUs (or GPUs) without oversubscribing;
    ``torch_threads=0`` means ``ceil(num_cpus)`` per actor."""

    batch_size: int = 64
    actors: int = 0
    num_cpus: float = 1.0
    num_gpus: float = 0.0
    torch_threads: int = 0
    id_column: str = "id"
    text_column: str = "text"
    include_text: bool = False
    docbin: bool = False
    llm_max_concurrency: int = 0
    llm_requests_per_actor: int = 1

    def threads(self) -> int:
        return self.torch_threads or max(1, math.ceil(self.num_cpus))

    def llm_slots(self) -> int:
        """Batches allowed in flight cluster-wide so that slots x requests per actor <= the limit."""
        if self.llm_max_concurrency <= 0:
            return 0
        slots = self.llm_max_concurrency // max(1, self.llm_requests_per_actor)
        if slots < 1:
            raise ValueError("llm_max_concurrency is below llm_requests_per_actor: no batch could run")
        return slots


class ConcurrencyLimiter:
    """A semaphore as an async Ray actor. Slots are held per actor id, so an actor that Ray
    restarts after a crash (same id) gives back what its dead incarnation held."""

    def __init__(self, slots: int):
        self.slots = slots
        self.free = asyncio.Semaphore(slots)
        self.held: dict[str, int] = {}
        self.acquired = 0
        self.peak = 0

    async def acquire(self, holder: str) -> None:
        await self.free.acquire()
        self.held[holder] = self.held.get(holder, 0) + 1
        self.acquired += 1
        self.peak = max(self.peak, sum(self.held.values()))

    async def release(self, holder: str) -> None:
        if self.held.get(holder, 0) > 0:
            self.held[holder] -= 1
            self.free.release()

    async def release_all(self, holder: str) -> None:
        for _ in range(self.held.pop(holder, 0)):
            self.free.release()

    async def stats(self) -> dict[str, int]:
        in_flight = sum(self.held.values())
        return {"slots": self.slots, "in_flight": in_flight, "acquired": self.acquired, "peak": self.peak}


def concurrency_limiter(slots: int, name: str = "clin_distill_llm_limiter") -> Any:
    """The named limiter actor of this job (created, or joined if it exists with the same slots):
    the bound on LLM batches in flight across all actors on all nodes."""
    import ray

    remote = ray.remote(num_cpus=0)(ConcurrencyLimiter)
    limiter = remote.options(
        name=name, namespace=LIMITER_NAMESPACE, get_if_exists=True, max_concurrency=10_000
    ).remote(slots)
    existing = ray.get(limiter.stats.remote())["slots"]
    if existing != slots:
        raise ValueError(f"limiter {name!r} already runs with {existing} slots, not {slots}")
    return limiter


# --------------------------------------------------------------------------- the actor


class ShardAnnotator:
    """Ray Data callable class: loads the pipeline once, then annotates whole shards."""

    def __init__(
        self, model: ModelSource, input_uri: str, output_uri: str, options: RunOptions, limiter: Any = None
    ):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        with contextlib.suppress(ImportError):
            import torch

            torch.set_num_threads(options.threads())
        if options.num_gpus > 0:
            spacy.require_gpu(0)
        self.options = options
        self.limiter = limiter
        self.holder = ""
        if limiter is not None:
            import ray

            self.holder = ray.get_runtime_context().get_actor_id() or f"pid-{os.getpid()}"
            ray.get(limiter.release_all.remote(self.holder))  # slots of a crashed earlier incarnation
        self.input_fs, _ = filesystem(input_uri)
        self.store = OutputStore(output_uri)
        self.model_name, self.model_version, self.fingerprint = model.identity()
        self.nlp = model.load()
        self.flags = assertion_flags(self.nlp)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        results = [
            self.annotate(Shard(key=str(k), path=str(p), size=int(s)))
            for k, p, s in zip(batch["key"], batch["path"], batch["size"], strict=True)
        ]
        return {name: [r[name] for r in results] for name in results[0]}

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        if self.limiter is None:
            yield
            return
        import ray

        ray.get(self.limiter.acquire.remote(self.holder))
        try:
            yield
        finally:
            ray.get(self.limiter.release.remote(self.holder))

    def annotate(self, shard: Shard) -> dict[str, Any]:
        """Annotate one shard and write its outputs; errors become a reported status."""
        started = time.perf_counter()
        report = ShardReport()
        where = "reading"
        try:
            rows: list[dict[str, Any]] = []
            docbin = DocBin(store_user_data=True) if self.options.docbin else None
            opts = self.options
            columns = (opts.id_column, opts.text_column)
            notes = iter_notes(shard, self.input_fs, opts.batch_size, *columns, report)
            for batch in notes:
                where = f"notes {batch.ids[0]}..{batch.ids[-1]}"
                # Long notes are labelled whole, never dropped (the transformer reads strided windows).
                self.nlp.max_length = max([self.nlp.max_length, *(len(t) + 1 for t in batch.texts)])
                with self.slot():
                    docs = list(self.nlp.pipe(batch.texts, batch_size=opts.batch_size))
                for note_id, doc in zip(batch.ids, docs, strict=True):
                    set_doc_id(doc, note_id)
                    report.notes += 1
                    reason = failure_of(doc)
                    if reason is not None:
                        report.failed[note_id] = reason
                    else:
                        identity = (self.model_name, self.model_version)
                        rows.extend(entity_rows(doc, note_id, *identity, self.flags, opts.include_text))
                    if docbin is not None:
                        docbin.add(doc)
                where = "reading"
            report.entities = len(rows)
            self.write(shard, rows, docbin, report, time.perf_counter() - started)
            status, error = "done", ""
        except InputError as err:
            status, error = "error", str(err)
        except Exception as err:  # noqa: BLE001 - reported per shard; the message may hold text
            status, error = "error", f"{shard.key}: {type(err).__name__} while processing {where}"
        return {
            "key": shard.key,
            "status": status,
            "error": error,
            "notes": report.notes,
            "entities": report.entities,
            "skipped": len(report.skipped),
            "failed": len(report.failed),
            "seconds": time.perf_counter() - started,
        }

    def write(
        self, shard: Shard, rows: list[dict], docbin: DocBin | None, report: ShardReport, seconds: float
    ) -> None:
        opts = self.options
        table = pa.Table.from_pylist(rows, schema=entity_schema(opts.include_text))
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        self.store.write(entities_rel(shard.key), sink.getvalue().to_pybytes(), private=opts.include_text)
        if docbin is not None:
            self.store.write(docs_rel(shard.key), docbin.to_bytes(), private=True)
        marker = {
            "shard": shard.key,
            "input": shard.path,
            "input_size": shard.size,
            "model": self.model_name,
            "model_version": self.model_version,
            "fingerprint": self.fingerprint,
            "include_text": opts.include_text,
            "docbin": opts.docbin,
            "notes": report.notes,
            "entities": report.entities,
            "skipped_no_text": report.skipped,
            "failed": report.failed,
            "seconds": round(seconds, 3),
        }
        self.store.write(marker_rel(shard.key), json.dumps(marker, indent=1).encode())


# --------------------------------------------------------------------------- the driver


@dataclass
class RunSummary:
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


def is_complete(store: OutputStore, shard: Shard, fingerprint: str, options: RunOptions) -> bool:
    """True if an earlier run finished this shard with the same input size, model and outputs."""
    marker = store.read_json(marker_rel(shard.key))
    if marker is None or not store.exists(entities_rel(shard.key)):
        return False
    if options.docbin and not store.exists(docs_rel(shard.key)):
        return False
    same = (marker.get("input_size"), marker.get("fingerprint"), marker.get("include_text"))
    return same == (shard.size, fingerprint, options.include_text)


def default_actors(options: RunOptions, pending: int) -> int:
    """As many actors as the cluster's free CPUs (and GPUs) allow, at most one per pending shard."""
    import ray

    resources = ray.cluster_resources()
    fits = int(resources.get("CPU", 1) // options.num_cpus) if options.num_cpus > 0 else pending
    if options.num_gpus > 0:
        fits = min(fits, int(resources.get("GPU", 0) // options.num_gpus))
        if fits < 1:
            raise ValueError(f"the cluster has no room for an actor with {options.num_gpus} GPU")
    return max(1, min(fits, pending))


def connect(address: str | None, num_cpus: int | None) -> bool:
    """Join ``address`` (``ray://host:10001`` or ``auto``) or start a local Ray; True if we started it."""
    import ray

    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, namespace=LIMITER_NAMESPACE)
    else:
        ray.init(num_cpus=num_cpus or os.cpu_count(), include_dashboard=False, namespace=LIMITER_NAMESPACE)
    return True


def run_distributed(
    input_uri: str,
    output_uri: str,
    model: ModelSource,
    options: RunOptions,
    address: str | None = None,
    num_cpus: int | None = None,
    progress: bool = True,
) -> RunSummary:
    """Annotate every pending shard under ``input_uri``; write outputs under ``output_uri``."""
    import ray
    import ray.data
    from tqdm import tqdm

    started = time.perf_counter()
    model = model.absolute()
    shards = find_shards(input_uri)
    store = OutputStore(output_uri)
    _, _, fingerprint = model.identity()
    pending = [s for s in shards if not is_complete(store, s, fingerprint, options)]
    summary = RunSummary(shards=len(shards), skipped_complete=len(shards) - len(pending))
    if not pending:
        summary.seconds = time.perf_counter() - started
        return summary
    for shard in pending:  # an incomplete shard's old files must not look complete
        store.delete(marker_rel(shard.key))
    owns_ray = connect(address, num_cpus)
    try:
        summary.actors = (
            min(options.actors, len(pending)) if options.actors else default_actors(options, len(pending))
        )
        slots = options.llm_slots()
        limiter = concurrency_limiter(slots) if slots else None
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        items = [{"key": s.key, "path": s.path, "size": s.size} for s in pending]
        results = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            ShardAnnotator,
            fn_constructor_kwargs={
                "model": model,
                "input_uri": input_uri if "://" in input_uri else str(Path(input_uri).resolve()),
                "output_uri": output_uri if "://" in output_uri else store.root,
                "options": options,
                "limiter": limiter,
            },
            batch_size=1,
            compute=ray.data.ActorPoolStrategy(size=summary.actors, max_tasks_in_flight_per_actor=1),
            num_cpus=options.num_cpus,
            num_gpus=options.num_gpus or None,
        )
        bar = tqdm(total=len(pending), unit="shard", disable=not progress, desc="annotate")
        t0 = time.perf_counter()
        for row in results.iter_rows():
            summary.per_shard.append(row)
            if row["status"] == "done":
                summary.done += 1
                summary.notes += row["notes"]
                summary.entities += row["entities"]
                summary.notes_skipped += row["skipped"]
                summary.docs_failed += row["failed"]
            else:
                summary.errors[row["key"]] = row["error"]
            bar.update(1)
            bar.set_postfix(notes=summary.notes, notes_s=f"{summary.notes / (time.perf_counter() - t0):.1f}")
        bar.close()
        if limiter is not None:
            summary.llm_limiter = ray.get(limiter.stats.remote())
    finally:
        if owns_ray:
            ray.shutdown()
    summary.seconds = time.perf_counter() - started
    write_summary(store, summary)
    return summary


def write_summary(store: OutputStore, summary: RunSummary) -> None:
    """``summary.json`` and a Markdown table of this run's shards (counts and ids only)."""
    rates = {
        "notes_per_s": round(summary.notes_per_s, 2),
        "actor_notes_per_s": round(summary.actor_notes_per_s, 2),
    }
    data = asdict(summary) | rates
    store.write("summary.json", json.dumps(data, indent=1).encode())
    lines = [
        "| shard | status | notes | entities | skipped (no text) | failed | seconds |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in sorted(summary.per_shard, key=lambda r: r["key"]):
        lines.append(
            f"| {row['key']} | {row['status']} | {row['notes']} | {row['entities']} | {row['skipped']} "
            f"| {row['failed']} | {row['seconds']:.1f} |"
        )
    lines.append(
        f"\n{summary.done} shards done, {summary.skipped_complete} already complete, "
        f"{len(summary.errors)} failed; {summary.notes} notes at {summary.notes_per_s:.1f} notes/s "
        f"end to end with {summary.actors} actors ({summary.actor_notes_per_s:.1f} notes/s per busy actor)."
    )
    store.write("summary.md", ("\n".join(lines) + "\n").encode())
