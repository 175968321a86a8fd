"""List what a teacher misses and gets wrong on gold train/dev splits, by kind (never test)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import comma_list, fail
from clin_distill.docio import read_docbin, write_json
from clin_distill.teachers.error_analysis import SCORE_HEADER, analyse, check_split, score_rows
from clin_distill.teachers.pipeline import assemble_teacher
from clin_distill.teachers.run import label_docs


def main(
    config: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Teacher config (.cfg)")],
    corpora: Annotated[
        list[Path], typer.Argument(exists=True, file_okay=False, help="Gold corpus/<dataset> dirs")
    ],
    splits: Annotated[str, typer.Option(help="Comma-separated splits (train and/or dev)")] = "train,dev",
    top: Annotated[int, typer.Option(help="Errors listed per outcome and label (0: scores only)")] = 25,
    overrides: Annotated[
        str, typer.Option(help='Config overrides as JSON, e.g. {"paths.patterns": "x"}')
    ] = "{}",
    output: Annotated[
        Path | None, typer.Option(dir_okay=False, help="JSON file for scores and errors")
    ] = None,
) -> None:
    """List what a teacher misses and gets wrong on gold train/dev splits, by kind (never test)."""
    split_list = comma_list(splits)
    try:
        for split in split_list:
            check_split(split)
        nlp = assemble_teacher(config, json.loads(overrides))
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))
    reports = []
    for corpus in corpora:
        for split in split_list:
            path = corpus / f"{split}.spacy"
            if not path.is_file():
                msg.warn(f"{path}: missing, skipped")
                continue
            gold = read_docbin(path, nlp.vocab)
            run = label_docs(nlp, gold, desc=f"{corpus.name} {split}")
            reports.append(analyse(run.docs, gold, corpus.name, split))
            msg.info(
                f"{corpus.name} {split}: {len(gold)} docs, {run.seconds:.1f} s ({run.docs_per_s:.1f} docs/s)"
            )
    msg.table(score_rows(reports), header=SCORE_HEADER, divider=True)
    for rep in reports if top else []:
        for label in rep.labels:
            for outcome in ("missed", "spurious", "boundary", "confusion"):
                rows = [(kind, text, n) for (_, _, kind, text), n in rep.top(outcome, label, top)]
                if rows:
                    msg.divider(f"{rep.corpus} {rep.split} {label} {outcome}", char="-")
                    kinds = {k[2]: v for k, v in rep.by_kind().items() if k[:2] == (outcome, label)}
                    msg.text(", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
                    msg.table(rows, header=["kind", "text", "n"])
    if output:
        write_json(
            output,
            [
                {
                    "corpus": r.corpus,
                    "split": r.split,
                    "labels": r.labels,
                    "scores": r.scores.model_dump(),
                    "errors": [[*k, v] for k, v in r.errors.most_common()],
                }
                for r in reports
            ],
        )
        msg.good(f"scores and errors → {output}")


if __name__ == "__main__":
    typer.run(main)
