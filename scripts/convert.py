"""Convert the public gold corpora (NCBI Disease, BC5CDR, MACCROBAT) in --datasets to DocBins.

Credentialed corpora in --datasets (n2c2) are left to their own convert step."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import choices, comma_list, fail
from clin_distill.corpora.bc5cdr import READERS
from clin_distill.corpora.public import DATASETS, check_datasets, convert_dataset
from clin_distill.corpora.reading import CorpusError

BC5CDRFormat = choices("BC5CDRFormat", READERS)


def main(
    assets_dir: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Folder with <dataset>/ assets")
    ],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="Writes <out_dir>/<dataset>/")],
    datasets: Annotated[str, typer.Option(help="Comma-separated dataset names")] = ",".join(DATASETS),
    label_maps: Annotated[Path, typer.Option(exists=True, file_okay=False)] = Path("configs/labels"),
    seed: Annotated[int, typer.Option(help="Seed of the MACCROBAT split")] = 13,
    bc5cdr_format: Annotated[
        BC5CDRFormat, typer.Option(help="BC5CDR source files: PubTator text or BioC XML")
    ] = BC5CDRFormat.pubtator,
    max_docs: Annotated[int, typer.Option(help="Keep only the first N docs per split (0 = all)")] = 0,
) -> None:
    """Convert the public gold corpora (NCBI Disease, BC5CDR, MACCROBAT) in --datasets to DocBins."""
    summary = []
    try:
        for name in (d for d in check_datasets(comma_list(datasets)) if d in DATASETS):
            options = {"fmt": bc5cdr_format.value} if name == "bc5cdr" else {}
            stats = convert_dataset(name, assets_dir, out_dir, label_maps, seed, max_docs, **options)
            header, rows = stats.table()
            msg.table(rows, header=header, divider=True, title=name)
            total = stats.to_dict()["total"]
            summary.append(f"{name}: {total['docs']} docs, {total['spans_total']} spans")
    except CorpusError as err:
        fail(str(err))
    msg.good(f"Converted to {out_dir}: " + "; ".join(summary))


if __name__ == "__main__":
    typer.run(main)
