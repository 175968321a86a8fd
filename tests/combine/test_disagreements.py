"""Disagreement scores, their order, and the Prodigy / Label Studio record format."""

from __future__ import annotations

import pytest

from clin_distill.combine import disagreement, label_studio_task, top_disagreements
from clin_distill.combine.disagreements import review_record

from .builders import TEXT, votes


def test_score_sums_one_minus_largest_agreement_share_per_cluster():
    dv = votes(
        a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION")],
        b=[(3, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION")],
        c=[(2, 4, "SYMPTOM"), (5, 6, "SYMPTOM"), (7, 8, "MEDICATION")],
    )
    # chest pain: 2/3 agree; diabetes: 2/3 agree; metformin: 3/3 agree
    assert disagreement(dv) == pytest.approx(1 / 3 + 1 / 3)
    assert disagreement(votes(a=[(2, 4, "SYMPTOM")])) is None


def test_top_docs_are_ordered_by_score_then_id_and_zero_scores_left_out():
    docs = [
        votes("z", a=[(2, 4, "SYMPTOM")], b=[]),
        votes("y", a=[(2, 4, "SYMPTOM")], b=[]),
        votes("x", a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE")], b=[]),
        votes("agree", a=[(2, 4, "SYMPTOM")], b=[(2, 4, "SYMPTOM")]),
        votes("alone", a=[(2, 4, "SYMPTOM")], failed={"b": "failed"}),
    ]
    top, too_few = top_disagreements(docs, 3)
    assert [(dv.doc_id, score) for dv, score in top] == [("x", 1.0), ("y", 0.5), ("z", 0.5)]
    assert too_few == 1


def test_a_teacher_silent_everywhere_does_not_count():
    docs = [votes("x", a=[(2, 4, "SYMPTOM")], b=[(2, 4, "SYMPTOM")], silent=[])]
    assert disagreement(docs[0]) == pytest.approx(1 / 3)
    assert top_disagreements(docs, 5) == ([], 0)


def test_review_record_is_a_prodigy_task_with_teacher_meta():
    dv = votes(a=[(2, 4, "SYMPTOM")], b=[(3, 4, "SYMPTOM")], failed={"c": "failed"})
    record = review_record(dv, 0.5, [(2, 4, "SYMPTOM")], in_corpus=False)
    assert record["text"] == TEXT
    span = record["spans"][0]
    assert TEXT[span["start"] : span["end"]] == "chest pain"
    assert (span["token_start"], span["token_end"], span["label"]) == (2, 3, "SYMPTOM")
    assert len(record["tokens"]) == 12 and record["tokens"][2]["text"] == "chest"
    meta = record["meta"]
    assert meta["doc_id"] == "d1" and meta["in_distilled_corpus"] is False
    assert meta["teachers"]["c"] == "failed"
    assert meta["teachers"]["b"] == [
        {"start": TEXT.index("pain"), "end": TEXT.index("pain") + 4, "label": "SYMPTOM"}
    ]
    task = label_studio_task(record)
    assert task["data"]["text"] == TEXT
    assert task["predictions"][0]["result"][0]["value"]["labels"] == ["SYMPTOM"]
    assert task["predictions"][0]["result"][0]["value"]["text"] == "chest pain"
