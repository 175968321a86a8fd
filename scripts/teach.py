"""Label a gold corpus with an ontology teacher pipeline and score it on dev/test."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.teachers.pipeline import assemble_teacher, quickumls_overrides
from clin_distill.teachers.run import teach_corpus


def main(
    config: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Teacher config (.cfg)")],
    corpus_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Gold corpus/<dataset>")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="Output corpus/teachers/<name>/<dataset>")],
    name: Annotated[str, typer.Option(help="Teacher name (the teacher is saved to <teachers-dir>/<name>)")],
    metrics: Annotated[Path, typer.Option(dir_okay=False, help="Metrics JSON to write")],
    quickumls_path: Annotated[
        str, typer.Option(help="QuickUMLS index folder (empty: medspacy's sample)")
    ] = "",
    quickumls_threshold: Annotated[float | None, typer.Option(help="QuickUMLS similarity threshold")] = None,
    teachers_dir: Annotated[Path, typer.Option(help="Where the assembled teacher is saved")] = Path(
        "training/teachers"
    ),
    patterns: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Patterns, not the config's")
    ] = None,
) -> None:
    """Label a gold corpus with an ontology teacher pipeline and score it on dev/test."""
    overrides = quickumls_overrides(config, quickumls_path, quickumls_threshold)
    if patterns is not None:
        overrides["paths.patterns"] = str(patterns)
    nlp = assemble_teacher(config, overrides)
    (teachers_dir / name).parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(teachers_dir / name)
    result = teach_corpus(nlp, corpus_dir, out_dir, name, metrics)
    scored = result.scores.get("test") or result.scores.get("dev")
    micro = f"strict micro F {scored.prf('strict', 'micro').f:.3f}" if scored else "no gold dev/test"
    splits = ", ".join(
        f"{s}: {v.labelled}/{v.docs} ({v.docs_per_s} docs/s)" for s, v in result.splits.items()
    )
    failures = {s: v.failed for s, v in result.splits.items()}
    msg.good(f"{name}: {splits}; failures {failures}; {micro} → {out_dir}, {metrics}")


if __name__ == "__main__":
    typer.run(main)
