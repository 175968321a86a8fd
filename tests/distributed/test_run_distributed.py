"""Ray Data actor pool over note shards: same rows as nlp.pipe, restartable per shard."""

from __future__ import annotations

import asyncio
import json
import shutil
import stat
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import spacy

from clin_distill.distributed import (
    ConcurrencyLimiter,
    ModelSource,
    OutputStore,
    RunOptions,
    ShardAnnotator,
    docs_rel,
    entities_rel,
    find_shards,
    marker_rel,
    run_distributed,
)
from clin_distill.docio import get_doc_id, read_docbin
from tests.distributed.conftest import NEGATION_CODE, write_jsonl

GOOD = ["a", "b", "c", "sub/d"]
BAD = {"broken": "broken: line 2 is not valid JSON", "dup": "dup: duplicate note id 'd' at line 2"}


def plain_pipe_rows(model_dir: Path, notes: list[dict]) -> list[tuple]:
    """What a single-process ``nlp.pipe`` finds, built directly from ``doc.ents``."""
    nlp = spacy.load(model_dir)
    kept = [n for n in notes if isinstance(n["text"], str)]
    rows = []
    for note, doc in zip(kept, nlp.pipe(n["text"] for n in kept), strict=True):
        rows += [(str(note["id"]), e.start_char, e.end_char, e.label_, e._.is_negated) for e in doc.ents]
    return sorted(rows)


def output_rows(path: Path) -> list[tuple]:
    table = pq.read_table(path).to_pylist()
    return sorted((r["note_id"], r["start"], r["end"], r["label"], r["is_negated"]) for r in table)


@pytest.fixture(scope="module")
def model(ruler_model) -> ModelSource:
    return ModelSource(str(ruler_model), code=str(NEGATION_CODE))


@pytest.fixture(scope="module")
def first_run(ray_local, notes_dir, model, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    options = RunOptions(batch_size=16, actors=2, llm_max_concurrency=1)
    return out, run_distributed(str(notes_dir[0]), str(out), model, options, progress=False)


def test_finds_shards_and_ignores_underscore_files(notes_dir):
    assert [s.key for s in find_shards(str(notes_dir[0]))] == ["a", "b", "broken", "c", "dup", "sub/d"]


def test_rows_equal_plain_nlp_pipe(first_run, notes_dir, ruler_model):
    out, summary = first_run
    _, shards = notes_dir
    assert (summary.done, summary.shards, summary.actors) == (4, 6, 2)
    assert summary.notes == 299 and summary.notes_skipped == 1
    for key, notes in shards.items():
        expected = plain_pipe_rows(ruler_model, notes)
        assert expected, key
        assert output_rows(out / entities_rel(key)) == expected, key
    assert summary.entities == sum(len(plain_pipe_rows(ruler_model, n)) for n in shards.values())


def test_bad_shards_fail_alone_without_marker(first_run):
    out, summary = first_run
    assert summary.errors == BAD
    for key in BAD:
        assert not (out / marker_rel(key)).exists() and not (out / entities_rel(key)).exists()
    assert "| broken | error |" in (out / "summary.md").read_text()


def test_columns_are_text_free_with_flags_and_model(first_run):
    out, _ = first_run
    table = pq.read_table(out / entities_rel("a"))
    assert "text" not in table.column_names
    rows = table.to_pylist()
    assert {r["is_negated"] for r in rows} == {True, False}
    assert all(r["is_historical"] is None and r["is_family"] is None for r in rows)
    assert {(r["model"], r["model_version"]) for r in rows} == {("en_tiny_ruler", "1.2.3")}
    assert stat.S_IMODE((out / entities_rel("a")).stat().st_mode) == 0o644
    marker = json.loads((out / marker_rel("c")).read_text())
    assert marker["notes"] == 79 and marker["skipped_no_text"] == ["c-0005"]


def test_rerun_recomputes_only_the_deleted_shard(first_run, notes_dir, model, tmp_path):
    out, _ = first_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file() and p.name[0] != "."}
    deleted = copy / entities_rel("b")
    expected = output_rows(deleted)
    deleted.unlink()
    options = RunOptions(batch_size=16, actors=1)
    summary = run_distributed(str(notes_dir[0]), str(copy), model, options, progress=False)
    assert (summary.done, summary.skipped_complete, summary.notes) == (1, 3, 70)
    assert sorted(row["key"] for row in summary.per_shard) == ["b", "broken", "dup"]  # failed ones retried
    assert output_rows(deleted) == expected
    rewritten = {deleted, copy / marker_rel("b"), copy / "summary.json", copy / "summary.md"}
    for path, mtime in before.items():
        if path not in rewritten:
            assert path.stat().st_mtime_ns == mtime, path


