"""Render an HTML file headless with Debian's Chromium: a PNG screenshot or the serialised DOM.

Install on Debian/Ubuntu: ``apt-get install -y chromium``. Networking, sync and component
updates are switched off and a throwaway profile is used, so rendering is local only.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
WINDOW = (1400, 3000)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


class BrowserError(RuntimeError):
    """Chromium is missing or failed."""


def find_chromium() -> str | None:
    """The first Chromium or Chrome on PATH, or None."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(html_path: Path, extra: list[str], timeout: float) -> subprocess.CompletedProcess:
    exe = find_chromium()
    if exe is None:
        raise BrowserError("chromium not found on PATH (Debian: apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="clin-distill-chromium-") as profile:
        cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *extra, Path(html_path).resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as err:
            raise BrowserError(f"chromium timed out after {timeout:.0f}s on {html_path}") from err
    if proc.returncode != 0:
        raise BrowserError(f"chromium exited {proc.returncode} on {html_path}: {proc.stderr.strip()[-500:]}")
    return proc


def render(html_path: Path, png_path: Path, window: tuple[int, int] = WINDOW, timeout: float = 120) -> str:
    """Write a ``window``-sized PNG screenshot of ``html_path`` and return its rendered DOM
    (one Chromium run)."""
    png_path = Path(png_path).resolve()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.unlink(missing_ok=True)
    shot = [f"--screenshot={png_path}", f"--window-size={window[0]},{window[1]}", "--dump-dom"]
    dom = _run(html_path, shot, timeout).stdout
    if not png_path.is_file():
        raise BrowserError(f"chromium wrote no screenshot for {html_path}")
    return dom
