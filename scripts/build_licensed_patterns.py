"""Build MEDICATION (RxNorm) and DISEASE/SYMPTOM (SNOMED CT) patterns from licensed release files."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.teachers.build import build_pattern_file
from clin_distill.teachers.licensed import licensed_sources


def main(
    output: Annotated[Path, typer.Argument(dir_okay=False, help="Patterns JSONL to write")],
    rxnorm_dir: Annotated[str, typer.Option(help="RxNorm folder holding RXNCONSO.RRF (empty: skip)")] = "",
    snomed_dir: Annotated[
        str, typer.Option(help="SNOMED CT RF2 folder with Snapshot files (empty: skip)")
    ] = "",
) -> None:
    """Build MEDICATION (RxNorm) and DISEASE/SYMPTOM (SNOMED CT) patterns from licensed release files."""
    try:
        sources = licensed_sources(rxnorm_dir, snomed_dir)
    except (FileNotFoundError, ValueError) as err:
        fail(str(err))
    meta = build_pattern_file(output, sources, name="licensed")
    rows = [(s["name"], s["data_version"], s["terms"], s["notes"]) for s in meta["sources"]]
    msg.table(rows, header=["source", "release", "terms", "notes"], divider=True)
    msg.good(
        f"{meta['patterns']} patterns {meta['patterns_per_label']} → {output} "
        f"in {meta['build_seconds']} s, peak RSS {meta['peak_rss_mib']} MiB"
    )


if __name__ == "__main__":
    typer.run(main)
