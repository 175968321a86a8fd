"""Helpers shared by the thin script CLIs."""

from __future__ import annotations

from collections.abc import Iterable
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


class Switch(StrEnum):
    """A true/false command-line value as typer's own choice (weasel passes vars as text).

    Use it with ``typer.Option(case_sensitive=False)``: weasel writes YAML booleans as ``True`` and
    ``False``, and typer rejects anything else with its own error.
    """

    true = "true"
    false = "false"

    def __bool__(self) -> bool:
        return self is Switch.true


def comma_list(value: str) -> list[str]:
    """A comma-separated var (weasel passes lists as text): items stripped, empty ones dropped,
    duplicates removed, order kept (``"a,b,,a"`` → ``["a", "b"]``)."""
    return list(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))


def choices(name: str, values: Iterable[str]) -> type[StrEnum]:
    """A typer choice type whose members are ``values`` (each named and valued as itself), so that a
    command line's choices keep their one home in the library's constant tuple."""
    return StrEnum(name, {value: value for value in values})
