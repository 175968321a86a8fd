"""Shared pieces of the fault suite: the PHI sentinel, a fake API key, in-process CLIs, leak checks."""

from __future__ import annotations

import importlib.util
import re
import stat
from pathlib import Path

import typer
from click.testing import Result
from typer.testing import CliRunner

from clin_distill.docio import get_doc_id, read_docbin

REPO = Path(__file__).resolve().parents[2]
SENTINEL = "ZEBRAQ4711"  # stands in for PHI: one token, never in any log, message or metric
KEY = "sk-test-FAULTS-SECRET-9931"
GEMINI_KEY = "AIza-test-FAULTS-SECRET-5517"
LABEL_MAPS = REPO / "configs" / "labels"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def invoke(name: str, *args) -> Result:
    """Run ``scripts/<name>.py`` in-process with command-line ``args`` (typer app or ``main``)."""
    spec = importlib.util.spec_from_file_location(f"faults_script_{name}", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = getattr(module, "app", None)
    if app is None:
        app = typer.Typer(add_completion=False)
        app.command()(module.main)
    return CliRunner().invoke(app, [str(a) for a in args])


def error_line(result: Result) -> str:
    """The CLI's error: exit code 1, no traceback, exactly one ``✘`` line, returned without the mark."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [ANSI.sub("", line) for line in result.output.splitlines() if "✘" in line]
    assert len(lines) == 1, result.output
    return lines[0].split("✘ ", 1)[1].strip()


def spans_of(path: Path) -> dict[str, list]:
    """``{doc_id: [(start_char, end_char, label), ...]}`` of a DocBin."""
    return {get_doc_id(d): [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in read_docbin(path)}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def holding(paths: list[Path], needle: str) -> list[Path]:
    """The files whose bytes contain ``needle``."""
    return [p for p in paths if needle.encode() in p.read_bytes()]


def teach_llm_args(teachers: Path, corpus: Path, root: Path, url: str, splits: str) -> list:
    """scripts/teach_llm.py's arguments: the `local` teacher on dataset "toy" against ``url``."""
    return [
        teachers,
        corpus,
        root / "labels",
        "--dataset",
        "toy",
        "--teachers",
        "local",
        "--cache",
        root / "cache",
        "--metrics",
        root / "metrics",
        "--splits",
        splits,
        "--local-base-url",
        url,
    ]
