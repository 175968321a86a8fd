"""Strict/lenient P/R/F on hand-built docs (nested and partial overlaps) and against spaCy's Scorer."""

from __future__ import annotations

import pytest
from spacy.scorer import Scorer, get_ner_prf
from spacy.training import Example

from clin_distill.docio import set_provenance
from clin_distill.labels import LABELS
from clin_distill.metrics import score_docs
from clin_distill.metrics.evaluate import evaluate_docs, scored_labels

from .docs import make_doc, random_docs

TEXT1 = "Patient with chest pain and type 2 diabetes takes metformin daily ."
TEXT2 = "No fever , cough or headache ."


def hand_built():
    gold = [
        make_doc(
            "n1",
            TEXT1,
            [("chest pain", "SYMPTOM"), ("type 2 diabetes", "DISEASE"), ("metformin", "MEDICATION")],
        ),
        make_doc("n2", TEXT2, [("fever", "SYMPTOM"), ("cough", "SYMPTOM"), ("headache", "SYMPTOM")]),
    ]
    pred = [
        # "pain" nested in gold "chest pain"; exact disease; "metformin daily" overlaps with another label
        make_doc(
            "n1", TEXT1, [("pain", "SYMPTOM"), ("type 2 diabetes", "DISEASE"), ("metformin daily", "DISEASE")]
        ),
        # one span covering two gold spans (partial overlap with each); exact headache; spurious "No"
        make_doc("n2", TEXT2, [("No", "MEDICATION"), ("fever , cough", "SYMPTOM"), ("headache", "SYMPTOM")]),
    ]
    return pred, gold


def prf(scores: dict) -> tuple:
    return scores["tp"], scores["fp"], scores["fn"]


def test_strict_exact_numbers():
    pred, gold = hand_built()
    s = score_docs(pred, gold)["strict"]
    assert prf(s["SYMPTOM"]) == (1, 2, 3)
    assert s["SYMPTOM"]["p"] == pytest.approx(1 / 3)
    assert s["SYMPTOM"]["r"] == pytest.approx(1 / 4)
    assert s["SYMPTOM"]["f"] == pytest.approx(2 / 7)
    assert prf(s["DISEASE"]) == (1, 1, 0)
    assert s["DISEASE"]["f"] == pytest.approx(2 / 3)
    assert prf(s["MEDICATION"]) == (0, 1, 1)
    assert s["MEDICATION"]["f"] == 0.0
    assert prf(s["micro"]) == (2, 4, 4)
    assert s["micro"]["f"] == pytest.approx(1 / 3)
    assert s["macro"]["f"] == pytest.approx((2 / 7 + 2 / 3 + 0) / 3)


def test_lenient_exact_numbers_one_to_one():
    pred, gold = hand_built()
    s = score_docs(pred, gold)["lenient"]
    # nested "pain" matches "chest pain"; "fever , cough" matches only one of fever/cough
    assert prf(s["SYMPTOM"]) == (3, 0, 1)
    assert (s["SYMPTOM"]["p"], s["SYMPTOM"]["r"]) == (1.0, 0.75)
    assert s["SYMPTOM"]["f"] == pytest.approx(6 / 7)
    assert prf(s["DISEASE"]) == (1, 1, 0)
    assert prf(s["MEDICATION"]) == (0, 1, 1)
    assert prf(s["micro"]) == (4, 2, 2)
    assert s["micro"]["f"] == pytest.approx(2 / 3)


def test_prediction_containing_gold_is_lenient_match():
    gold = [make_doc("a", "severe chest pain today", [("chest pain", "SYMPTOM")])]
    pred = [make_doc("a", "severe chest pain today", [("severe chest pain", "SYMPTOM")])]
    scores = score_docs(pred, gold)
    assert prf(scores["strict"]["SYMPTOM"]) == (0, 1, 1)
    assert prf(scores["lenient"]["SYMPTOM"]) == (1, 0, 0)


def test_docs_without_prediction_are_skipped_not_empty():
    pred, gold = hand_built()
    scores = score_docs(pred[:1], gold)
    assert scores["n_docs"] == 1
    assert prf(scores["strict"]["micro"]) == (1, 2, 2)


def test_evaluate_docs_keeps_score_docs_keys_and_adds_ci_and_errors():
    pred, gold = hand_built()
    base = score_docs(pred, gold)
    full = evaluate_docs(pred, gold, LABELS)
    for mode in ("strict", "lenient"):
        for key, entry in base[mode].items():
            for field, value in entry.items():
                assert full[mode][key][field] == value
        assert set(full[mode]["micro"]["ci"]) == {"p", "r", "f"}
        assert set(full[mode]["macro"]["ci"]) == {"f"}
    assert full["bootstrap"]["n_resamples"] == 1000
    assert full["errors"]["total"]["boundary"] == 2


def test_scored_labels_are_those_the_gold_corpora_annotate():
    gold = [
        set_provenance(make_doc("a", "no fever today", [("fever", "SYMPTOM")]), "c1", ["SYMPTOM"]),
        set_provenance(make_doc("b", "has diabetes", []), "c2", ["DISEASE"]),
    ]
    assert scored_labels(gold) == ["DISEASE", "SYMPTOM"]  # DISEASE is annotated, though it has no span
    # A gold doc without provenance annotates every label
    assert scored_labels([make_doc("c", "has diabetes", [])]) == list(LABELS)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strict_matches_spacy_scorer(seed):
    pred, gold = random_docs(40, seed)
    ours = score_docs(pred, gold)["strict"]
    examples = [Example(p, g) for p, g in zip(pred, gold, strict=True)]
    theirs = get_ner_prf(examples)
    spans = Scorer.score_spans(examples, "ents")
    assert ours["micro"]["p"] == pytest.approx(theirs["ents_p"]) == pytest.approx(spans["ents_p"])
    assert ours["micro"]["r"] == pytest.approx(theirs["ents_r"]) == pytest.approx(spans["ents_r"])
    assert ours["micro"]["f"] == pytest.approx(theirs["ents_f"]) == pytest.approx(spans["ents_f"])
    assert set(theirs["ents_per_type"]) == set(LABELS)
    for label, prf_ in theirs["ents_per_type"].items():
        for key in ("p", "r", "f"):
            assert ours[label][key] == pytest.approx(prf_[key]), (label, key)
