"""The driver: connect to Ray, size the actor pool, annotate the pending shards, summarise.

By default the pool has as many actors as the cluster's CPUs (GPUs) fit, so nothing is
oversubscribed. Parallelism is across shards: give the input at least as many shards as actors.
An LLM teacher is checked here before any actor starts (endpoint and opt-in, model name, prices,
API key); each actor then sends at most ``llm_requests_per_actor`` requests at once when a
cluster-wide ``llm_max_concurrency`` is set.
"""

from __future__ import annotations

import dataclasses
import os
import time
import uuid
from pathlib import Path

from ..llm.teacher import load_teacher
from .actors import USAGE_FIELDS, ShardAnnotator
from .input import find_shards
from .limiter import LIMITER_NAMESPACE, concurrency_limiter
from .options import RunOptions
from .output import OutputStore, RunSummary, write_summary
from .pipelines import ModelSource
from .restart import pending_shards, report_interrupted


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


def prepare_teacher(model: ModelSource, options: RunOptions) -> tuple[ModelSource, RunOptions]:
    """An LLM teacher's source and options as the actors need them: its cache folder absolute, its
    requests per actor capped when a cluster-wide bound is set, and its config checked (refusing a
    remote endpoint without the opt-in) before any actor starts or any request is sent."""
    options = dataclasses.replace(options, llm_cache=str(Path(options.llm_cache).resolve()))
    if options.llm_max_concurrency > 0:
        model = model.with_overrides(
            **{"components.llm.model.max_concurrency": options.llm_requests_per_actor}
        )
    load_teacher(Path(model.source), allow_remote=options.allow_remote, overrides=model.overrides).close()
    return model, options


def _add(summary: RunSummary, row: dict) -> None:
    summary.per_shard.append(row)
    if row["status"] != "done":
        summary.errors[row["key"]] = row["error"]
        return
    summary.done += 1
    summary.notes += row["notes"]
    summary.entities += row["entities"]
    summary.notes_skipped += row["skipped"]
    summary.docs_failed += row["failed"]
    if summary.llm_usage is not None:
        for name in USAGE_FIELDS:
            summary.llm_usage[name] += row[name]


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
    if model.is_llm_teacher:
        model, options = prepare_teacher(model, options)
    shards = find_shards(input_uri)
    store = OutputStore(output_uri)
    _, _, fingerprint = model.identity()
    pending = pending_shards(store, shards, fingerprint, options)
    summary = RunSummary(shards=len(shards), skipped_complete=len(shards) - len(pending))
    if model.is_llm_teacher:
        summary.llm_interrupted = report_interrupted(Path(options.llm_cache) / model.teacher_name())
        summary.llm_usage = dict.fromkeys(USAGE_FIELDS, 0.0)
    if not pending:
        summary.seconds = time.perf_counter() - started
        return summary
    owns_ray = connect(address, num_cpus)
    try:
        summary.actors = (
            min(options.actors, len(pending)) if options.actors else default_actors(options, len(pending))
        )
        slots = options.llm_slots()
        # one limiter per run, gone with it (a later run in this driver may set another limit)
        limiter = (
            concurrency_limiter(slots, f"clin_distill_llm_limiter_{uuid.uuid4().hex[:12]}") if slots else None
        )
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
            _add(summary, row)
            bar.update(1)
            bar.set_postfix(notes=summary.notes, notes_s=f"{summary.notes / (time.perf_counter() - t0):.1f}")
        bar.close()
        if limiter is not None:
            summary.llm_limiter = ray.get(limiter.stats.remote())
            ray.kill(limiter)
    finally:
        if owns_ray:
            ray.shutdown()
    summary.seconds = time.perf_counter() - started
    write_summary(store, summary)
    return summary
