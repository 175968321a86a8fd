import subprocess
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from clin_distill.docio import get_doc_id, read_docbin, write_docbin
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from clin_distill.teachers.pipeline import assemble_teacher
from clin_distill.teachers.run import label_docs, teach_corpus

from .conftest import CONFIGS, gold_docs

SCRIPT = Path(__file__).parents[2] / "scripts" / "teach.py"


@Language.component("failing_on_d2_for_tests")
def failing_on_d2(doc):
    if get_doc_id(doc) == "d2":
        raise RuntimeError("teacher crashed")
    return doc


def _corpus(folder: Path) -> Path:
    write_docbin(folder / "train.spacy", gold_docs(("d1", "d2")))
    write_docbin(folder / "dev.spacy", gold_docs(("d1", "d3")))
    write_docbin(folder / "test.spacy", gold_docs())
    return folder


def test_label_docs_marks_failures_and_keeps_user_data(patterns_file):
    nlp = assemble_teacher(CONFIGS / "open_vocab.cfg", {"paths.patterns": str(patterns_file)})
    nlp.add_pipe("failing_on_d2_for_tests", first=True)
    run = label_docs(nlp, gold_docs())
    assert run.failed == ["d2"]
    assert [get_doc_id(d) for d in run.docs] == ["d1", "d3"]
    assert run.docs[0].user_data["source"] == "fixture"
    assert [e.label_ for e in run.docs[0].ents] == ["DISEASE", "DISEASE", "MEDICATION", "DISEASE"]


def test_teach_corpus_excludes_failed_docs_and_scores(patterns_file, tmp_path):
    nlp = assemble_teacher(CONFIGS / "open_vocab.cfg", {"paths.patterns": str(patterns_file)})
    nlp.add_pipe("failing_on_d2_for_tests", first=True)
    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    metrics = teach_corpus(nlp, corpus, out, "fixture", tmp_path / "metrics.json")
    assert Failures.read(out / "failures.json").failed == {"train": ["d2"], "dev": [], "test": ["d2"]}
    assert [get_doc_id(d) for d in read_docbin(out / "test.spacy")] == ["d1", "d3"]
    assert {s: run.failed for s, run in metrics.splits.items()} == {"train": 1, "dev": 0, "test": 1}
    assert metrics.failures_by_reason == {"RuntimeError": 2}  # the exception type, never note text
    # d2 is failed, not "no entities": its gold spans are not counted as misses
    assert metrics.scores["test"].prf("strict", "micro").fn == 0
    assert metrics.scores["test"].n_docs == 2
    assert TeacherMetrics.read(tmp_path / "metrics.json") == metrics
    assert (metrics.kind, metrics.dataset, metrics.small_local_model) == ("ontology", "corpus", False)


def test_teach_script_end_to_end(patterns_file, tmp_path):
    corpus = _corpus(tmp_path / "corpus" / "tiny")
    cmd = [
        sys.executable,
        str(SCRIPT),
        str(CONFIGS / "open_vocab.cfg"),
        "corpus/tiny",
        "corpus/teachers/ov/tiny",
        "--name",
        "ov",
        "--metrics",
        "metrics/teachers/ov.json",
    ]
    result = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "strict F" in result.stdout and "lenient F" in result.stdout
    metrics = TeacherMetrics.read(tmp_path / "metrics/teachers/ov.json")
    test = metrics.scores["test"]
    # WD twice via the abbreviation, "breast and ovarian cancer" via coordination, AIDS by exact case
    assert test.prf("strict", "DISEASE").tp == 5 and test.prf("strict", "DISEASE").fn == 0
    assert test.prf("strict", "micro").fp == 0
    assert metrics.teacher_meta["vocabulary"]["name"] == "open_vocab"
    out = tmp_path / "corpus/teachers/ov/tiny"
    assert sorted(p.name for p in out.iterdir()) == [
        "dev.spacy",
        "failures.json",
        "test.spacy",
        "train.spacy",
    ]
    assert (out / "test.spacy").stat().st_mode & 0o777 == 0o600
    loaded = spacy.load(tmp_path / "training/teachers/ov")
    assert [e.text for e in loaded("AIDS and Wilson disease").ents] == ["AIDS", "Wilson disease"]
    assert corpus.is_dir()
