"""The Ray Data actor: loads the labeller once, then annotates whole shards.

Resources: each actor reserves ``num_cpus``/``num_gpus`` and runs torch with ``ceil(num_cpus)``
threads. A note whose teacher failed (a failed request, a filtered or unparseable reply) is
listed with its reason in the shard's marker and has no entity rows: never "no entities". A
paid (LLM) labeller sees a shard only after the whole shard was read and its ids checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import spacy
from spacy.tokens import DocBin

from ..docio import failure_of, set_doc_id
from .input import InputError, Shard, ShardReport, check_shard, filesystem, iter_notes
from .options import RunOptions
from .output import OutputStore, docs_rel, entities_rel, entity_rows, entity_schema, marker_rel
from .pipelines import ModelSource
from .restart import shard_marker

USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "cost_usd")


def writer_id() -> str:
    """This process's name for the files it appends to in a shared cache folder."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{socket.gethostname()}-{os.getpid()}")


class ShardAnnotator:
    """Ray Data callable class: loads the labeller once, then annotates whole shards."""

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
        self.identity = model.identity()
        self.labeller = model.load(options, writer_id())

    def __call__(self, batch: dict[str, Any]) -> dict[str, list]:
        """Annotate each shard of a Ray Data batch; one result row per shard."""
        results = [
            self.annotate(Shard(key=str(k), path=str(p), size=int(s)))
            for k, p, s in zip(batch["key"], batch["path"], batch["size"], strict=True)
        ]
        return {name: [r[name] for r in results] for name in results[0]}

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the cluster-wide LLM slots while the block runs (no limiter: no wait)."""
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
        usage: dict[str, Any] = {}
        where = "reading"
        opts = self.options
        columns = (opts.id_column, opts.text_column)
        try:
            if self.labeller.paid:
                check_shard(shard, self.input_fs, opts.batch_size, *columns)
            with self.labeller.shard() as ledger:
                rows: list[dict[str, Any]] = []
                docbin = DocBin(store_user_data=True) if opts.docbin else None
                for batch in iter_notes(shard, self.input_fs, opts.batch_size, *columns, report):
                    where = f"notes {batch.ids[0]}..{batch.ids[-1]}"
                    with self.slot():
                        docs = self.labeller.label(batch.texts, opts.batch_size)
                    for note_id, doc in zip(batch.ids, docs, strict=True):
                        self._collect(note_id, set_doc_id(doc, note_id), rows, docbin, report)
                    where = "reading"
                report.entities = len(rows)
                usage = ledger.record().model_dump(mode="json") if ledger is not None else {}
                self.write(shard, rows, docbin, report, time.perf_counter() - started, usage)
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
            **{name: float(usage.get(name, 0)) for name in USAGE_FIELDS},
        }

    def _collect(
        self, note_id: str, doc, rows: list[dict], docbin: DocBin | None, report: ShardReport
    ) -> None:
        report.notes += 1
        reason = failure_of(doc)
        if reason is not None:
            report.failed[note_id] = reason
        else:
            name, version, _ = self.identity
            flags, include_text = self.labeller.flags, self.options.include_text
            rows.extend(entity_rows(doc, note_id, name, version, flags, include_text))
        if docbin is not None:
            docbin.add(doc)

    def write(
        self,
        shard: Shard,
        rows: list[dict],
        docbin: DocBin | None,
        report: ShardReport,
        seconds: float,
        usage: dict[str, Any],
    ) -> None:
        """Write a shard's entities (and docs), then its completeness marker last."""
        opts = self.options
        table = pa.Table.from_pylist(rows, schema=entity_schema(opts.include_text))
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        self.store.write(entities_rel(shard.key), sink.getvalue().to_pybytes(), private=opts.include_text)
        if docbin is not None:
            self.store.write(docs_rel(shard.key), docbin.to_bytes(), private=True)
        found = {
            "notes": report.notes,
            "entities": report.entities,
            "skipped_no_text": report.skipped,
            "failed": report.failed,
            "seconds": round(seconds, 3),
        }
        if usage:
            found["llm_usage"] = usage
        marker = shard_marker(shard, self.identity, opts, **found)
        self.store.write(marker_rel(shard.key), json.dumps(marker, indent=1).encode())
