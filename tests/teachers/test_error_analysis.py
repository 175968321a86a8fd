from pathlib import Path

import pytest
import spacy

from clin_distill.docio import set_doc_id, set_provenance, write_docbin
from clin_distill.labels import LABELS
from clin_distill.stepfiles.teacher_errors import TeacherErrors
from clin_distill.teachers.error_analysis import analyse, boundary_kind, check_split, classify_doc, shape_kind
from tests.faults.conftest import error_line, invoke

TEXT = "Acute pancreatitis with SOB and nausea; given aspirin 2 mg PO."


def _doc(spans, doc_id="d1"):
    nlp = spacy.blank("en")
    doc = nlp.make_doc(TEXT)
    doc.ents = [doc.char_span(TEXT.index(t), TEXT.index(t) + len(t), label) for t, label in spans]
    return set_doc_id(doc, doc_id)


def test_each_span_takes_one_outcome_with_its_kind():
    gold = _doc(
        [("pancreatitis", "DISEASE"), ("SOB", "SYMPTOM"), ("nausea", "SYMPTOM"), ("aspirin", "MEDICATION")]
    )
    pred = _doc(
        [
            ("Acute pancreatitis", "DISEASE"),
            ("nausea", "DISEASE"),
            ("aspirin", "MEDICATION"),
            ("PO", "SYMPTOM"),
        ]
    )
    out = classify_doc(pred, gold, ["MEDICATION", "DISEASE", "SYMPTOM"])
    assert dict(out) == {
        ("correct", "MEDICATION", "one_word", "aspirin"): 1,
        ("boundary", "DISEASE", "wider_left", "pancreatitis → acute pancreatitis"): 1,
        ("confusion", "SYMPTOM", "as_DISEASE", "nausea → nausea"): 1,
        ("missed", "SYMPTOM", "acronym", "sob"): 1,
        ("spurious", "SYMPTOM", "acronym", "po"): 1,
    }


def test_unannotated_labels_are_confusions_never_spurious():
    gold = set_provenance(_doc([("nausea", "DISEASE")]), "ncbi_disease", ["DISEASE"])
    pred = _doc([("nausea", "SYMPTOM"), ("SOB", "SYMPTOM")])
    report = analyse([pred], [gold], "ncbi_disease", "dev")
    assert report.labels == ["DISEASE"]
    assert dict(report.errors) == {("confusion", "DISEASE", "as_SYMPTOM", "nausea → nausea"): 1}
    assert report.scores.prf("strict", "DISEASE").fn == 1 and report.scores.prf("strict", "DISEASE").fp == 0


def test_kinds_and_split_guard():
    assert [shape_kind(t) for t in ("HTN", "2 mg", "rash", "chest pain")] == [
        "acronym",
        "has_digit",
        "one_word",
        "multi_word",
    ]
    assert boundary_kind((0, 10, "X"), (2, 12, "X")) == "wider_left+narrower_right"
    with pytest.raises(ValueError, match="not 'test'"):
        check_split("test")


def test_a_label_the_corpus_class_covers_is_scored_as_that_class():
    gold = set_provenance(
        _doc([("nausea", "DISEASE")]), "bc5cdr", ["MEDICATION", "DISEASE"], {"DISEASE": ["SYMPTOM"]}
    )
    pred = _doc([("nausea", "SYMPTOM"), ("SOB", "SYMPTOM")])
    report = analyse([pred], [gold], "bc5cdr", "dev")
    assert dict(report.errors) == {
        ("correct", "DISEASE", "one_word", "nausea"): 1,
        ("spurious", "DISEASE", "acronym", "sob"): 1,
    }
    assert report.scores.prf("strict", "DISEASE").tp == 1


def test_the_step_reports_each_public_corpus_and_never_the_users_notes(tmp_path: Path):
    ncbi = set_provenance(_doc([("pancreatitis", "DISEASE")], "n1"), "ncbi_disease", ["DISEASE"])
    mac = set_provenance(_doc([("SOB", "SYMPTOM")], "m1"), "maccrobat", list(LABELS))
    private = set_provenance(_doc([("nausea", "SYMPTOM")], "x1"), "n2c2", list(LABELS))
    pred = [_doc([("pancreatitis", "DISEASE")], "n1"), _doc([], "m1"), _doc([], "x1")]
    pool, teachers = tmp_path / "pool", tmp_path / "teachers"
    write_docbin(pool / "dev.spacy", [ncbi, mac, private])
    write_docbin(teachers / "open_vocab" / "pool" / "dev.spacy", pred)
    out = tmp_path / "errors.json"
    result = invoke(
        "teacher_errors",
        teachers,
        pool,
        out,
        "--markdown",
        tmp_path / "errors.md",
        "--teachers",
        "open_vocab",
    )
    assert result.exit_code == 0, result.output
    reports = TeacherErrors.read(out).teachers["open_vocab"]
    assert [(r.corpus, r.labels) for r in reports] == [
        ("maccrobat", list(LABELS)),
        ("ncbi_disease", ["DISEASE"]),
    ]
    assert [(k.outcome, k.label, k.kind, k.n) for k in reports[0].kinds] == [
        ("missed", "SYMPTOM", "acronym", 1)
    ]
    assert reports[1].kinds == [] and reports[1].scores.prf("strict", "DISEASE").f == 1.0
    markdown = (tmp_path / "errors.md").read_text()
    assert "## open_vocab on maccrobat dev" in markdown and "sob ×1" in markdown and "nausea" not in markdown


def test_the_step_refuses_the_test_split(tmp_path: Path):
    result = invoke(
        "teacher_errors",
        tmp_path,
        tmp_path,
        tmp_path / "e.json",
        "--markdown",
        tmp_path / "e.md",
        "--teachers",
        "open_vocab",
        "--splits",
        "dev,test",
    )
    assert "not 'test'" in error_line(result)
