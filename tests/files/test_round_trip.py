"""Every file passed between steps round-trips through its model, and a wrong or old file is a
one-line error naming the file."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest

from clin_distill.stepfiles.anchored import AnchoredCorpus
from clin_distill.stepfiles.base import FileFormatError, FileModel
from clin_distill.stepfiles.candidates import Candidates, SourceCounts
from clin_distill.stepfiles.combine import LabelChoice
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.llm_usage import Interrupted, LLMUsage, ServerInfo
from clin_distill.stepfiles.note_sentences import NoteSentences, SentenceResult
from clin_distill.stepfiles.scores import PRF, CorpusScores
from clin_distill.stepfiles.self_training import RoundRecord, RuleSettings, SelfTraining
from clin_distill.stepfiles.specialists import Specialist, Specialists
from clin_distill.stepfiles.teacher_errors import CorpusErrors, ErrorText, KindCount, TeacherErrors
from clin_distill.stepfiles.teacher_metrics import SplitRun, TeacherMetrics
from tests.helpers.files import (
    benchmark,
    combine_choice,
    llm_usage,
    local_llm_speed,
    pool,
    priced,
    scores,
    subset_search,
    system_record,
)


def teacher_metrics() -> TeacherMetrics:
    split = CorpusScores(**scores().model_dump(), by_corpus={"ncbi_disease": scores()})
    return TeacherMetrics(
        teacher="open_vocab",
        kind="ontology",
        dataset="pool",
        splits={"dev": SplitRun(docs=2, labelled=2, failed=0, seconds=0.5, docs_per_s=4.0)},
        scores={"dev": split},
        failures_by_reason={"RuntimeError": 1},
        teacher_meta={"vocabulary": {"name": "open_vocab", "terms": 12}},
    )


def usage() -> LLMUsage:
    ledger = llm_usage("local-llm", "smollm2", docs=4, wall_s=8.0, prompt_tokens=800, completion_tokens=120)
    ledger.interrupted = Interrupted(
        runs=1, billed=priced(10, 2, 0.001), in_flight=2, resent=2, resent_usage=priced(10, 2, 0.001)
    )
    ledger.server = ServerInfo(server="llama_cpp.server model.gguf", n_ctx=2048, n_threads=2, startup_s=3.5)
    return ledger


SAMPLES = {
    "failures": lambda: Failures(failed={"train": ["d2"], "dev": [], "test": ["d2", "d7"]}),
    "teacher_metrics": teacher_metrics,
    "llm_usage": usage,
    "subset_search": subset_search,
    "combine_choice": lambda: combine_choice(
        {
            "DISEASE": LabelChoice(teachers=["open_vocab"], strategy="union"),
            "SYMPTOM": LabelChoice(dropped="no dev doc's corpus annotates it"),
        },
        ["open_vocab"],
    ),
    "benchmark": benchmark,
    "local_llm_speed": local_llm_speed,
    "local_llm_speed_untimed": lambda: local_llm_speed(timed=False),
    "pool": pool,
    "system_metrics": lambda: system_record("anchored", "model", {"ncbi": {"DISEASE": 0.8}}),
    "anchored": lambda: AnchoredCorpus(
        docs=2, gold_labels={"ncbi": ["DISEASE"]}, notes=1, counts={"gold spans": 3}
    ),
    "specialists": lambda: Specialists(
        specialists={"ncbi": Specialist(labels=["DISEASE"], model="m", train_docs=3, dev_docs=1, max_steps=2)}
    ),
    "candidates": lambda: Candidates(
        sources=["heads"],
        settings={"min_head_terms": 60},
        splits={"train": {"heads": SourceCounts(docs=1, spans=2, tokens=3)}},
    ),
    "note_sentences": lambda: NoteSentences(
        version="v1",
        model="m",
        sentences=[
            SentenceResult(text="MS: alert.", expected=[], predicted=[("MS", "DISEASE")], correct=False)
        ],
        scores=PRF(tp=0, fp=1, fn=0, p=0.0, r=0.0, f=0.0),
    ),
    "teacher_errors": lambda: TeacherErrors(
        splits=["dev"],
        top=25,
        teachers={
            "open_vocab": [
                CorpusErrors(
                    corpus="maccrobat",
                    split="dev",
                    labels=["DISEASE"],
                    scores=scores(),
                    kinds=[KindCount(outcome="missed", label="DISEASE", kind="acronym", n=2)],
                    texts=[ErrorText(outcome="missed", label="DISEASE", kind="acronym", text="nec", n=2)],
                )
            ]
        },
    ),
    "self_training": lambda: SelfTraining(
        model="training/distilled/model-best",
        first_dev_score=0.5,
        rule=RuleSettings(threshold=0.9, floor=0.5, beam_width=8),
        max_rounds=2,
        rounds=[
            RoundRecord(
                round=1, started_from="d", docs=3, dev_score=0.6, kept=True, counts={"added SYMPTOM": 2}
            )
        ],
        chosen="training/self/round-1/model-best",
    ),
}


@pytest.mark.parametrize("name", SAMPLES)
def test_each_file_round_trips_through_its_model(name: str, tmp_path: Path):
    model = SAMPLES[name]()
    path = model.write(tmp_path / f"{name}.json")
    data = json.loads(path.read_text(encoding="utf8"))
    assert next(iter(data)) == "schema" and data["schema"] == type(model).SCHEMA
    assert re.fullmatch(r"clin_distill\.[a-z_]+\.v\d+", data["schema"])
    again = type(model).read(path)
    assert again == model
    assert again.to_json() == data


def test_benchmark_derived_numbers_are_written_rounded_and_recomputed_on_reading(tmp_path: Path):
    result = benchmark(fp32_notes_per_s=3.0)
    data = json.loads(result.write(tmp_path / "b.json").read_text())
    assert data["runs"][0]["notes_per_s"] == 3.0 and data["runs"][0]["gflops"] == 1.2
    assert data["machine"]["peak_gflops_per_core"] == 80.0
    # 1.2 GFLOP/s of an 80 GFLOP/s core; int8 at 20 notes/s; F1 0.800 vs 0.797 (0.3 points)
    assert data["summary"]["goals"] == {"fp32_flop_bound": False, "int8_speedup": True, "int8_f1_loss": True}
    assert data["summary"]["f1_loss_points"] == 0.3
    assert type(result).read(tmp_path / "b.json").runs[0].notes_per_s == pytest.approx(3.0)


def test_private_files_are_mode_0600(tmp_path: Path):
    path = Failures(failed={}).write(tmp_path / "f.json", private=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def one_line_error(cls: type[FileModel], path: Path) -> str:
    with pytest.raises(FileFormatError) as err:
        cls.read(path)
    text = str(err.value)
    assert "\n" not in text and str(path) in text
    return text


def test_an_old_file_without_schema_is_a_one_line_error(tmp_path: Path):
    path = tmp_path / "failures.json"
    path.write_text(json.dumps({"dev": ["d1"]}))  # what clin-distill wrote before the schema
    text = one_line_error(Failures, path)
    assert "schema None, expected 'clin_distill.failures.v2'" in text and "rerun the step" in text


def test_another_files_schema_is_a_one_line_error(tmp_path: Path):
    path = pool().write(tmp_path / "choice.json")
    text = one_line_error(Failures, path)
    assert "schema 'clin_distill.pool.v1', expected 'clin_distill.failures.v2'" in text


def test_a_newer_version_is_a_one_line_error(tmp_path: Path):
    path = tmp_path / "usage.json"
    data = usage().to_json()
    path.write_text(json.dumps({**data, "schema": "clin_distill.llm_usage.v2"}))
    assert "expected 'clin_distill.llm_usage.v1'" in one_line_error(LLMUsage, path)


def test_a_wrong_or_missing_field_is_named(tmp_path: Path):
    path = tmp_path / "metrics.json"
    data = teacher_metrics().to_json()
    data["splits"]["dev"]["docs"] = "two"
    path.write_text(json.dumps(data))
    assert "clin_distill.teacher_metrics.v1 field splits.dev.docs" in one_line_error(TeacherMetrics, path)
    del data["kind"]
    data["splits"]["dev"]["docs"] = 2
    path.write_text(json.dumps(data))
    assert "field kind: Field required" in one_line_error(TeacherMetrics, path)
    data["kind"], data["surprise"] = "llm", 1
    path.write_text(json.dumps(data))
    assert "field surprise" in one_line_error(TeacherMetrics, path)


def test_absent_and_unparseable_files_are_one_line_errors(tmp_path: Path):
    assert "not found (run the step that writes it)" in one_line_error(Failures, tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "clin_distill.failures.v2", "failed": {')
    assert "not a JSON file" in one_line_error(Failures, bad)


def test_a_model_built_in_code_carries_its_schema_and_refuses_another():
    assert Failures(failed={}).schema_name == "clin_distill.failures.v2"
    with pytest.raises(ValueError, match="is not 'clin_distill.failures.v2'"):
        Failures.model_validate({"schema": "clin_distill.pool.v1", "failed": {}})
