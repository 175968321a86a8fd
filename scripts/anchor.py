"""The gold-anchored training corpus: each pool train doc's gold spans for the labels its corpus
annotates, the combined teacher labels for the others (gold wins an overlap), the notes as taught."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.docio import get_doc_id, read_docbin, write_docbin
from clin_distill.split_names import NOTES
from clin_distill.stepfiles.anchored import AnchoredCorpus
from clin_distill.stepfiles.pool import Pool
from clin_distill.student.anchored import AnchoringError, anchor


def main(
    pool_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/pool")],
    taught: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="corpus/distilled/train.spacy"),
    ],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="The gold-anchored corpus to write")],
    summary: Annotated[Path, typer.Option(dir_okay=False, help="JSON summary of what the rule did")],
) -> None:
    """The gold-anchored training corpus: each pool train doc's gold spans for the labels its corpus
    annotates, the combined teacher labels for the others (gold wins an overlap), the notes as taught."""
    pool = Pool.read(pool_dir / "pool.json")
    gold = read_docbin(pool_dir / "train.spacy")
    notes_path = pool_dir / f"{NOTES}.spacy"
    notes_ids = [get_doc_id(d) for d in read_docbin(notes_path)] if notes_path.is_file() else []
    taught_docs = read_docbin(taught, gold[0].vocab if gold else None)
    try:
        docs, counts = anchor(gold, taught_docs, notes_ids)
    except AnchoringError as err:
        fail(str(err))
    n = write_docbin(output, docs)
    AnchoredCorpus(
        docs=n,
        gold_labels=pool.annotated_labels,
        notes=counts.get("notes (teacher labels)", 0),
        counts=dict(sorted(counts.items())),
    ).write(summary)
    msg.table(sorted(counts.items()), header=["what", "count"], divider=True)
    msg.good(f"Gold-anchored corpus: {n} docs → {output}")


if __name__ == "__main__":
    typer.run(main)
