"""Convert local MedAlign notes and span annotations to an evaluation-only test DocBin."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.corpora.medalign import convert_medalign
from clin_distill.corpora.reading import CorpusError


def main(
    notes: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="OMOP-style notes, .csv/.jsonl")],
    annotations: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Span annotations, .jsonl or .csv")
    ],
    out_dir: Annotated[Path, typer.Argument(file_okay=False)],
    label_map: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
    include_unannotated: Annotated[
        bool, typer.Option(help="Keep notes without annotations (as entity-free)")
    ] = False,
) -> None:
    """Convert local MedAlign notes and span annotations to an evaluation-only test DocBin."""
    try:
        stats = convert_medalign(notes, annotations, out_dir, label_map, include_unannotated)
    except CorpusError as err:
        fail(str(err))
    header, rows = stats.table()
    msg.table(rows, header=header, divider=True, title="medalign (test only)")
    total = stats.to_dict()["total"]
    msg.good(f"medalign: {total['docs']} test docs, {total['spans_total']} spans written to {out_dir}")


if __name__ == "__main__":
    typer.run(main)
