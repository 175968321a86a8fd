"""Report content independent of its output format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    title: str = ""


@dataclass
class Image:
    png: bytes
    name: str  # file stem for the Markdown copy
    alt: str


@dataclass
class Note:
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
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    sections: list[Section] = field(default_factory=list)
