"""Label a gold corpus with LLM teachers (configs/teachers/<name>.cfg): concurrent, cached, costed.

Writes corpus/teachers/<name>/<dataset>/{split}.spacy + failures.json, metrics/teachers/<name>.json
and <name>.usage.json, and always corpus/teachers/llm_manifest.<dataset>.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import Switch, comma_list, fail
from clin_distill.llm.guard import RemoteEndpointRefused
from clin_distill.llm.run import SPLITS, run_teachers
from clin_distill.llm.transport import AuthError
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from clin_distill.teachers.run import score_table

app = typer.Typer(add_completion=False)


def _tables(manifest: dict, metrics_dir: Path) -> None:
    rows = []
    for t in manifest["teachers"]:
        for split, c in t["splits"].items():
            rows.append((t["name"], split, c["docs"], c["labelled"], c["failed"]))
    msg.table(rows, header=("teacher", "split", "docs", "labelled", "failed"), divider=True)
    for t in manifest["teachers"]:
        scores = TeacherMetrics.read(metrics_dir / f"{t['name']}.json").scores
        if scores:
            msg.text(f"{t['name']} vs gold")
            rows, header = score_table(scores)
            msg.table(rows, header=header, divider=True)


@app.command()
def main(
    config_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="configs/teachers")],
    corpus_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/<dataset> (gold)")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="corpus/teachers")],
    dataset: Annotated[str, typer.Option("--dataset", help="Dataset name (output folder, manifest stem)")],
    teachers: Annotated[str, typer.Option("--teachers", help="Comma-separated teacher config names")] = "",
    cache: Annotated[Path, typer.Option("--cache", file_okay=False, help="Reply cache")] = Path("cache/llm"),
    metrics: Annotated[Path, typer.Option("--metrics", file_okay=False)] = Path("metrics/teachers"),
    allow_remote: Annotated[
        Switch,
        typer.Option(
            "--allow-remote",
            case_sensitive=False,
            help="true = opt in to sending notes to a non-loopback host",
        ),
    ] = Switch.false,
    base_url: Annotated[str, typer.Option("--base-url", help="Override every teacher's base_url")] = "",
    local_base_url: Annotated[
        str, typer.Option("--local-base-url", help="base_url of the local teacher")
    ] = "",
    local_model: Annotated[
        str, typer.Option("--local-model", help="Model name the local teacher's server serves")
    ] = "",
    splits: Annotated[str, typer.Option("--splits", help="Subset of train,dev,test")] = ",".join(SPLITS),
    max_docs: Annotated[
        int, typer.Option("--max-docs", min=0, help="At most N docs per split (0 = all)")
    ] = 0,
) -> None:
    """Label a gold corpus with LLM teachers (configs/teachers/<name>.cfg): concurrent, cached, costed."""
    names = comma_list(teachers)
    if not names:
        msg.info("No LLM teachers configured (--teachers is empty); writing an empty manifest")
    try:
        manifest = run_teachers(
            config_dir,
            corpus_dir,
            out_dir,
            dataset=dataset,
            teachers=names,
            cache_dir=cache,
            metrics_dir=metrics,
            allow_remote=bool(allow_remote),
            base_url=base_url or None,
            local_base_url=local_base_url or None,
            local_model=local_model or None,
            splits=comma_list(splits),
            max_docs=max_docs or None,
        )
    except (RemoteEndpointRefused, AuthError, FileNotFoundError, ValueError, RuntimeError) as err:
        fail(str(err))
    if manifest["teachers"]:
        _tables(manifest, metrics)
    failed = sum(t["failed"] for t in manifest["teachers"])
    cost = sum(t["cost_usd"] for t in manifest["teachers"])
    done = ", ".join(t["name"] for t in manifest["teachers"]) or "none"
    msg.good(f"LLM teachers done: {done}; {failed} doc(s) failed (excluded); cost ${cost:.4f}")


if __name__ == "__main__":
    app()
