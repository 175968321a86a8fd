"""Run a spaCy pipeline or an LLM teacher config over Parquet/JSONL note shards on Ray; restartable per shard.

An LLM teacher (configs/teachers/<name>.cfg) labels through the same path as teach-llm: chunking,
grounding, the reply cache (--llm-cache, shared with teach-llm), failure marks and the ledger.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import Switch, fail
from clin_distill.distributed import InputError, ModelSource, RunOptions, run_distributed


def parse_overrides(pairs: list[str]) -> dict[str, object]:
    """``section.key=value`` pairs; values are read as JSON where they parse, else as strings."""
    out: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or "." not in key:
            raise typer.BadParameter(f"expected section.key=value, got {key!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main(
    input_uri: str = typer.Argument(
        ..., help="Note file or folder of shards (local path or s3://, gs://, ...)"
    ),
    output_uri: str = typer.Argument(..., help="Output folder: entities/, docs/, _SUCCESS/, summary.md"),
    model: str = typer.Option("en_clin_distilled", help="Installed package, model folder, or teacher .cfg"),
    address: str = typer.Option("", help="Existing cluster: ray://host:10001 or auto; empty = local Ray"),
    local_cpus: int = typer.Option(0, help="CPUs of the local Ray instance (0 = all)"),
    actors: int = typer.Option(0, help="Actor pool size (0 = as many as the CPUs/GPUs fit)"),
    num_cpus: float = typer.Option(1.0, help="CPUs reserved per actor"),
    num_gpus: float = typer.Option(0.0, help="GPUs reserved per actor"),
    torch_threads: int = typer.Option(0, help="torch threads per actor (0 = ceil(num_cpus))"),
    batch_size: int = typer.Option(64, help="Notes per batch read from a shard and passed to nlp.pipe"),
    id_column: str = typer.Option("id", help="Column/key holding the note id"),
    text_column: str = typer.Option("text", help="Column/key holding the note text"),
    include_text: bool = typer.Option(False, "--include-text", help="Add entity text (PHI; files mode 0600)"),
    docbin: bool = typer.Option(False, "--docbin", help="Also write DocBin shards (mode 0600)"),
    llm_max_concurrency: int = typer.Option(0, help="Cluster-wide LLM requests in flight (0 = unbounded)"),
    llm_requests_per_actor: int = typer.Option(1, help="Concurrent LLM requests one actor makes"),
    llm_cache: str = typer.Option("cache/llm", help="LLM reply cache folder (every node sees it)"),
    allow_remote: Annotated[
        Switch,
        typer.Option(
            case_sensitive=False, help="true = opt in to sending notes to a non-loopback LLM endpoint"
        ),
    ] = Switch.false,
    override: Annotated[
        list[str] | None, typer.Option("--set", help="Config override section.key=value (repeatable)")
    ] = None,
    code: str = typer.Option("", help="Python file to import in each actor (custom factories)"),
) -> None:
    """Run a spaCy pipeline or an LLM teacher config over Parquet/JSONL note shards on Ray; restartable per
    shard."""
    source = ModelSource(source=model, overrides=parse_overrides(override or []), code=code or None)
    options = RunOptions(
        batch_size=batch_size,
        actors=actors,
        num_cpus=num_cpus,
        num_gpus=num_gpus,
        torch_threads=torch_threads,
        id_column=id_column,
        text_column=text_column,
        include_text=include_text,
        docbin=docbin,
        llm_max_concurrency=llm_max_concurrency,
        llm_requests_per_actor=llm_requests_per_actor,
        llm_cache=llm_cache,
        allow_remote=bool(allow_remote),
    )
    try:
        summary = run_distributed(
            input_uri, output_uri, source, options, address=address or None, num_cpus=local_cpus or None
        )
    except (InputError, ValueError, RuntimeError) as err:  # RemoteEndpointRefused is a RuntimeError
        fail(str(err))
    for key, error in summary.errors.items():
        msg.fail(f"shard {key}: {error}")
    line = (
        f"{summary.done}/{summary.shards} shards annotated ({summary.skipped_complete} already complete), "
        f"{summary.notes} notes, {summary.entities} entities, {summary.notes_skipped} notes without text, "
        f"{summary.docs_failed} failed; {summary.notes_per_s:.1f} notes/s end to end on "
        f"{summary.actors} actors ({summary.actor_notes_per_s:.1f} per busy actor)"
    )
    if summary.errors:
        fail(f"{len(summary.errors)} shards failed (rerun to retry them); {line}")
    if summary.llm_usage is not None:
        usage = summary.llm_usage
        tokens = f"{usage['prompt_tokens']:.0f}+{usage['completion_tokens']:.0f}"
        msg.text(f"LLM tokens {tokens}, ${usage['cost_usd']:.4f}")
    if summary.llm_interrupted:
        killed = summary.llm_interrupted
        msg.warn(
            f"{killed['runs']} earlier run(s) were killed with {killed['in_flight']} LLM request(s) "
            "in flight (probably billed; resent now, see summary.json)"
        )
    msg.good(line)


if __name__ == "__main__":
    typer.run(main)
