"""The command-line options the local-llm scripts share (typer ``Annotated`` types): the teacher
config, its few-shot examples and the local server's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .session import SERVER_ENV

TeacherConfig = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="configs/teachers/local-llm.cfg")
]
Examples = Annotated[
    Path, typer.Option("--examples", exists=True, dir_okay=False, help="Few-shot YAML (pick_fewshot.py)")
]
ServerLog = Annotated[Path, typer.Option("--log", dir_okay=False, help="Server log (mode 0600)")]
Threads = Annotated[int, typer.Option("--threads", min=0, help="llama.cpp threads (0 = all cores)")]
ContextSize = Annotated[int, typer.Option("--n-ctx", min=256, help="llama.cpp context size")]
ServerCommand = Annotated[
    str,
    typer.Option(
        "--server-command",
        envvar=SERVER_ENV,
        help="Run this OpenAI-compatible server instead of llama.cpp ({port} placeholder required)",
    ),
]
