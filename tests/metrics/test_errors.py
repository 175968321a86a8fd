"""Error breakdown: boundary errors, label confusions, misses and spurious spans."""

from __future__ import annotations

from clin_distill.labels import LABELS
from clin_distill.metrics.errors import OUTCOMES, classify_spans, error_breakdown
from clin_distill.metrics.spans import char_spans

from .docs import random_docs
from .test_scores import hand_built


def test_hand_built_breakdown():
    pred, gold = hand_built()
    errors = error_breakdown(pred, gold)
    assert errors["total"] == {"correct": 2, "boundary": 2, "confusion": 1, "missed": 1, "spurious": 1}
    assert errors["per_label"]["SYMPTOM"] == {
        "correct": 1,
        "boundary": 2,
        "confusion": 0,
        "missed": 1,
        "spurious": 0,
        "confused_as": {},
    }
    assert errors["per_label"]["MEDICATION"]["confusion"] == 1
    assert errors["per_label"]["MEDICATION"]["confused_as"] == {"DISEASE": 1}
    assert errors["per_label"]["MEDICATION"]["spurious"] == 1
    assert errors["per_label"]["DISEASE"]["correct"] == 1
    assert errors["n_docs"] == 2


def test_same_span_other_label_is_confusion_and_boundary_wins_over_confusion():
    gold = {(0, 10, "DISEASE")}
    assert classify_spans({(0, 10, "SYMPTOM")}, gold) == {
        ("confusion", "DISEASE"): 1,
        ("confused_as", "DISEASE", "SYMPTOM"): 1,
    }
    both = classify_spans({(0, 10, "SYMPTOM"), (3, 10, "DISEASE")}, gold)
    assert both["boundary", "DISEASE"] == 1
    assert both["spurious", "SYMPTOM"] == 1
    assert both["confusion", "DISEASE"] == 0


def test_disjoint_spans_are_miss_and_spurious():
    counts = classify_spans({(20, 25, "SYMPTOM")}, {(0, 10, "SYMPTOM")})
    assert counts == {("missed", "SYMPTOM"): 1, ("spurious", "SYMPTOM"): 1}


def test_every_span_has_exactly_one_outcome():
    pred, gold = random_docs(60, 7)
    errors = error_breakdown(pred, gold)
    n_gold = sum(len(char_spans(d)) for d in gold)
    n_pred = sum(len(char_spans(d)) for d in pred)
    t = errors["total"]
    assert t["correct"] + t["boundary"] + t["confusion"] + t["missed"] == n_gold
    assert t["correct"] + t["boundary"] + t["confusion"] + t["spurious"] == n_pred
    assert all(t[o] > 0 for o in OUTCOMES)
    for label in LABELS:
        row = errors["per_label"][label]
        assert sum(row["confused_as"].values()) == row["confusion"]
