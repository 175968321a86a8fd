"""A tiny student trained once per session through scripts/train.py (tiny random BERT, synthetic docs)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner, Result

from tests.helpers.tiny_bert import build_tiny_bert
from tests.student.synthetic import write_corpus

REPO = Path(__file__).resolve().parents[2]
# A random tiny BERT needs a far higher rate than the config's 3e-5 to learn 8 sentences in 20 steps
TINY_OVERRIDES = "--training.optimizer.learn_rate.initial_rate=0.003 --training.max_epochs=0"
MAX_STEPS = 20


@dataclass(frozen=True)
class TrainedStudent:
    backbone: Path
    train: Path
    dev: Path
    output: Path

    @property
    def best(self) -> Path:
        return self.output / "model-best"


def load_script(name: str) -> ModuleType:
    """Import scripts/<name>.py (scripts are not a package) to drive its typer app in-process."""
    spec = importlib.util.spec_from_file_location(f"student_script_{name}", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def invoke(script: str, *args: str | Path) -> Result:
    """Run a script's CLI in-process (no interpreter start-up); exit code and output in the Result."""
    return CliRunner().invoke(load_script(script).app, [str(a) for a in args])


def run_script(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture(scope="session")
def trained_student(tmp_path_factory: pytest.TempPathFactory) -> TrainedStudent:
    root = tmp_path_factory.mktemp("student")
    # own copy of the backbone: the package test deletes it to prove the model no longer needs it
    backbone = build_tiny_bert(root / "tiny_bert")
    train = write_corpus(root / "train.spacy", 16, drop_label="MEDICATION")
    dev = write_corpus(root / "dev.spacy", 8, two_corpora=True)
    output = root / "training"
    result = run_script(
        "scripts/train.py", "configs/student_trf.cfg", train, dev, output,
        "--backbone", backbone, "--max-steps", MAX_STEPS, "--eval-frequency", 10,
        "--gpu-id", -1, "--seed", 13,
        env={"SPACY_CONFIG_OVERRIDES": TINY_OVERRIDES, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return TrainedStudent(backbone, train, dev, output)
