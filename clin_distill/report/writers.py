"""Write a :class:`~clin_distill.report.model.Report` as self-contained HTML or as Markdown."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ..docio import atomic_path
from ..markdown import markdown_table
from .model import Image, Note, RawHtml, Report, Table

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1320px; color: #222; background: #fff; }
h1 { border-bottom: 3px solid #219ebc; padding-bottom: .3em; }
h2 { margin-top: 1.8em; color: #023047; }
table { border-collapse: collapse; margin: .8em 0; font-size: 13px; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
td:first-child { white-space: nowrap; }
div.scroll { overflow-x: auto; }
th { background: #e9f5fb; }
tr:nth-child(even) td { background: #f7f7f7; }
p.note { color: #444; font-size: 13px; max-width: 1100px; }
p.warn { background: #fff3cd; border-left: 4px solid #ffb703; padding: .4em .8em; }
img.plot { max-width: 100%; border: 1px solid #eee; }
.example { border: 1px solid #ddd; padding: .5em 1em; margin: 1em 0; }
"""


def _html_table(table: Table) -> str:
    caption = f"<caption>{html.escape(table.title)}</caption>" if table.title else ""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in table.rows
    )
    table_html = f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{table_html}</div>'


def to_html(report: Report) -> str:
    """The report as one self-contained HTML page (inline CSS, base64 images)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(report.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(report.title)}</h1>",
    ]
    for section in report.sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
                parts.append(_html_table(block))
            elif isinstance(block, Image):
                data = base64.b64encode(block.png).decode("ascii")
                parts.append(
                    f'<img class="plot" alt="{html.escape(block.alt)}" src="data:image/png;base64,{data}">'
                )
            elif isinstance(block, Note):
                parts.append(f'<p class="note{" warn" if block.warn else ""}">{html.escape(block.text)}</p>')
            elif isinstance(block, RawHtml):
                parts.append(f'<div class="example">{block.html}</div>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report, image_links: dict[str, str]) -> str:
    """The report as Markdown, images linked by ``image_links`` (name → file)."""
    lines = [f"# {report.title}", ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                if block.title:
                    lines += [f"**{_md_cell(block.title)}**", ""]
                lines.append(
                    markdown_table(
                        [_md_cell(h) for h in block.header],
                        ([_md_cell(c) for c in row] for row in block.rows),
                    )
                )
            elif isinstance(block, Image):
                lines.append(f"![{block.alt}]({image_links[block.name]})")
            elif isinstance(block, Note):
                lines.append(f"> **Note:** {block.text}" if block.warn else f"_{block.text}_")
            elif isinstance(block, RawHtml):
                lines.append(block.markdown)
            lines.append("")
    return "\n".join(lines)


def write_html(report: Report, path: Path) -> None:
    """Write the HTML report to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(to_html(report), encoding="utf8")


def write_markdown(report: Report, path: Path) -> list[Path]:
    """Write report.md and its images (``<stem>.png`` beside it); returns the image paths."""
    images = [b for s in report.sections for b in s.blocks if isinstance(b, Image)]
    links, written = {}, []
    for image in images:
        png = path.parent / f"{image.name}.png"
        with atomic_path(png) as tmp:
            tmp.write_bytes(image.png)
        links[image.name] = png.name
        written.append(png)
    with atomic_path(path) as tmp:
        tmp.write_text(to_markdown(report, links), encoding="utf8")
    return written
