"""Turn unlabeled notes (folder of .txt, JSONL {"id","text"} or CSV with a text column) into a DocBin."""

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.corpora.notes import notes_to_docs
from clin_distill.corpora.reading import CorpusError
from clin_distill.docio import write_docbin
from clin_distill.runtime.tokenizer import clinical_blank


def main(
    notes: Annotated[Path, typer.Argument(exists=True, help="Folder of .txt, or a .jsonl / .csv file")],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="Output .spacy file")],
    id_column: Annotated[str | None, typer.Option(help="Id field (default: id or note_id)")] = None,
    text_column: Annotated[str | None, typer.Option(help="Text field (default: text or note_text)")] = None,
) -> None:
    """Turn unlabeled notes (folder of .txt, JSONL {"id","text"} or CSV with a text column) into a DocBin."""
    try:
        docs, report = notes_to_docs(clinical_blank(), notes, id_column, text_column)
    except CorpusError as err:
        fail(str(err))
    n = write_docbin(output, docs)
    for notice in report.notices:
        msg.warn(notice)
    msg.good(f"Wrote {n} notes to {output} (skipped: {dict(report.skipped) or 'none'})")


if __name__ == "__main__":
    typer.run(main)
