"""Speed side by side in one run on the same notes and CPU: the local-llm teacher (llama.cpp server,
uncached) vs the distilled student. Writes metrics/local_llm_speed.json and prints a table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.docio import read_docbin
from clin_distill.local_llm import options
from clin_distill.local_llm.server import ServerError
from clin_distill.local_llm.session import load_local_teacher, local_server_url
from clin_distill.local_llm.speed import speed_side_by_side

app = typer.Typer(add_completion=False)


@app.command()
def main(
    config: options.TeacherConfig,
    notes: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="corpus/<dataset>/test.spacy")],
    student: Annotated[Path, typer.Argument(help="training/distilled/model-best (reported if missing)")],
    output: Annotated[Path, typer.Argument(dir_okay=False, help="metrics/local_llm_speed.json")],
    examples: options.Examples,
    max_docs: Annotated[int, typer.Option("--max-docs", min=1, help="First N notes")] = 10,
    log: options.ServerLog = Path("training/local_llm/bench_server.log"),
    threads: options.Threads = 0,
    n_ctx: options.ContextSize = 2048,
    server_command: options.ServerCommand = "",
) -> None:
    """Speed side by side in one run on the same notes and CPU: the local-llm teacher (llama.cpp server,
    uncached) vs the distilled student. Writes metrics/local_llm_speed.json and prints a table."""
    docs = read_docbin(notes)[:max_docs]
    teacher = None
    try:
        try:
            with local_server_url(
                log, server_command=server_command, n_ctx=n_ctx, n_threads=threads or os.cpu_count()
            ) as (url, server):
                teacher = load_local_teacher(config, url, examples)
                result = speed_side_by_side(teacher, student, docs, notes, server)
        finally:
            if teacher is not None:  # after the server stopped: requests still in flight fail at once
                teacher.close()
    except (ServerError, FileNotFoundError, ValueError, RuntimeError) as err:
        fail(str(err))
    result.write(output)
    t, s = result.teacher, result.student
    rows = [(f"teacher {t.name} ({t.model})", t.notes, t.wall_s, t.notes_per_s, t.s_per_note)]
    if s.timed is not None:
        rows.append(
            (f"student {student}", s.timed.notes, s.timed.wall_s, s.timed.notes_per_s, s.timed.s_per_note)
        )
    msg.table(rows, header=("model", "notes", "wall s", "notes/s", "s/note"), divider=True)
    if result.student_speedup is None:
        msg.warn(f"student not timed: {s.reason or 'no result'}")
    msg.good(
        f"{len(docs)} notes: teacher {t.s_per_note} s/note ({t.failed} failed); "
        f"student speed-up {result.student_speedup or 'n/a'}x -> {output}"
    )


if __name__ == "__main__":
    app()
