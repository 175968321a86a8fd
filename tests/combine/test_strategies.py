"""Each strategy's exact output on hand-built teacher votes: ties, overlaps, label conflicts."""

from __future__ import annotations

import math

import pytest

from clin_distill.combine import (
    Intersection,
    KOfN,
    Part,
    Union,
    Weighted,
    combine,
    estimate_weights,
    to_docs,
)
from clin_distill.labels import LABELS

from .builders import doc_with, votes

# "chest pain" / "pain" / "chest pain": one SYMPTOM cluster, boundary (2, 4) by 2 votes to 1.
# "diabetes": DISEASE (a, c) against SYMPTOM (b): a label conflict.
# "metformin": a and b only. "fever": a only.
DOC = votes(
    a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION"), (9, 10, "SYMPTOM")],
    b=[(3, 4, "SYMPTOM"), (5, 6, "SYMPTOM"), (7, 8, "MEDICATION")],
    c=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE")],
)
ABC = ("a", "b", "c")


def run(strategy, doc=DOC, teachers=ABC):
    return combine([doc], [Part(LABELS, teachers, strategy)])


def test_union():
    result = run(Union())
    assert result.spans["d1"] == [
        (2, 4, "SYMPTOM"),
        (5, 6, "DISEASE"),
        (7, 8, "MEDICATION"),
        (9, 10, "SYMPTOM"),
    ]
    assert result.counts["label conflicts"] == 1
    assert result.counts["label conflicts resolved"] == 1
    assert result.counts["boundary disagreements"] == 1


def test_intersection_needs_every_teacher_and_one_label():
    result = run(Intersection())
    assert result.spans["d1"] == [(2, 4, "SYMPTOM")]
    assert result.counts["label conflicts dropped"] == 1
    assert result.counts["clusters dropped by the strategy"] == 3


def test_majority_vote_and_k_of_n():
    assert run(KOfN()).spans["d1"] == [(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION")]
    assert run(KOfN(3)).spans["d1"] == [(2, 4, "SYMPTOM")]
    assert run(KOfN(1)).spans["d1"] == run(Union()).spans["d1"]
    with pytest.raises(ValueError):
        KOfN(0)


def test_label_ties_follow_label_order_and_boundary_ties_the_longer_span():
    doc = votes(a=[(5, 6, "SYMPTOM"), (2, 4, "SYMPTOM")], b=[(5, 6, "DISEASE"), (3, 4, "SYMPTOM")])
    assert run(Union(), doc, ("a", "b")).spans["d1"] == [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")]
    # 2 DISEASE vs 2 SYMPTOM reach k=2: the tie goes to DISEASE (order of LABELS)
    four = votes(a=[(5, 6, "SYMPTOM")], b=[(5, 6, "DISEASE")], c=[(5, 6, "SYMPTOM")], d=[(5, 6, "DISEASE")])
    assert run(KOfN(2), four, ("a", "b", "c", "d")).spans["d1"] == [(5, 6, "DISEASE")]
    # strict majority of 4 is 3: nobody reaches it
    assert run(KOfN(), four, ("a", "b", "c", "d")).spans["d1"] == []


def test_weighted_vote_can_overrule_a_majority():
    weights = {
        "a": {"DISEASE": -1.0, "SYMPTOM": 0.3, "MEDICATION": 2.0},
        "b": {"SYMPTOM": 0.5, "MEDICATION": -3.0},
        "c": {"DISEASE": -1.0, "SYMPTOM": 0.4},
    }
    result = run(Weighted(weights))
    # diabetes: DISEASE -2.0 vs SYMPTOM 0.5; metformin: 2.0 - 3.0 < 0; fever: 0.3
    assert result.spans["d1"] == [(2, 4, "SYMPTOM"), (5, 6, "SYMPTOM"), (9, 10, "SYMPTOM")]


def test_estimate_weights_are_smoothed_lenient_precision_log_odds():
    gold = [doc_with("d1", [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")])]
    teacher = [doc_with("d1", [(3, 4, "SYMPTOM"), (5, 6, "SYMPTOM"), (7, 8, "MEDICATION")])]
    weights = estimate_weights({"t": teacher}, gold)
    assert weights["t"]["SYMPTOM"] == pytest.approx(math.log(2 / 2))  # 1 tp (lenient), 1 fp
    assert weights["t"]["MEDICATION"] == pytest.approx(math.log(1 / 2))
    assert weights["t"]["DISEASE"] == 0.0


def test_parts_for_different_labels_merge_without_overlaps():
    doc = votes(a=[(5, 6, "DISEASE"), (2, 4, "SYMPTOM")], b=[(5, 6, "SYMPTOM")], c=[(5, 6, "SYMPTOM")])
    parts = [
        Part(("DISEASE",), ("a",), Union()),
        Part(("SYMPTOM",), ("a", "b", "c"), Union()),
    ]
    result = combine([doc], parts)
    # (5, 6): DISEASE scores 1/1 and SYMPTOM 2/3: DISEASE wins; the SYMPTOM span is dropped
    assert result.spans["d1"] == [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")]
    assert result.counts["overlaps between parts dropped"] == 1
    docs = to_docs([doc], result)
    assert [(e.start, e.end, e.label_) for e in docs[0].ents] == result.spans["d1"]


def test_only_the_parts_labels_and_teachers_count():
    result = combine([DOC], [Part(("SYMPTOM",), ("b",), Union())])
    assert result.spans["d1"] == [(3, 4, "SYMPTOM"), (5, 6, "SYMPTOM")]
