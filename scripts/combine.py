"""Combine teacher labels: score every teacher subset on gold dev, write the distilled train corpus."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import choices, comma_list, fail
from clin_distill.combine import STRATEGIES, run_combine
from clin_distill.combine.apply import ON_FAILURE
from clin_distill.combine.subsets import TABLE_HEADER
from clin_distill.combine.uncertain import MODES

Strategy = choices("Strategy", STRATEGIES)
OnFailure = choices("OnFailure", ON_FAILURE)
Uncertain = choices("Uncertain", MODES)


def main(
    teachers_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/teachers")],
    gold_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/<dataset>")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="Where train.spacy is written")],
    metrics_dir: Annotated[Path, typer.Argument(file_okay=False, help="Where the tables and export go")],
    dataset: Annotated[str, typer.Option(help="Dataset folder name under each teacher")],
    teachers: Annotated[str, typer.Option(help="Comma-separated teacher names (empty items ignored)")],
    strategy: Annotated[
        Strategy, typer.Option(help="The combination (best: chosen per label on dev)")
    ] = Strategy.best,
    disagreements: Annotated[int, typer.Option(min=0, help="Docs to export for review")] = 50,
    min_votes: Annotated[int, typer.Option(min=0, help="k for --strategy vote (0: strict majority)")] = 0,
    on_failure: Annotated[
        OnFailure, typer.Option(help="Failed docs: excluded, or the teacher abstains")
    ] = OnFailure.exclude,
    uncertain: Annotated[
        Uncertain,
        typer.Option(
            help="Missing values instead of O or entities: off, dropped (proposals the combination did "
            "not keep) or disputed (those, and kept spans the plan's teachers disagree on)"
        ),
    ] = Uncertain.off,
    unknown: Annotated[
        str,
        typer.Option(
            help="Candidate sources (chunks, heads, fuzzy; comma-separated, empty: none) whose phrases no "
            "teacher labels become missing values"
        ),
    ] = "",
    candidates: Annotated[
        Path | None, typer.Option(file_okay=False, help="corpus/candidates (the candidates step)")
    ] = None,
) -> None:
    """Combine teacher labels: score every teacher subset on gold dev, write the distilled train corpus."""
    try:
        report = run_combine(
            teachers_dir,
            gold_dir,
            out_dir,
            metrics_dir,
            dataset,
            comma_list(teachers),
            strategy=strategy.value,
            n_disagreements=disagreements,
            min_votes=min_votes,
            on_failure=on_failure.value,
            uncertain=uncertain.value,
            unknown=comma_list(unknown),
            candidates_dir=candidates,
        )
    except (FileNotFoundError, ValueError) as err:
        fail(str(err))
    for teacher, why in report.choice.teachers_dropped.items():
        msg.warn(f"teacher {teacher!r} left out: {why}")
    msg.table(report.table, header=TABLE_HEADER, divider=True)
    for label, why in report.choice.labels_dropped.items():
        msg.warn(f"label {label} dropped from the distilled corpus: {why}")
    train = report.choice.train
    msg.good(
        f"{strategy.value}: {train.written} of {train.docs} train docs written to {out_dir / 'train.spacy'} "
        f"({train.excluded.count} excluded, {sum(train.spans.values())} spans); "
        f"{report.choice.disagreements.exported} docs for review; tables in {metrics_dir}"
    )


if __name__ == "__main__":
    typer.run(main)