def test_text_and_docbin_are_opt_in_and_private(notes_dir, model, tmp_path):
    """The actor class itself, in-process: entity text and DocBin shards only when asked."""
    notes = [{"id": f"n{i}", "text": f"Denies chest pain. Takes metformin {i} mg."} for i in range(20)]
    write_jsonl(tmp_path / "good.jsonl", notes)
    options = RunOptions(batch_size=8, include_text=True, docbin=True)
    out = tmp_path / "out"
    annotator = ShardAnnotator(model, str(tmp_path), str(out), options)
    (shard,) = find_shards(str(tmp_path / "good.jsonl"))
    result = annotator.annotate(shard)
    assert (result["status"], result["notes"], result["entities"]) == ("done", 20, 40)
    rows = pq.read_table(out / entities_rel("good")).to_pylist()
    texts = {n["id"]: n["text"] for n in notes}
    assert all(r["text"] == texts[r["note_id"]][r["start"] : r["end"]] for r in rows)
    docs = read_docbin(out / docs_rel("good"))
    assert [get_doc_id(d) for d in docs] == [n["id"] for n in notes]
    assert [(e.label_, e._.is_negated) for e in docs[0].ents] == [("SYMPTOM", True), ("MEDICATION", False)]
    for path in (out / entities_rel("good"), out / docs_rel("good")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_teacher_config_is_assembled_and_initialized(tmp_path):
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text(json.dumps({"label": "MEDICATION", "pattern": "metformin"}) + "\n")
    cfg = tmp_path / "ruler_teacher.cfg"
    cfg.write_text(
        '[nlp]\nlang = "en"\npipeline = ["entity_ruler"]\n\n'
        '[components]\n\n[components.entity_ruler]\nfactory = "entity_ruler"\n\n'
        "[initialize]\n\n[initialize.components]\n\n[initialize.components.entity_ruler]\n\n"
        '[initialize.components.entity_ruler.patterns]\n@readers = "srsly.read_jsonl.v1"\n'
        f'path = "{patterns}"\n'
    )
    source = ModelSource(str(cfg))
    nlp = source.load(RunOptions()).nlp
    assert [(e.label_, e.text) for e in nlp("Takes metformin daily.").ents] == [("MEDICATION", "metformin")]
    name, version, fingerprint = source.identity()
    assert name == "teacher:ruler_teacher" and len(version) == 12
    other = ModelSource(str(cfg), overrides={"components.entity_ruler.overwrite_ents": True})
    assert other.identity()[2] != fingerprint


def test_llm_slots_bound_requests_in_flight():
    assert RunOptions(llm_max_concurrency=8, llm_requests_per_actor=2).llm_slots() == 4
    assert RunOptions().llm_slots() == 0
    with pytest.raises(ValueError):
        RunOptions(llm_max_concurrency=1, llm_requests_per_actor=2).llm_slots()


def test_run_kept_one_batch_in_flight_across_actors(first_run):
    """first_run had llm_max_concurrency=1: two actors, 20 batches, never two at once."""
    _, summary = first_run
    assert summary.llm_limiter == {"slots": 1, "in_flight": 0, "acquired": 20, "peak": 1}


def test_limiter_blocks_beyond_its_slots_and_frees_a_restarted_holder():
    """The limiter's logic in-process (as an actor it runs the same coroutines)."""

    async def scenario() -> dict[str, int]:
        limiter = ConcurrencyLimiter(1)
        await limiter.acquire("actor-1")
        waiting = asyncio.ensure_future(limiter.acquire("actor-2"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await limiter.release("actor-2")  # not a holder: frees nothing
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await limiter.release_all("actor-1")  # what a restarted actor-1 does first
        await asyncio.wait_for(waiting, timeout=5)
        await limiter.release("actor-2")
        return await limiter.stats()

    assert asyncio.run(scenario()) == {"slots": 1, "in_flight": 0, "acquired": 2, "peak": 1}


def test_object_store_writes_go_through_a_temp_name(tmp_path, notes_dir):
    """The non-local branch (temp key, then move; used for s3:// and the like), on a local folder."""
    store = OutputStore(tmp_path.as_uri())
    store.local = False
    store.write(entities_rel("x/y"), b"data")
    assert (tmp_path / entities_rel("x/y")).read_bytes() == b"data"
    assert [p.name for p in (tmp_path / "entities" / "x").iterdir()] == ["y.parquet"]
    assert store.read_json("missing.json") is None
    uri_keys = [s.key for s in find_shards(notes_dir[0].as_uri())]
    assert uri_keys == ["a", "b", "broken", "c", "dup", "sub/d"]
