"""Helpers shared by the thin script CLIs."""

from __future__ import annotations

from enum import StrEnum
from typing import NoReturn

import typer


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``✘ message`` as one line on stderr and exit with ``code``.

    ``wasabi.msg.fail`` wraps titles at 80 columns, which splits a ``file:line (doc id)``
    error over lines; these errors must stay one greppable line.
    """
    typer.secho(f"✘ {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})


def flag(value: str, option: str) -> bool:
    """A true/false command-line value (weasel passes vars as text); anything else fails clearly."""
    if value.lower() not in TRUE | FALSE:
        fail(f"{option} takes true or false, not {value!r}")
    return value.lower() in TRUE


class Switch(StrEnum):
    """A true/false command-line value as typer's own choice (weasel passes vars as text)."""

    true = "true"
    false = "false"

    def __bool__(self) -> bool:
        return self is Switch.true


def comma_list(value: str) -> list[str]:
    """A comma-separated var (weasel passes lists as text): items stripped, empty ones dropped,
    duplicates removed, order kept (``"a,b,,a"`` → ``["a", "b"]``)."""
    return list(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))
