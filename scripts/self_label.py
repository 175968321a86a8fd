"""Self-training data: the distilled student labels its own training texts; its confident spans join
the teachers' combined labels (clin_distill.student.self_training) in a new training corpus."""

from pathlib import Path
from typing import Annotated

import spacy
import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.docio import read_docbin, write_docbin
from clin_distill.files.self_training import RuleSettings, SelfTraining
from clin_distill.student.self_training import SelfTrainingRule, self_label


def main(
    model: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="The first student (model-best)")
    ],
    train_path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="corpus/distilled/train.spacy")
    ],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="The self-training corpus to write")],
    summary: Annotated[Path, typer.Option(dir_okay=False, help="JSON summary of what the rule did")],
    threshold: Annotated[float, typer.Option(help="Confidence for a student span to join")] = 0.9,
    floor: Annotated[float, typer.Option(help="Confidence below which a student span is ignored")] = 0.5,
    beam_width: Annotated[int, typer.Option(help="Parses per doc for the span confidences")] = 8,
) -> None:
    """Self-training data: the distilled student labels its own training texts; its confident spans join the
    teachers' combined labels (clin_distill.student.self_training) in a new training corpus."""
    try:
        rule = SelfTrainingRule(threshold, floor, beam_width)
    except ValueError as err:
        fail(str(err))
    nlp = spacy.load(model)
    docs = read_docbin(train_path, nlp.vocab)
    merged, counts = self_label(nlp, docs, rule)
    n = write_docbin(output, merged)
    SelfTraining(
        model=str(model), docs=n, rule=RuleSettings(**vars(rule)), counts=dict(sorted(counts.items()))
    ).write(summary)
    msg.table(sorted(counts.items()), header=["what", "count"], divider=True)
    msg.good(f"Self-training corpus: {n} docs → {output}")


if __name__ == "__main__":
    typer.run(main)
