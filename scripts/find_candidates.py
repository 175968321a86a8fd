"""Unknown-phrase candidates for the distilled corpus: noun phrases (a pinned parser), phrases ending in
a vocabulary head word, and approximate QuickUMLS matches below the teacher's threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.candidates.phrases import ParserCheckError
from clin_distill.candidates.run import CandidateSettings, find_candidates
from clin_distill.cli import comma_list, fail


def main(
    pool_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="corpus/pool")],
    out_dir: Annotated[Path, typer.Argument(file_okay=False, help="corpus/candidates")],
    summary: Annotated[Path, typer.Option(dir_okay=False, help="JSON counts per source and split")],
    sources: Annotated[
        str, typer.Option(help="Comma-separated: chunks, heads, fuzzy")
    ] = "chunks,heads,fuzzy",
    patterns: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Vocabulary patterns (head words)")
    ] = None,
    min_head_terms: Annotated[int, typer.Option(min=1, help="Multi-word terms a head word must end")] = 60,
    quickumls_config: Annotated[
        Path | None, typer.Option(dir_okay=False, help="The QuickUMLS teacher config (fuzzy)")
    ] = None,
    quickumls_path: Annotated[
        str, typer.Option(help="QuickUMLS index folder (empty: medspacy's sample)")
    ] = "",
    fuzzy_threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Similarity of a fuzzy match")
    ] = 0.7,
) -> None:
    """Unknown-phrase candidates for the distilled corpus: noun phrases (a pinned parser), phrases ending in
    a vocabulary head word, and approximate QuickUMLS matches below the teacher's threshold."""
    try:
        settings = CandidateSettings(
            tuple(comma_list(sources)),
            patterns,
            min_head_terms,
            quickumls_config,
            quickumls_path,
            fuzzy_threshold,
        )
        result = find_candidates(pool_dir, out_dir, settings)
    except (ValueError, FileNotFoundError, ParserCheckError) as err:
        fail(str(err))
    result.write(summary)
    rows = [
        (split, source, c.docs, c.spans, c.tokens)
        for split, by in result.splits.items()
        for source, c in by.items()
    ]
    msg.table(rows, header=["split", "source", "docs", "spans", "tokens"], divider=True)
    msg.good(f"Candidates of {', '.join(result.sources)} → {out_dir}")


if __name__ == "__main__":
    typer.run(main)
