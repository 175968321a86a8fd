"""scripts/combine.py end to end on tiny DocBins written here."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest
import srsly
import typer
from spacy.vocab import Vocab
from typer.testing import CliRunner

from clin_distill.docio import read_docbin
from clin_distill.stepfiles.combine import CombineChoice, DevF1, Excluded, LabelChoice, SubsetSearch
from clin_distill.stepfiles.failures import Failures

from .builders import doc_with, write_teacher

REPO = Path(__file__).resolve().parents[2]

GOLD_DEV = {"g1": [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")], "g2": [(5, 6, "DISEASE"), (7, 8, "MEDICATION")]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    from clin_distill.docio import write_docbin

    write_docbin(tmp_path / "corpus/ds/dev.spacy", [doc_with(i, s) for i, s in GOLD_DEV.items()])
    write_docbin(tmp_path / "corpus/ds/train.spacy", [doc_with(i, []) for i in ("t1", "t2", "t3")])
    teachers = tmp_path / "corpus/teachers"
    # a: finds diseases and symptoms (dev: perfect); b: diseases with a wrong extra, and medications
    write_teacher(
        teachers,
        "a",
        "ds",
        {
            "dev": [doc_with("g1", GOLD_DEV["g1"]), doc_with("g2", [(5, 6, "DISEASE")])],
            "train": [
                doc_with("t1", [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")]),
                doc_with("t3", [(9, 10, "SYMPTOM")]),
            ],
        },
        {"train": ["t2"]},
    )
    write_teacher(
        teachers,
        "b",
        "ds",
        {
            "dev": [doc_with("g1", [(5, 6, "DISEASE"), (9, 10, "DISEASE")]), doc_with("g2", GOLD_DEV["g2"])],
            "train": [
                doc_with("t1", [(5, 6, "SYMPTOM"), (7, 8, "MEDICATION")]),
                doc_with("t2", [(7, 8, "MEDICATION")]),
                doc_with("t3", [(9, 10, "DISEASE")]),
            ],
        },
        {},
    )
    # z: labels nothing at all (a teacher with zero labels is fine)
    write_teacher(
        teachers,
        "z",
        "ds",
        {"dev": [doc_with(i, []) for i in GOLD_DEV], "train": [doc_with(i, []) for i in ("t1", "t2", "t3")]},
        {},
    )
    return tmp_path


def load_app() -> typer.Typer:
    spec = importlib.util.spec_from_file_location("combine_script", REPO / "scripts/combine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = typer.Typer()
    app.command()(module.main)
    return app


APP = load_app()


def run_cli(root: Path, teachers: str, *extra: str):
    args = [
        "corpus/teachers",
        "corpus/ds",
        "corpus/distilled",
        "metrics/combine",
        "--dataset",
        "ds",
        "--teachers",
        teachers,
        *extra,
    ]
    cwd = Path.cwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(APP, args)
    finally:
        os.chdir(cwd)


def test_best_strategy_end_to_end(project: Path):
    proc = run_cli(project, "a,b,", "--strategy", "best", "--disagreements", "5")
    assert proc.exit_code == 0, proc.output
    out = project / "metrics/combine"
    subsets = SubsetSearch.read(out / "subsets.json")
    assert subsets.n_subsets == 3 and len(subsets.rows) == 3 * 2 * 3
    choice = CombineChoice.read(out / "choice.json")
    assert choice.labels["SYMPTOM"] == LabelChoice(
        teachers=["a"], strategy="union", dev=DevF1(strict_f=1.0, lenient_f=1.0)
    )
    assert choice.labels["MEDICATION"].teachers == ["b"]
    assert choice.labels["DISEASE"].teachers == ["a"]
    assert choice.labels_decided == ["MEDICATION", "DISEASE", "SYMPTOM"] and choice.labels_dropped == {}
    # t2: teacher a failed on it → excluded by default, and counted
    assert choice.train.excluded == Excluded(count=1, by_teacher={"a": 1}, doc_ids=["t2"])
    assert Failures.read(project / "corpus/distilled/failures.json").failed.keys() <= {"dev", "test"}
    docs = read_docbin(project / "corpus/distilled/train.spacy", Vocab())
    ents = {d.user_data["doc_id"]: [(e.start, e.end, e.label_) for e in d.ents] for d in docs}
    assert ents == {
        "t1": [(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION")],
        "t3": [(9, 10, "SYMPTOM")],  # a's SYMPTOM; b's DISEASE is not chosen for DISEASE
    }
    review = out / "disagreements.jsonl"
    assert stat.S_IMODE(review.stat().st_mode) == 0o600
    records = list(srsly.read_jsonl(review))
    assert [r["meta"]["doc_id"] for r in records] == ["t1", "t3"]
    assert {"text", "spans", "meta", "tokens"} <= records[0].keys()
    assert "✓" in (out / "subsets.md").read_text() and "✓" in proc.output
    assert "Patient" not in proc.output  # no note text on the console


def test_named_strategy_with_a_silent_teacher(project: Path):
    proc = run_cli(project, "a,b,z", "--strategy", "dawid_skene", "--on-failure", "abstain")
    assert proc.exit_code == 0, proc.output
    choice = CombineChoice.read(project / "metrics/combine/choice.json")
    assert SubsetSearch.read(project / "metrics/combine/subsets.json").n_subsets == 7
    assert choice.teachers_selected == ["a", "b", "z"]
    assert choice.fitted[0]["name"] == "dawid_skene"
    # abstain: t2 (a failed) is kept with the remaining teachers
    assert choice.train.excluded.count == 0 and choice.train.written == 3


def test_missing_teacher_is_a_clear_error(project: Path):
    proc = run_cli(project, "a,nope")
    assert proc.exit_code == 1
    assert "teacher 'nope' has no outputs" in proc.output
    assert not (project / "corpus/distilled/train.spacy").exists()


def test_a_teacher_that_labelled_no_dev_doc_is_left_out_and_reported(project: Path):
    write_teacher(
        project / "corpus/teachers",
        "dead",
        "ds",
        {"dev": [], "train": []},
        {"dev": list(GOLD_DEV), "train": ["t1", "t2", "t3"]},
    )
    proc = run_cli(project, "a,b,dead")
    assert proc.exit_code == 0, proc.output
    assert "teacher 'dead' left out" in proc.output
    choice = CombineChoice.read(project / "metrics/combine/choice.json")
    assert choice.teachers_dropped == {"dead": "labelled 0 of 2 dev docs"}
    assert SubsetSearch.read(project / "metrics/combine/subsets.json").n_subsets == 3


def test_teacher_labels_older_than_the_pool_are_a_one_line_error(project: Path):
    from clin_distill.docio import write_docbin

    write_docbin(project / "corpus/ds/train.spacy", [doc_with(i, []) for i in ("t1", "t2", "t3", "t4")])
    proc = run_cli(project, "a,b")
    assert proc.exit_code == 1
    assert proc.output.strip().splitlines() == [
        "✘ teacher 'a' labelled 3 train docs but the pool's train split has 4: 1 missing, 0 unexpected; "
        "its labels are older than the pool, rerun its teach step"
    ]
    assert not (project / "corpus/distilled/train.spacy").exists()


def test_a_teacher_asked_only_the_first_docs_of_a_split_is_not_stale(project: Path):
    folder = project / "corpus/teachers/capped/ds"
    write_teacher(
        project / "corpus/teachers",
        "capped",
        "ds",
        {"dev": [doc_with("g1", GOLD_DEV["g1"])], "train": [doc_with("t1", []), doc_with("t2", [])]},
        {},
    )
    Failures(failed={"dev": [], "train": []}, capped={"dev": 1, "train": 2}).write(folder / "failures.json")
    assert run_cli(project, "a,capped").exit_code == 0
    Failures(failed={"dev": [], "train": []}, capped={"dev": 1, "train": 1}).write(folder / "failures.json")
    proc = run_cli(project, "a,capped")
    assert proc.exit_code == 1 and "(capped at 1): 0 missing, 1 unexpected" in proc.output
