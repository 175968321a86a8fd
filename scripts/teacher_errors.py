"""What each teacher misses and gets wrong on the pool's gold train/dev splits, by kind (never test)."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import comma_list, fail
from clin_distill.docio import read_docbin
from clin_distill.stepfiles.teacher_errors import TeacherErrors
from clin_distill.teachers.error_analysis import (
    check_split,
    corpus_errors,
    errors_markdown,
    public_corpus_reports,
)


def main(
    teachers_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/teachers")],
    pool_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/pool")],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="metrics/teacher_errors.json")],
    markdown: Annotated[Path, typer.Option(dir_okay=False, help="The same as Markdown tables")],
    teachers: Annotated[str, typer.Option(help="Comma-separated teacher names")],
    splits: Annotated[str, typer.Option(help="Comma-separated splits (train and/or dev)")] = "dev",
    top: Annotated[int, typer.Option(min=1, help="Texts kept per outcome and label")] = 25,
) -> None:
    """What each teacher misses and gets wrong on the pool's gold train/dev splits, by kind (never
    test); public gold corpora only, since the rows hold span texts."""
    names, split_names = comma_list(teachers), comma_list(splits)
    try:
        for split in split_names:
            check_split(split)
        if not names:
            raise ValueError("--teachers names no teacher")
        found: dict[str, list] = {}
        for name in names:
            found[name] = []
            for split in split_names:
                predicted = teachers_dir / name / "pool" / f"{split}.spacy"
                if not predicted.is_file():
                    raise ValueError(f"{predicted} is missing: run the {name} teacher first")
                reports = public_corpus_reports(
                    read_docbin(predicted), read_docbin(pool_dir / f"{split}.spacy"), split
                )
                found[name] += [corpus_errors(rep, top) for rep in reports]
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))
    errors = TeacherErrors(splits=split_names, top=top, teachers=found)
    errors.write(output)
    markdown.write_text(errors_markdown(errors), encoding="utf8")
    for name, reports in found.items():
        cells = ", ".join(
            f"{r.corpus} {r.split} {label} {r.scores.prf('strict', label).f:.3f}"
            for r in reports
            for label in r.labels
        )
        msg.good(f"{name}: {cells}")
    msg.info(f"errors by kind → {output}, {markdown}")


if __name__ == "__main__":
    typer.run(main)
