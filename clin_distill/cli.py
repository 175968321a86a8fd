"""Helpers shared by the thin script CLIs."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``✘ message`` as one line on stderr and exit with ``code``.

    ``wasabi.msg.fail`` wraps titles at 80 columns, which splits a ``file:line (doc id)``
    error over lines; these errors must stay one greppable line.
    """
    typer.secho(f"✘ {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)
