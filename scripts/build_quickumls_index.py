"""Build a QuickUMLS index from the open-vocabulary patterns (clin_distill.teachers.quickumls_index),
so the QuickUMLS teacher matches approximately against the same licence-free vocabularies offline."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.labels import LABELS
from clin_distill.teachers.quickumls_index import build_index, write_rrf


def main(
    patterns: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="open_vocab.jsonl")],
    dest: Annotated[Path, typer.Argument(file_okay=False, help="QuickUMLS index folder to (re)build")],
) -> None:
    """Write the patterns as MRCONSO.RRF/MRSTY.RRF beside DEST and build the QuickUMLS index at DEST."""
    rrf_dir = dest.with_name(dest.name + ".rrf")
    try:
        counts = write_rrf(patterns, rrf_dir)
    except (ValueError, KeyError) as err:
        fail(f"{patterns}: {err}")
    msg.table(sorted(counts.items()), header=["terms", "count"], divider=True)
    build_index(rrf_dir, dest)
    msg.good(f"QuickUMLS index of {sum(counts[label] for label in LABELS)} terms → {dest}")


if __name__ == "__main__":
    typer.run(main)
