import pytest
import spacy

from clin_distill.docio import set_doc_id, set_provenance
from clin_distill.teachers.error_analysis import analyse, boundary_kind, check_split, classify_doc, shape_kind

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
