"""Package a trained student as en_<name>: add ConText assertion after NER (and the int8 switch, off),
write meta.json (labels, backbone, corpora, teacher combination, scores, speed, licences) and build the
sdist and wheel into <packages_dir>/en_<name>-<version>/dist."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import srsly
import typer
from wasabi import msg

from clin_distill.cli import choices, fail
from clin_distill.student.model_meta import MetaInputs
from clin_distill.student.packaging import build_package, built_wheel
from clin_distill.student.provenance import SYSTEMS

app = typer.Typer(add_completion=False)
System = choices("System", SYSTEMS)


@app.command()
def main(
    model_dir: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Trained model-best folder")
    ],
    packages_dir: Annotated[Path, typer.Argument(file_okay=False, help="Output folder for packages")],
    name: Annotated[str, typer.Option(help="Package name without the language prefix")] = "clin_distilled",
    version: Annotated[str, typer.Option(help="Package version")] = "0.1.0",
    metrics: Annotated[
        Path | None, typer.Option(file_okay=False, help="Metrics folder (test scores)")
    ] = None,
    benchmark: Annotated[Path | None, typer.Option(dir_okay=False, help="metrics/benchmark.json")] = None,
    combine: Annotated[Path | None, typer.Option(dir_okay=False, help="metrics/combine/subsets.json")] = None,
    pool: Annotated[Path | None, typer.Option(dir_okay=False, help="corpus/pool/pool.json")] = None,
    anchored: Annotated[Path | None, typer.Option(dir_okay=False, help="metrics/anchored.json")] = None,
    system: Annotated[
        System, typer.Option(help="The packaged student (its metrics folder)")
    ] = System.distilled,
    abbreviation_guard: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Guard table (build-open-vocab)")
    ] = None,
    sentences: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Write the note-sentence table's scores here")
    ] = None,
) -> None:
    """Package a trained student as en_<name>: add ConText assertion after NER (and the int8 switch, off),
    write meta.json (labels, backbone, corpora, teacher combination, scores, speed, licences) and build the
    sdist and wheel into <packages_dir>/en_<name>-<version>/dist."""
    try:
        inputs = MetaInputs(metrics, benchmark, combine, pool, anchored, system.value)
        guard = srsly.read_json(abbreviation_guard) if abbreviation_guard is not None else None
        root = build_package(model_dir, packages_dir, name, version, inputs, guard, sentences)
    except (ValueError, RuntimeError) as err:
        fail(str(err))
    msg.good(f"Built {root.name}: {built_wheel(root).name} and its sdist in {root / 'dist'}")


if __name__ == "__main__":
    app()
