"""scripts/teach_llm.py end to end against the local server: outputs, failures, ledger,
PHI and key hygiene, file modes (kill -9 and resume: tests/faults/test_crash_resume.py)."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import srsly
from typer.testing import CliRunner

from clin_distill.docio import get_doc_id, read_docbin
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.llm_usage import LLMUsage
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics

from .conftest import NOTES, REPO, SENTINEL, teach, write_corpus

KEY = "sk-test-SECRET-4242"


def teach_cmd(teacher_dir: Path, corpus: Path, root: Path, base_url: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(REPO / "scripts" / "teach_llm.py"),
        str(teacher_dir),
        str(corpus),
        str(root / "labels"),
        "--dataset",
        "toy",
        "--teachers",
        "local",
        "--cache",
        str(root / "cache"),
        "--metrics",
        str(root / "metrics"),
        "--allow-remote",
        "false",
        "--base-url",
        base_url,
        *extra,
    ]


def run_cli(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENAI_API_KEY": KEY, "PYTHONPATH": str(REPO)}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def load_script_app():
    spec = importlib.util.spec_from_file_location("teach_llm_script", REPO / "scripts" / "teach_llm.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def run_in_process(cmd: list[str]):
    """Run the CLI's typer app in this process (saves a ~5 s interpreter start per call)."""
    return CliRunner().invoke(load_script_app(), cmd[2:])


def ents(path: Path) -> dict[str, list]:
    return {get_doc_id(d): [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in read_docbin(path)}


def test_cli_outputs_failures_ledger_and_hygiene(tmp_path, server, teacher_dir):
    notes = {**NOTES, "dev": [*NOTES["dev"], f"{SENTINEL} fever FAULT500x99."]}
    corpus = write_corpus(tmp_path / "corpus", notes)
    proc = run_cli(teach_cmd(teacher_dir, corpus, tmp_path, server.url))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = tmp_path / "labels" / "local" / "toy"
    assert Failures.read(out / "failures.json").failed == {"train": [], "dev": ["dev-2"], "test": []}
    dev = ents(out / "dev.spacy")
    assert sorted(dev) == ["dev-0", "dev-1"]  # the failed doc is excluded, not empty
    gold = ents(corpus / "dev.spacy")
    assert dev == {k: gold[k] for k in dev}
    metrics = TeacherMetrics.read(tmp_path / "metrics" / "local.json").to_json()
    assert metrics["scores"]["dev"]["strict"]["micro"]["f"] == 1.0
    assert metrics["splits"]["dev"] == {
        "docs": 3,
        "labelled": 2,
        "failed": 1,
        "seconds": None,
        "docs_per_s": None,
    }
    assert metrics["kind"] == "llm" and metrics["small_local_model"] is False
    usage = LLMUsage.read(tmp_path / "metrics" / "local.usage.json").to_json()
    tokens = server.stats()["tokens"]
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (tokens["prompt"], tokens["completion"])
    n_prompts = sum(len(v) for v in notes.values())
    assert (usage["prompts"], usage["failures"], usage["retries"]) == (n_prompts, 1, 2)
    assert usage["requests"] == server.stats()["requests"] == n_prompts + 2
    manifest = srsly.read_json(tmp_path / "labels" / "llm_manifest.toy.json")
    assert [t["name"] for t in manifest["teachers"]] == ["local"] and manifest["teachers"][0]["failed"] == 1
    assert "1 doc(s) failed" in proc.stdout
    # PHI and secrets: nowhere in the output streams or in any metrics/manifest file
    written = [p for p in (tmp_path / "metrics").rglob("*") if p.is_file()]
    written += [out / "failures.json", out / "grounding.json", tmp_path / "labels" / "llm_manifest.toy.json"]
    for text in [proc.stdout, proc.stderr, *(p.read_text() for p in written)]:
        assert SENTINEL not in text and KEY not in text
    # private files: cache and teacher DocBins
    private = [*(tmp_path / "cache").rglob("*.jsonl"), *out.glob("*.spacy")]
    assert private and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in private)


def test_no_teachers_is_a_configuration(tmp_path, teacher_dir):
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    cmd = teach_cmd(teacher_dir, corpus, tmp_path, "")
    cmd[cmd.index("--teachers") + 1] = ""
    result = run_in_process(cmd)
    assert result.exit_code == 0, result.output
    assert "No LLM teachers configured" in result.output
    manifest = srsly.read_json(tmp_path / "labels" / "llm_manifest.toy.json")
    assert manifest["teachers"] == [] and manifest["configured"] is False


def test_remote_refused_by_cli(tmp_path, server, teacher_dir):
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    result = run_in_process(teach_cmd(teacher_dir, corpus, tmp_path, "http://192.0.2.10:8000/v1"))
    assert result.exit_code == 1 and "refusing to send clinical notes" in result.output
    assert server.stats()["requests"] == 0
    assert not (tmp_path / "labels").exists()


def test_allow_remote_is_a_true_false_choice(tmp_path, server, teacher_dir):
    """Weasel writes the YAML boolean as "False": accepted (still refused); anything else: typer's error."""
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    cmd = teach_cmd(teacher_dir, corpus, tmp_path, "http://192.0.2.10:8000/v1")
    cmd[cmd.index("--allow-remote") + 1] = "False"
    result = run_in_process(cmd)
    assert result.exit_code == 1 and "refusing to send clinical notes" in result.output
    for bad in ("maybe", "yes", "1"):
        cmd[cmd.index("--allow-remote") + 1] = bad
        result = run_in_process(cmd)
        assert result.exit_code == 2 and "Invalid value for '--allow-remote'" in result.output, result.output
    assert server.stats()["requests"] == 0
    assert not (tmp_path / "labels").exists()


def test_logs_carry_no_note_text_or_key(tmp_path, server, teacher_dir, caplog, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    corpus = write_corpus(tmp_path / "corpus", {"dev": [f"{SENTINEL} fever FAULT429x1 FAULTABSENT."]})
    with caplog.at_level(logging.DEBUG):
        teach(teacher_dir, corpus, tmp_path, server.url, splits=["dev"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "retrying after HTTP 429" in logged
    assert SENTINEL not in logged and KEY not in logged and "fever" not in logged
    assert json.loads((tmp_path / "metrics" / "local.json").read_text())["grounding_dropped"]["unfound"] == 1
