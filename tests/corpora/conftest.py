"""Fixtures for the corpus tests: the offline asset mirror and one CLI conversion per session."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

REPO = Path(__file__).resolve().parents[2]
PUBLIC = ("ncbi_disease", "bc5cdr", "maccrobat")


def run_script(name: str, args: list) -> Result:
    """Invoke ``scripts/<name>.py``'s typer command in-process, with the command-line arguments ``args``."""
    spec = importlib.util.spec_from_file_location(f"script_{name}", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = typer.Typer()
    app.command()(module.main)
    return CliRunner().invoke(app, [str(a) for a in args])


def mirror_root() -> Path:
    return Path(os.environ.get("CLIN_DISTILL_ASSET_MIRROR", REPO / ".." / "shared" / "assets")).resolve()


@pytest.fixture(scope="session")
def mirror() -> Path:
    root = mirror_root()
    if not root.is_dir():
        pytest.skip(f"asset mirror {root} is absent (set CLIN_DISTILL_ASSET_MIRROR to enable count tests)")
    return root


def dataset_dir(mirror: Path, name: str) -> Path:
    path = mirror / name
    if not (path / "SOURCE.md").is_file():
        pytest.skip(f"{path} (with SOURCE.md) is absent from the asset mirror")
    return path


def markdown_table(text: str, first_header: str) -> dict[str, dict[str, str]]:
    """Rows (keyed by their first cell) of the markdown table whose first header cell is ``first_header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"\|\s*{first_header}\s*\|", line))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


@pytest.fixture(scope="session")
def converted(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run scripts/convert.py once (arguments as in project.yml) on every public corpus in the mirror."""
    present = [name for name in PUBLIC if (mirror / name).is_dir()]
    if not present:
        pytest.skip("no public corpus in the asset mirror")
    out = tmp_path_factory.mktemp("corpus")
    args = [
        mirror,
        out,
        "--datasets",
        ",".join(present),
        "--label-maps",
        REPO / "configs/labels",
        "--seed",
        13,
    ]
    result = run_script("convert", args)
    assert result.exit_code == 0, result.output[-2000:]
    return out
