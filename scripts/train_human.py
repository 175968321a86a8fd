"""Train the human-label references: one specialist per gold corpus, on its gold train split alone,
predicting only the labels it annotates and selected on its dev split (the paper's setting)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import comma_list, fail
from clin_distill.student.specialists import train_specialists


def main(
    config_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Student config (.cfg)")],
    gold_root: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/gold")],
    output_dir: Annotated[Path, typer.Argument(file_okay=False, help="Gets <corpus>/model-best per corpus")],
    datasets: Annotated[str, typer.Option(help="Comma-separated gold corpora (vars.datasets)")],
    max_steps: Annotated[int, typer.Option(min=0, help="Training steps per specialist")],
    eval_frequency: Annotated[int, typer.Option(min=1, help="Steps between dev evaluations")],
    backbone: Annotated[
        str, typer.Option(help="vars.backbone: a Hugging Face name, auto, or a local folder")
    ],
    gpu_id: Annotated[int, typer.Option(help="GPU id, -1 for CPU")] = -1,
    seed: Annotated[int, typer.Option(help="Random seed")] = 13,
) -> None:
    """Train the human-label references: one specialist per gold corpus, on its gold train split alone,
    predicting only the labels it annotates and selected on its dev split (the paper's setting)."""
    names = comma_list(datasets)
    if not names:
        fail("--datasets names no gold corpus")
    try:
        result = train_specialists(
            config_path,
            gold_root,
            output_dir,
            names,
            backbone=backbone,
            max_steps=max_steps,
            eval_frequency=eval_frequency,
            gpu_id=gpu_id,
            seed=seed,
        )
    except (ValueError, RuntimeError) as err:
        fail(str(err))
    for corpus, spec in result.specialists.items():
        msg.good(f"{corpus}: {', '.join(spec.labels)} on {spec.train_docs} train docs → {spec.model}")


if __name__ == "__main__":
    typer.run(main)
