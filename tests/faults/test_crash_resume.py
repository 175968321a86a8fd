"""Crash and resume: kill -9 scripts/teach_llm.py mid-run with requests in flight, rerun; the ledger
shows what the killed run paid for and what was sent twice; atomic DocBin writes."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.tokens import DocBin

from clin_distill.docio import read_docbin, set_doc_id, write_docbin
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.llm_usage import LLMUsage
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from tests.helpers.llm_server import LLMTestServer
from tests.llm.conftest import write_corpus, write_teacher_configs

from .conftest import REPO, invoke, spans_of, teach_llm_args

NOTES = {
    "train": [f"Note {i}: chest pain and fever, on metformin." for i in range(6)],
    "dev": [f"Visit {i}: nausea; hypertension treated with lisinopril." for i in range(8)],
}
N_TRAIN, N_ALL = len(NOTES["train"]), sum(len(v) for v in NOTES.values())
HOLD_AT = N_TRAIN + 3  # train is written, dev is mid-way when the process dies
IN_FLIGHT = 4  # max_concurrency of the test teacher: the requests held unanswered at the kill


def watch_final_paths(out: Path, stop: threading.Event, seen: list) -> None:
    """Whenever a final DocBin exists, it must be whole: record its split and doc count."""
    while not stop.is_set():
        for split, n in (("train", N_TRAIN), ("dev", len(NOTES["dev"]))):
            path = out / f"{split}.spacy"
            if path.exists():
                seen.append((split, len(read_docbin(path)), n))
        time.sleep(0.02)


def outputs(root: Path) -> dict:
    out = root / "labels" / "local" / "toy"
    return {
        "spans": {split: spans_of(out / f"{split}.spacy") for split in ("train", "dev")},
        "failures": Failures.read(out / "failures.json").failed,
        "grounding": srsly.read_json(out / "grounding.json"),
        "scores": TeacherMetrics.read(root / "metrics" / "local.json").to_json()["scores"],
    }


def test_kill_9_then_resume_resends_only_the_in_flight_and_equals_an_uninterrupted_run(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    teachers = write_teacher_configs(tmp_path / "teachers", timeout=60)  # no spurious retries under load
    with LLMTestServer() as server:
        args = teach_llm_args(teachers, corpus, tmp_path / "run", server.url, "train,dev")
        server.hold_after(HOLD_AT)
        cmd = [sys.executable, str(REPO / "scripts" / "teach_llm.py"), *map(str, args)]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        out = tmp_path / "run" / "labels" / "local" / "toy"
        stop, seen = threading.Event(), []
        watcher = threading.Thread(target=watch_final_paths, args=(out, stop, seen), daemon=True)
        watcher.start()
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cache_file = tmp_path / "run" / "cache" / "local" / "replies.jsonl"
        deadline = time.time() + 90
        while time.time() < deadline and proc.poll() is None:
            answered = cache_file.exists() and len(cache_file.read_bytes().splitlines()) >= HOLD_AT
            if answered and server.stats()["requests"] >= HOLD_AT + IN_FLIGHT:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "teach_llm.py ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        watcher.join()
        before = server.stats()
        assert sum(before["answered"].values()) == HOLD_AT and before["requests"] == HOLD_AT + IN_FLIGHT
        assert (out / "train.spacy").exists() and not (out / "dev.spacy").exists()
        assert all(n == whole for _, n, whole in seen)  # never a partial DocBin at a final path
        assert not list(out.glob("*.spacy.*"))  # nor a temp file left beside it (none was being written)

        server.release()
        assert invoke("teach_llm", *args).exit_code == 0
        after = server.stats()
        assert all(after["tries"][k] == 1 for k in before["answered"])  # no cached prompt was sent again
        assert sum(after["answered"].values()) == N_ALL
        usage = LLMUsage.read(tmp_path / "run" / "metrics" / "local.usage.json").to_json()
        assert (usage["cache_hits"], usage["prompts"], usage["requests"]) == (HOLD_AT, N_ALL, N_ALL - HOLD_AT)
        # the killed run: what it was billed for, and the requests in flight, sent again (paid twice)
        interrupted = usage["interrupted"]
        assert interrupted["runs"] == 1 and interrupted["in_flight"] == IN_FLIGHT == interrupted["resent"]
        billed = interrupted["billed"]
        assert (billed["prompt_tokens"], billed["completion_tokens"]) == (
            before["tokens"]["prompt"],
            before["tokens"]["completion"],
        )
        resent = interrupted["resent_usage"]
        assert 0 < resent["prompt_tokens"] < usage["prompt_tokens"]  # 4 of this run's 5 requests
        journal = tmp_path / "run" / "cache" / "local" / "journal.jsonl"
        assert stat.S_IMODE(journal.stat().st_mode) == 0o600
        assert not any(word in journal.read_text() for word in ("nausea", "lisinopril", "Visit"))

        assert invoke("teach_llm", *args).exit_code == 0  # reported once: a third run has nothing to add
        assert LLMUsage.read(tmp_path / "run" / "metrics" / "local.usage.json").interrupted is None
        assert server.stats()["requests"] == after["requests"]

        fresh = tmp_path / "fresh"
        assert (
            invoke("teach_llm", *teach_llm_args(teachers, corpus, fresh, server.url, "train,dev")).exit_code
            == 0
        )
    assert outputs(tmp_path / "run") == outputs(fresh)


def test_interrupted_docbin_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    nlp = spacy.blank("en")
    path = tmp_path / "train.spacy"
    write_docbin(path, [set_doc_id(nlp("Fever."), "a")])
    original = path.read_bytes()

    def torn_write(self, target):
        Path(target).write_bytes(self.to_bytes()[:10])
        raise KeyboardInterrupt  # dies mid-write

    monkeypatch.setattr(DocBin, "to_disk", torn_write)
    with pytest.raises(KeyboardInterrupt):
        write_docbin(path, [set_doc_id(nlp(f"Note {i}."), str(i)) for i in range(50)])
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.spacy"]


def test_a_torn_cache_line_costs_one_request_and_nothing_else(tmp_path):
    """kill -9 during the cache append leaves half a line: it is skipped, only its prompt is re-asked."""
    corpus = write_corpus(tmp_path / "corpus", {"train": NOTES["train"]})
    teachers = write_teacher_configs(tmp_path / "teachers", timeout=60)  # no spurious retries under load
    with LLMTestServer() as server:
        args = teach_llm_args(teachers, corpus, tmp_path / "run", server.url, "train,dev")
        args[args.index("--splits") + 1] = "train"
        assert invoke("teach_llm", *args).exit_code == 0
        cache_file = tmp_path / "run" / "cache" / "local" / "replies.jsonl"
        whole = cache_file.read_bytes()
        first = spans_of(tmp_path / "run" / "labels" / "local" / "toy" / "train.spacy")
        cache_file.write_bytes(whole[: len(whole) - 40])  # the last record cut mid-way
        assert invoke("teach_llm", *args).exit_code == 0
        assert server.stats()["requests"] == N_TRAIN + 1
    assert spans_of(tmp_path / "run" / "labels" / "local" / "toy" / "train.spacy") == first
    lines = cache_file.read_text().splitlines()
    assert len(lines) == N_TRAIN + 1 and sum(1 for line in lines if line.endswith("}")) == N_TRAIN
