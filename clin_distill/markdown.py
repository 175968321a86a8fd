"""Markdown tables, written one way everywhere (wasabi's renderer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from wasabi import MarkdownRenderer


def markdown_table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    aligns: Sequence[Literal["r", "c", "l"]] | None = None,
) -> str:
    """A Markdown table of ``rows`` under ``header`` (cells are ``str()``-ed); ends with a newline."""
    renderer = MarkdownRenderer()
    renderer.add(renderer.table([[str(cell) for cell in row] for row in rows], list(header), aligns))
    return renderer.text + "\n"
