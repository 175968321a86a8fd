"""run-distributed with an LLM teacher config: the same labelling path as teach-llm (chunking,
grounding, reply cache, failure marks, ledger), the shipped configs loading from any folder,
the opt-in checked before any actor starts, killed runs reported once."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clin_distill.distributed import (
    ModelSource,
    RunOptions,
    ShardAnnotator,
    entities_rel,
    find_shards,
    marker_rel,
    run_distributed,
)
from clin_distill.distributed.pipelines import TeacherLabeller
from clin_distill.distributed.restart import report_interrupted
from clin_distill.llm import ALLOW_REMOTE_ENV, RemoteEndpointRefused
from clin_distill.llm.chunking import chunk_bounds
from clin_distill.llm.journal import RequestJournal
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.ledger import Usage
from clin_distill.llm.teacher import load_teacher
from tests.distributed.conftest import write_jsonl
from tests.helpers.llm_server import LLMTestServer

REPO = Path(__file__).resolve().parents[2]
TEACHERS = REPO / "configs" / "teachers"
LONG = " ".join(f"Day {i}: chest pain and fever, continued metformin." for i in range(80))
NOTES = [
    {"id": "n0", "text": "Patient with hypertension reports chest pain; takes metformin."},
    {"id": "n1", "text": "No fever. Nausea after lisinopril."},
    {"id": "n2", "text": LONG},
    {"id": "n3", "text": "Fever FAULT500x9 today."},
    {"id": "n4", "text": None},
]


def local_teacher(url: str) -> ModelSource:
    """The shipped `local` teacher pointed at ``url``, failing fast."""
    overrides = {
        "components.llm.model.base_url": url,
        "components.llm.model.name": "test-model",
        "components.llm.model.max_tries": 2,
        "components.llm.model.backoff": 0.01,
    }
    return ModelSource(str(TEACHERS / "local.cfg"), overrides=overrides)


def expected_rows(source: ModelSource) -> tuple[list[tuple], dict[str, str]]:
    """What teach-llm's path gives for NOTES (uncached): entity rows and failures."""
    teacher = load_teacher(Path(source.source), allow_remote=False, overrides=source.overrides)
    notes = [n for n in NOTES if n["text"] is not None]
    rows, failed = [], {}
    for note, doc in zip(
        notes, label_docs(teacher, [teacher.make_doc(n["text"]) for n in notes]), strict=True
    ):
        if doc.user_data.get("teacher_failure"):
            failed[note["id"]] = doc.user_data["teacher_failure"]
        rows += [(note["id"], e.start_char, e.end_char, e.label_) for e in doc.ents]
    teacher.close()
    return sorted(rows), failed


def output_rows(path: Path) -> list[tuple]:
    return sorted((r["note_id"], r["start"], r["end"], r["label"]) for r in pq.read_table(path).to_pylist())


@pytest.fixture(autouse=True)
def _no_opt_in(monkeypatch):
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)


@pytest.mark.parametrize("name", ["gpt-4o", "o1-mini", "gemini-flash", "local", "local-llm"])
def test_shipped_teacher_configs_load_from_any_working_folder(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)  # few-shot examples, templates and prices resolve beside the config
    overrides = {"components.llm.model.base_url": "http://127.0.0.1:9/v1"}
    if name == "local":
        overrides["components.llm.model.name"] = "test-model"
    source = ModelSource(str(TEACHERS / f"{name}.cfg"), overrides=overrides)
    assert source.is_llm_teacher
    labeller = source.load(RunOptions(llm_cache=str(tmp_path / "cache")))
    try:
        assert isinstance(labeller, TeacherLabeller)
        assert len(labeller.teacher.task._prompt_examples) > 0
        prices = (
            labeller.teacher.model.ledger.input_price_per_1m,
            labeller.teacher.model.ledger.output_price_per_1m,
        )
        assert prices == {"gpt-4o": (2.5, 10.0), "o1-mini": (1.1, 4.4), "gemini-flash": (0.075, 0.3)}.get(
            name, (0.0, 0.0)
        )
    finally:
        labeller.close()


