"""Write report.html (self-contained: inline CSS, base64 PNG plots) and report.md from the evaluate,
combine and benchmark outputs in the metrics folder (and any ablation or local-LLM rows in it).

Example notes (displaCy) are exported only for the public corpora; --no-examples leaves them
out, and they are always left out for any other corpus (n2c2, MedAlign: PHI)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.report.build import build_report
from clin_distill.report.examples import is_public
from clin_distill.report.writers import write_html, write_markdown

app = typer.Typer(add_completion=False)


@app.command()
def main(
    metrics_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Metrics folder")],
    corpus: Annotated[str, typer.Option(help="Corpus evaluated (metrics/<system>/<corpus>.json)")],
    examples: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Gold test DocBin")
    ] = None,
    teachers_dir: Annotated[Path | None, typer.Option(exists=True, file_okay=False)] = None,
    no_examples: Annotated[bool, typer.Option("--no-examples", help="Export no note text")] = False,
    out: Annotated[
        Path | None, typer.Option(file_okay=False, help="Folder for the report (default: the metrics folder)")
    ] = None,
) -> None:
    """Write report.html (self-contained: inline CSS, base64 PNG plots) and report.md from the evaluate,
    combine and benchmark outputs in the metrics folder (and any ablation or local-LLM rows in it)."""
    use_examples = None if no_examples else examples
    try:
        report = build_report(metrics_dir, corpus, use_examples, teachers_dir, gold=examples)
    except FileNotFoundError as err:
        fail(str(err))
    folder = out or metrics_dir
    folder.mkdir(parents=True, exist_ok=True)
    html_path, md_path = folder / "report.html", folder / "report.md"
    write_html(report, html_path)
    images = write_markdown(report, md_path)
    n_systems = len(report.sections[0].blocks[0].rows)
    shown = "included" if use_examples and is_public(corpus) else "left out"
    msg.good(
        f"Report for {corpus}: {n_systems} systems, {len(images)} plot(s), examples {shown} → {html_path}"
    )


if __name__ == "__main__":
    app()
