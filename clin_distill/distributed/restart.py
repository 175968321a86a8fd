"""Restart per shard: a shard is complete when its marker matches the input, model and outputs.

A rerun skips complete shards and recomputes the rest, so a crash loses only the shards that
were in flight; an incomplete shard's old marker is deleted first, so its old files never look
complete. LLM teachers: the journals in the reply cache folder tell what killed runs paid for
(:mod:`clin_distill.llm.journal`); the driver reports it once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..llm.journal import RequestJournal, interrupted
from .input import Shard
from .options import RunOptions
from .output import OutputStore, docs_rel, entities_rel, marker_rel


def is_complete(store: OutputStore, shard: Shard, fingerprint: str, options: RunOptions) -> bool:
    """True if an earlier run finished this shard with the same input size, model and outputs."""
    marker = store.read_json(marker_rel(shard.key))
    if marker is None or not store.exists(entities_rel(shard.key)):
        return False
    if options.docbin and not store.exists(docs_rel(shard.key)):
        return False
    same = (marker.get("input_size"), marker.get("fingerprint"), marker.get("include_text"))
    return same == (shard.size, fingerprint, options.include_text)


def pending_shards(
    store: OutputStore, shards: list[Shard], fingerprint: str, options: RunOptions
) -> list[Shard]:
    """The shards to (re)compute; their old markers are deleted."""
    pending = [s for s in shards if not is_complete(store, s, fingerprint, options)]
    for shard in pending:
        store.delete(marker_rel(shard.key))
    return pending


def shard_marker(shard: Shard, identity: tuple[str, str, str], options: RunOptions, **found: Any) -> dict:
    """The completeness marker of a shard: input, model, options and what was found (ids only)."""
    model, version, fingerprint = identity
    return {
        "shard": shard.key,
        "input": shard.path,
        "input_size": shard.size,
        "model": model,
        "model_version": version,
        "fingerprint": fingerprint,
        "include_text": options.include_text,
        "docbin": options.docbin,
        **found,
    }


def report_interrupted(cache_folder: Path) -> dict | None:
    """Killed earlier runs of this teacher (any actor): runs, what they were billed for, requests
    left in flight. Recorded as reported (by the driver's own journal run), so once only."""
    found = interrupted(cache_folder)
    if not found.runs:
        return None
    journal = RequestJournal(cache_folder, writer="driver")
    journal.account(found.runs)
    journal.close()
    return {"runs": len(found.runs), "billed": vars(found.billed), "in_flight": found.requests_in_flight}
