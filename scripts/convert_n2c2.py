"""Convert a local n2c2 2018 Track 2 release (brat train/ and test/ folders) to DocBins."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.corpora.n2c2 import DEV_FRACTION, convert_n2c2
from clin_distill.corpora.reading import CorpusError


def main(
    n2c2_dir: Annotated[str, typer.Argument(help="Release folder holding train/ and test/ (vars.n2c2_dir)")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False)],
    label_map: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
    seed: Annotated[int, typer.Option(help="Seed of the dev split carved from train")] = 13,
    dev_fraction: Annotated[float, typer.Option(help="Share of official train used as dev")] = DEV_FRACTION,
) -> None:
    """Convert a local n2c2 2018 Track 2 release (brat train/ and test/ folders) to DocBins."""
    if not n2c2_dir.strip():
        fail("No n2c2 folder given: set vars.n2c2_dir to your local n2c2 2018 Track 2 release")
    try:
        stats = convert_n2c2(Path(n2c2_dir), out_dir, label_map, seed, dev_fraction)
    except CorpusError as err:
        fail(str(err))
    header, rows = stats.table()
    msg.table(rows, header=header, divider=True, title="n2c2")
    total = stats.to_dict()["total"]
    msg.good(f"n2c2: {total['docs']} docs, {total['spans_total']} spans written to {out_dir}")


if __name__ == "__main__":
    typer.run(main)
