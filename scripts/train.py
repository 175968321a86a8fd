"""Train a student NER pipeline from configs/student_*.cfg on a DocBin corpus, selecting on gold dev.

Resolves the backbone (a Hugging Face name, `auto` or a local folder), runs spaCy training in-process
(SPACY_CONFIG_OVERRIDES is honoured) and records the backbone and corpora in model-best/meta.json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.student.training import train_student

app = typer.Typer(add_completion=False)


@app.command()
def main(
    config_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Student config (.cfg)")],
    train_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Training DocBin")],
    dev_path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Gold dev DocBin (selection)")
    ],
    output_dir: Annotated[Path, typer.Argument(file_okay=False, help="Gets model-best/ and model-last/")],
    backbone: Annotated[
        str, typer.Option(help="vars.backbone: a Hugging Face name, auto, or a local folder")
    ],
    max_steps: Annotated[int, typer.Option(min=0, help="vars.max_steps: training steps (0: epochs only)")],
    eval_frequency: Annotated[int, typer.Option(min=1, help="vars.eval_frequency: steps between dev scores")],
    gpu_id: Annotated[int, typer.Option(help="GPU id, -1 for CPU")] = -1,
    seed: Annotated[int, typer.Option(help="Random seed")] = 13,
    negative_max_len: Annotated[
        int, typer.Option(min=0, help="Known-incorrect spans up to N tokens on partially annotated gold docs")
    ] = 0,
    init_from: Annotated[
        Path | None,
        typer.Option(exists=True, file_okay=False, help="Trained student to start from (self-training)"),
    ] = None,
    learn_rate: Annotated[
        float | None, typer.Option(min=0.0, help="(Initial) learning rate; default: the config's")
    ] = None,
) -> None:
    """Train a student NER pipeline from configs/student_*.cfg on a DocBin corpus, selecting on gold dev."""
    try:
        record = train_student(
            config_path,
            train_path,
            dev_path,
            output_dir,
            backbone,
            max_steps,
            eval_frequency,
            gpu_id,
            seed,
            negative_max_len,
            init_from,
            learn_rate,
        )
    except (ValueError, RuntimeError) as err:
        fail(str(err))
    msg.good(
        f"Trained {output_dir}/model-best on {record['training_corpus']['docs']} docs "
        f"with backbone {record['backbone']['resolved']} ({record['backbone']['reason']})"
    )


if __name__ == "__main__":
    app()