def test_an_llm_teacher_labels_a_shard_as_teach_llm_does(tmp_path):
    (tmp_path / "notes").mkdir()
    write_jsonl(tmp_path / "notes" / "s.jsonl", NOTES)
    (shard,) = find_shards(str(tmp_path / "notes"))
    with LLMTestServer() as server:
        source = local_teacher(server.url)
        options = RunOptions(batch_size=8, llm_cache=str(tmp_path / "cache"))
        annotator = ShardAnnotator(source, str(tmp_path / "notes"), str(tmp_path / "out"), options)
        result = annotator.annotate(shard)
        first = server.stats()
        rows, failed = expected_rows(source)
        again = ShardAnnotator(source, str(tmp_path / "notes"), str(tmp_path / "again"), options)
        rerun = again.annotate(shard)
        second = server.stats()
    assert (result["status"], result["notes"], result["failed"]) == ("done", 4, 1)
    assert failed == {"n3": "chunk 1/1: HTTP 500 after 2 tries"}
    marker = json.loads((tmp_path / "out" / marker_rel("s")).read_text())
    assert marker["failed"] == failed and marker["skipped_no_text"] == ["n4"]
    assert output_rows(tmp_path / "out" / entities_rel("s")) == rows  # the same spans as teach-llm's path
    assert not [r for r in rows if r[0] == "n3"]  # a failed note has a failure mark, not zero entities
    n_long = len(chunk_bounds(LONG, 3000, 300))
    assert n_long > 1 and marker["llm_usage"]["prompts"] == 3 + n_long
    assert marker["llm_usage"]["prompt_tokens"] == first["tokens"]["prompt"] == result["prompt_tokens"]
    # the reply cache: a rerun by another actor pays only for the note that failed
    assert second["requests"] - first["requests"] == (4 + n_long) + 2  # expected_rows uncached, then n3
    assert rerun["failed"] == 1 and output_rows(tmp_path / "again" / entities_rel("s")) == rows
    (journal,) = (tmp_path / "cache" / "local").glob("journal.*.jsonl")  # this process's own journal
    assert report_interrupted(tmp_path / "cache" / "local") is None  # every shard run ended


def test_run_distributed_with_an_llm_teacher_on_ray(ray_local, tmp_path):
    (tmp_path / "notes").mkdir()
    write_jsonl(tmp_path / "notes" / "a.jsonl", NOTES[:2])
    write_jsonl(tmp_path / "notes" / "b.jsonl", NOTES[2:])
    with LLMTestServer() as server:
        source = local_teacher(server.url)
        options = RunOptions(
            actors=1, llm_max_concurrency=4, llm_requests_per_actor=2, llm_cache=str(tmp_path / "c")
        )
        summary = run_distributed(
            str(tmp_path / "notes"), str(tmp_path / "out"), source, options, progress=False
        )
        stats = server.stats()
    assert (summary.done, summary.notes, summary.docs_failed, summary.notes_skipped) == (2, 4, 1, 1)
    assert summary.llm_usage["prompt_tokens"] == stats["tokens"]["prompt"] > 0
    assert summary.llm_limiter["slots"] == 2 and summary.llm_limiter["peak"] == 1  # one actor
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["llm_usage"] == summary.llm_usage


def test_a_remote_teacher_is_refused_before_any_actor_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    (tmp_path / "notes").mkdir()
    write_jsonl(tmp_path / "notes" / "a.jsonl", NOTES[:2])
    with pytest.raises(RemoteEndpointRefused, match="api.openai.com"):
        run_distributed(
            str(tmp_path / "notes"),
            str(tmp_path / "out"),
            ModelSource(str(TEACHERS / "gpt-4o.cfg")),
            RunOptions(),
        )
    assert not (tmp_path / "out").exists()


def test_killed_runs_are_reported_once(tmp_path):
    folder = tmp_path / "cache" / "local"
    killed = RequestJournal(folder, writer="host-1")
    killed.sent("k1", 1)
    killed.done("k1", 1, "ok", Usage(5, 2))
    killed.sent("k2", 1)  # in flight when the actor died: no "done", no "end"
    finished = RequestJournal(folder, writer="host-2")
    finished.sent("k3", 1)
    finished.done("k3", 1, "ok", Usage(9, 9))
    finished.close()
    assert report_interrupted(folder) == {
        "runs": 1,
        "billed": {"prompt_tokens": 5, "completion_tokens": 2, "reasoning_tokens": 0},
        "in_flight": 1,
    }
    assert report_interrupted(folder) is None
