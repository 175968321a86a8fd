"""Uncertain tokens: teacher proposals the combination did not keep become missing, not "O"."""

from __future__ import annotations

from spacy.training import Example

from clin_distill.combine import Part, combine, to_docs
from clin_distill.combine.strategies import KOfN, Union
from clin_distill.combine.uncertain import agreed_spans, uncertain_runs
from clin_distill.labels import LABELS

from .builders import NLP, votes

# tokens: 0 Patient 1 with 2 chest 3 pain 4 and 5 diabetes 6 took 7 metformin 8 for 9 fever 10 today 11 .
DOC = votes(
    "d1",
    a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE")],
    b=[(3, 4, "SYMPTOM"), (7, 8, "MEDICATION")],
    c=[(9, 11, "SYMPTOM")],
)


def iob(doc) -> list[str]:
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ else "-" for t in doc]


def test_proposals_the_plan_did_not_keep_become_missing_tokens():
    plan = [Part(LABELS, ("a",), Union())]  # only teacher "a" is trusted
    combined = combine([DOC], plan)
    kept = combined.spans["d1"]
    assert kept == [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")]
    # b's "pain" lies inside a kept span: taught; b's metformin and c's "fever today" were dropped
    assert uncertain_runs(DOC, kept, LABELS) == [(7, 8), (9, 11)]
    (doc,) = to_docs([DOC], combined, LABELS, {"d1": uncertain_runs(DOC, kept, LABELS)})
    assert iob(doc) == [
        "O-",
        "O-",
        "B-SYMPTOM",
        "I-SYMPTOM",
        "O-",
        "B-DISEASE",
        "O-",
        "-",
        "O-",
        "-",
        "-",
        "O-",
    ]
    aligned = Example(NLP.make_doc(doc.text), doc).get_aligned_ner()
    assert aligned[7] is None and aligned[9] is None and aligned[8] == "O"


def test_a_majority_vote_leaves_single_teacher_proposals_untaught():
    plan = [Part(LABELS, ("a", "b", "c"), KOfN())]  # 2 of 3 teachers must agree
    combined = combine([DOC], plan)
    assert combined.spans["d1"] == [(2, 4, "SYMPTOM")]  # a and b both proposed a span in "chest pain"
    assert uncertain_runs(DOC, combined.spans["d1"], LABELS) == [(5, 6), (7, 8), (9, 11)]


def test_only_decided_labels_count_and_nothing_is_missing_without_proposals():
    kept = [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")]
    assert uncertain_runs(DOC, kept, ["SYMPTOM", "DISEASE"]) == [(9, 11)]  # MEDICATION not decided
    assert uncertain_runs(votes("d2", a=[]), [], LABELS) == []


def test_disputed_mode_teaches_only_spans_the_plan_teachers_agree_on():
    doc = votes(
        "d3",
        a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION")],
        b=[(2, 4, "SYMPTOM"), (5, 6, "SYMPTOM")],  # agrees on chest pain; calls diabetes a symptom
    )
    plan = [Part(LABELS, ("a", "b"), Union())]
    kept = combine([doc], plan).spans["d3"]
    assert kept == [(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (7, 8, "MEDICATION")]
    agreed = agreed_spans(doc, kept, plan)
    assert agreed == [(2, 4, "SYMPTOM")]  # diabetes: label disputed; metformin: only "a" proposed it
    assert uncertain_runs(doc, agreed, LABELS) == [(5, 6), (7, 8)]
    # a teacher that did not label the doc does not dispute anything
    alone = votes("d4", failed={"b": "failed"}, a=[(7, 8, "MEDICATION")])
    assert agreed_spans(alone, [(7, 8, "MEDICATION")], plan) == [(7, 8, "MEDICATION")]
