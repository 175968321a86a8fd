"""House rules checked by tools: ruff (docstrings included) and the README's generated commands section."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKERS = ("<!-- WEASEL: AUTO-GENERATED DOCS START", "<!-- WEASEL: AUTO-GENERATED DOCS END")


def section(text: str) -> str:
    """The text between weasel document's markers."""
    start, end = (text.index(marker) for marker in MARKERS)
    return text[start:end]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is in the [test] extra")
def test_ruff_passes() -> None:
    run = subprocess.run(["ruff", "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_readme_commands_section_matches_project_yml(tmp_path: Path) -> None:
    out = tmp_path / "README.md"
    subprocess.run(
        [sys.executable, "-m", "weasel", "document", str(ROOT), "--output", str(out)],
        check=True,
        capture_output=True,
    )
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    assert section(readme) == section(out.read_text(encoding="utf8")), (
        "run: python -m weasel document . --output README.md"
    )
