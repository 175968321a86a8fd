"""Pick k short few-shot examples from a gold train split (deterministic) for the local-llm teacher.

Writes training/local_llm/fewshot.<dataset>.yml (a step output, never in configs/), spacy-llm's NER.v3 format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.docio import read_docbin
from clin_distill.local_llm.fewshot import pick_examples, write_fewshot

app = typer.Typer(add_completion=False)


@app.command()
def main(
    train: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="corpus/<dataset>/train.spacy")],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="few-shot YAML to write")],
    k: Annotated[int, typer.Option("--k", min=1, help="Number of examples")] = 3,
    min_chars: Annotated[int, typer.Option("--min-chars", min=1)] = 80,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1)] = 400,
) -> None:
    """Pick k short few-shot examples from a gold train split (deterministic) for the local-llm teacher."""
    examples = pick_examples(read_docbin(train), k, min_chars, max_chars)
    if not examples:
        fail(f"{train}: no segment of {min_chars}-{max_chars} chars holds a whole gold entity")
    write_fewshot(output, examples, f"{train.parent.name}/{train.name}")
    rows = [
        (eg.doc_id, eg.start, len(eg.text), len(eg.spans), ",".join(sorted(eg.labels))) for eg in examples
    ]
    msg.table(rows, header=("doc", "char", "chars", "entities", "labels"), divider=True)
    msg.good(f"{len(examples)} few-shot example(s) from {train} -> {output}")


if __name__ == "__main__":
    app()
