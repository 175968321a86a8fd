"""Every weasel step's deps cover the clin_distill code its scripts import, so a library change
reruns the steps that run it (tests/test_workflow.py shows one such rerun end to end)."""

from __future__ import annotations

import re

import pytest
import srsly

from .imports import REPO, closure

COMMANDS = srsly.read_yaml(REPO / "project.yml")["commands"]


def covered(path: str, deps: list[str]) -> bool:
    return any(path == dep or path.startswith(dep.rstrip("/") + "/") for dep in deps)


@pytest.mark.parametrize("command", COMMANDS, ids=[c["name"] for c in COMMANDS])
def test_deps_cover_the_library_code_the_step_runs(command: dict) -> None:
    scripts = [s for line in command["script"] for s in re.findall(r"python (scripts/\S+\.py)", line)]
    deps = command.get("deps", [])
    assert all(s in deps for s in scripts), f"{command['name']}: its scripts must be deps"
    imported = {str(p.relative_to(REPO)) for s in scripts for p in closure(REPO / s)}
    missing = sorted(p for p in imported if not covered(p, deps))
    assert not missing, f"{command['name']} runs library code its deps leave out: {missing}"


def test_the_import_closure_follows_relative_imports() -> None:
    files = {str(p.relative_to(REPO)) for p in closure(REPO / "scripts" / "combine.py")}
    assert "clin_distill/combine/run.py" in files and "clin_distill/combine/uncertain.py" in files
    assert "clin_distill/docio.py" in files and "clin_distill/runtime/scoring.py" in files
