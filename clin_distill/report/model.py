"""Report content independent of its output format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    """A table: header, rows of text cells, optional title."""

    header: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass
class Image:
    """A PNG plot, inlined in HTML and written beside the Markdown."""

    png: bytes
    name: str  # file stem for the Markdown copy
    alt: str


@dataclass
class Note:
    """A paragraph; ``warn`` marks it as a warning."""

    text: str
    warn: bool = False


@dataclass
class RawHtml:
    """HTML for the HTML report only; ``markdown`` stands in for it in report.md."""

    html: str
    markdown: str


Block = Table | Image | Note | RawHtml


@dataclass
class Section:
    """A titled section of blocks."""

    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    """The whole report: a title and its sections."""

    title: str
    sections: list[Section] = field(default_factory=list)
