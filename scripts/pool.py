"""Pool every gold corpus in --datasets (corpus/gold/<dataset>) and the user's notes into
corpus/pool/{train,dev,test,notes}.spacy: the texts the teachers label."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import comma_list, fail
from clin_distill.corpora.pool import build_pool, pool_table
from clin_distill.corpora.public import check_datasets
from clin_distill.corpora.reading import CorpusError
from clin_distill.runtime.tokenizer import clinical_blank


def main(
    gold_root: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/gold")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="Writes the pool here")],
    datasets: Annotated[str, typer.Option(help="Comma-separated gold corpora to pool")],
    notes: Annotated[
        str, typer.Option(help="Folder or file of unlabeled notes (.txt, .jsonl, .csv); empty: none")
    ] = "",
) -> None:
    """Pool every gold corpus in --datasets (corpus/gold/<dataset>) and the user's notes into
    corpus/pool/{train,dev,test,notes}.spacy: the texts the teachers label."""
    try:
        names = check_datasets(comma_list(datasets))
        summary = build_pool(clinical_blank(), gold_root, names, out_dir, Path(notes) if notes else None)
    except CorpusError as err:
        fail(str(err))
    header, rows = pool_table(summary)
    msg.table(rows, header=header, divider=True, title="pool")
    for notice in summary.notes.notices:
        msg.info(notice)
    n = summary.notes
    msg.good(
        f"Pooled {len(summary.corpora)} corpora and {n.kept} of {n.read} notes "
        f"(skipped: {n.skipped or 'none'}) → {out_dir}"
    )


if __name__ == "__main__":
    typer.run(main)
