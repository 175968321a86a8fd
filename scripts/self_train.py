"""Self-training rounds: the best student so far labels the distilled training texts, its confident
spans join the teachers' labels (clin_distill.student.self_training), and a new student continues from
it; rounds go on while the dev score rises (clin_distill.student.self_rounds)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.student.self_rounds import SelfTrainingPlan, self_train
from clin_distill.student.self_training import SelfTrainingRule


def main(
    config_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Student config (.cfg)")],
    first: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="The first student (model-best)")
    ],
    taught: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="corpus/distilled/train.spacy")],
    dev: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Gold dev DocBin (selection)")],
    output_dir: Annotated[Path, typer.Argument(file_okay=False, help="Gets round-<k>/ and model-best/")],
    summary: Annotated[Path, typer.Option(dir_okay=False, help="JSON summary of the rounds")],
    rounds: Annotated[int, typer.Option(min=1, help="vars.self_rounds: most rounds")],
    max_steps: Annotated[int, typer.Option(min=0, help="vars.self_max_steps: steps per round")],
    eval_frequency: Annotated[int, typer.Option(min=1, help="vars.eval_frequency: steps between dev scores")],
    threshold: Annotated[float, typer.Option(help="Confidence for a student span to join")] = 0.9,
    floor: Annotated[float, typer.Option(help="Confidence below which a student span is ignored")] = 0.5,
    beam_width: Annotated[int, typer.Option(help="Parses per doc for the span confidences")] = 8,
    gpu_id: Annotated[int, typer.Option(help="GPU id, -1 for CPU")] = -1,
    seed: Annotated[int, typer.Option(help="Random seed")] = 13,
) -> None:
    """Self-training rounds: the best student so far labels the distilled training texts, its confident
    spans join the teachers' labels, and a new student continues from it while the dev score rises."""
    try:
        plan = SelfTrainingPlan(first, taught, dev, SelfTrainingRule(threshold, floor, beam_width), rounds)
        result = self_train(
            plan, config_path, output_dir, backbone="", max_steps=max_steps, eval_frequency=eval_frequency,
            gpu_id=gpu_id, seed=seed,
        )  # fmt: skip
    except (ValueError, RuntimeError) as err:
        fail(str(err))
    result.write(summary)
    rows = [(r.round, r.docs, f"{r.dev_score:.3f}", "yes" if r.kept else "no") for r in result.rounds]
    msg.table(rows, header=["round", "docs", "dev macro F", "better"], divider=True)
    first = f"{result.first_dev_score:.3f}"
    msg.good(f"Self-training: {len(result.rounds)} round(s) from dev {first}; chosen {result.chosen}")


if __name__ == "__main__":
    typer.run(main)
