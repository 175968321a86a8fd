"""Render report.html headless with Debian's Chromium to a PNG screenshot (1400×3000)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.cli import fail
from clin_distill.report.browser import WINDOW, BrowserError, render

app = typer.Typer(add_completion=False)


@app.command()
def main(
    html_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="report.html")],
    png_path: Annotated[Path, typer.Argument(dir_okay=False, help="Screenshot to write")],
    width: Annotated[int, typer.Option(min=200)] = WINDOW[0],
    height: Annotated[int, typer.Option(min=200)] = WINDOW[1],
    dom: Annotated[Path | None, typer.Option(dir_okay=False, help="Also write the rendered DOM here")] = None,
) -> None:
    """Render report.html headless with Debian's Chromium to a PNG screenshot (1400×3000)."""
    try:
        rendered = render(html_path, png_path, (width, height))
        if dom is not None:
            dom.write_text(rendered, encoding="utf8")
    except BrowserError as err:
        fail(str(err))
    msg.good(f"Rendered {html_path} → {png_path} ({width}×{height})")


if __name__ == "__main__":
    app()
