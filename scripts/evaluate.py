"""Score trained pipelines and teachers on a gold corpus: strict/lenient P/R/F with bootstrap
CIs and an error breakdown, written to <out_dir>/<system>/<corpus>.json (+ .spans.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import srsly
import typer
from wasabi import msg

from clin_distill.cli import comma_list, fail
from clin_distill.docio import read_docbin, write_json
from clin_distill.labels import LABELS
from clin_distill.markdown import markdown_table
from clin_distill.metrics.bootstrap import N_RESAMPLES, SEED, BootstrapSpec
from clin_distill.metrics.compare import MODES, comparison_table, corpus_label_table
from clin_distill.metrics.evaluate import scored_labels
from clin_distill.metrics.systems import (
    PredictionError,
    parse_named,
    predict_with_model,
    predict_with_specialists,
    read_predictions,
    read_teacher,
    spans_by_doc,
    system_metrics,
)
from clin_distill.stepfiles.base import FileFormatError
from clin_distill.stepfiles.specialists import Specialists

app = typer.Typer(add_completion=False)


@app.command()
def main(
    gold_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Gold DocBin with doc ids")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="Metrics folder")],
    corpus: Annotated[str, typer.Option(help="Corpus name (file stem of the outputs)")],
    model: Annotated[list[str] | None, typer.Option(help="NAME=PATH_OR_PACKAGE, repeatable")] = None,
    teachers_dir: Annotated[Path | None, typer.Option(file_okay=False, help="corpus/teachers")] = None,
    teachers: Annotated[str, typer.Option(help="Comma-separated teacher names")] = "",
    predictions: Annotated[
        list[str] | None, typer.Option(help="NAME=FOLDER of <split>.spacy + failures.json, repeatable")
    ] = None,
    abbreviation_guard: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, help="Guard table (build-open-vocab) run after each model's NER"
        ),
    ] = None,
    specialists: Annotated[
        list[str] | None,
        typer.Option(help="NAME=FOLDER holding specialists.json: each doc by its corpus's specialist"),
    ] = None,
    split: Annotated[str, typer.Option(help="Teacher split to read")] = "test",
    labels: Annotated[str, typer.Option(help="Labels to score (default: those the gold annotates)")] = "",
    n_resamples: Annotated[int, typer.Option(min=1, help="Bootstrap resamples")] = N_RESAMPLES,
    seed: Annotated[int, typer.Option(help="Bootstrap seed")] = SEED,
) -> None:
    """Score trained pipelines and teachers on a gold corpus: strict/lenient P/R/F with bootstrap CIs and an
    error breakdown, written to <out_dir>/<system>/<corpus>.json (+ .spans.json)."""
    gold = read_docbin(gold_path)
    label_list = comma_list(labels) or scored_labels(gold, LABELS)
    if not label_list:
        fail(f"{gold_path}: no gold spans with labels {', '.join(LABELS)}")
    spec = BootstrapSpec(n_resamples=n_resamples, seed=seed)
    teacher_names = comma_list(teachers)
    if teacher_names and teachers_dir is None:
        fail("--teachers needs --teachers-dir")
    try:
        models = parse_named(model or [])
        guard = srsly.read_json(abbreviation_guard) if abbreviation_guard is not None else None
        systems = [predict_with_model(name, target, gold, guard=guard) for name, target in models.items()]
        for teacher in teacher_names:
            metrics = out_dir / "teachers" / f"{teacher}.json"  # written by the teach steps
            systems.append(read_teacher(teachers_dir, teacher, corpus, split, metrics))
        for name, folder in parse_named(predictions or []).items():
            systems.append(read_predictions(name, Path(folder), split, "combination"))
        for name, folder in parse_named(specialists or []).items():
            found = Specialists.read(Path(folder) / "specialists.json")
            systems.append(predict_with_specialists(name, found, gold, guard))
    except (PredictionError, FileFormatError, KeyError) as err:
        fail(str(err).strip("'\""))
    if not systems:
        fail("nothing to evaluate: give --model and/or --teachers")

    results = []
    for pred in systems:
        result = system_metrics(pred, gold, corpus, label_list, spec)
        result.write(out_dir / pred.name / f"{corpus}.json")
        write_json(out_dir / pred.name / f"{corpus}.spans.json", spans_by_doc(pred.docs, label_list))
        if result.missing:
            msg.warn(f"{pred.name}: {result.missing} gold docs have no prediction and no failure record")
        results.append(result.to_json())

    tables = []
    for title, (header, rows) in [
        (f"{corpus} {split}: F1 per label", comparison_table(results)),
        *(
            (f"{corpus} {split}: {mode} F1 per corpus and label", corpus_label_table(results, mode))
            for mode in MODES
        ),
    ]:
        msg.table(rows, header=header, divider=True, title=title)
        tables += [f"## {title}", "", markdown_table(header, rows)]
    (out_dir / f"evaluate.{corpus}.md").write_text("\n".join(tables), encoding="utf8")
    best = max(results, key=lambda r: r["strict"]["micro"]["f"])
    msg.good(
        f"Evaluated {len(results)} systems on {len(gold)} {corpus} docs ({', '.join(label_list)}); "
        f"best strict micro F1 {best['strict']['micro']['f']:.3f} ({best['system']}) → {out_dir}"
    )


if __name__ == "__main__":
    app()
