"""Dawid–Skene recovers the reliable teacher from agreement alone."""

from __future__ import annotations

import numpy as np
import pytest

from clin_distill.combine import DawidSkene, Decision, KOfN, Part, Union, combine
from clin_distill.combine.dawid_skene import NONE
from clin_distill.labels import LABELS

from .builders import votes

CLASSES = (*LABELS, NONE)


ACCURACY = {"good": 0.9, "fair1": 0.6, "fair2": 0.6, "bad1": 0.0, "bad2": 0.0}


def synthetic_items(n: int = 600, seed: int = 0):
    """Each teacher reports the true class with its ACCURACY, else a uniformly random class."""
    rng = np.random.default_rng(seed)
    items, truth = [], []
    while len(items) < n:
        true = CLASSES[rng.integers(len(CLASSES))]
        obs = {
            t: true if rng.random() < acc else CLASSES[rng.integers(len(CLASSES))]
            for t, acc in ACCURACY.items()
        }
        item_votes = {t: label for t, label in obs.items() if label != NONE}
        if item_votes:  # a cluster exists only where some teacher proposed a span
            items.append((item_votes, tuple(ACCURACY)))
            truth.append(true)
    return items, truth


def accuracy(strategy, items, truth) -> float:
    right = 0
    for (item_votes, teachers), true in zip(items, truth, strict=True):
        decision = strategy.decide(item_votes, teachers)
        right += (decision.label if decision else NONE) == true
    return right / len(items)


def test_dawid_skene_trusts_the_good_teacher():
    items, truth = synthetic_items()
    model = DawidSkene().fit(items)
    acc = model.accuracy()
    assert acc["good"] > 0.85 > max(acc["fair1"], acc["fair2"]) > 0.5 > max(acc["bad1"], acc["bad2"])
    ds = accuracy(model, items, truth)
    assert ds > 0.88
    assert ds > accuracy(Union(), items, truth) + 0.15
    assert ds > accuracy(KOfN(), items, truth) + 0.1
    assert model.converged


def test_dawid_skene_inside_a_plan_is_fit_on_the_docs_it_labels():
    # good and fair agree on "diabetes"; bad alone proposes "chest pain" in half the docs
    docs = [
        votes(
            f"d{i}",
            good=[(5, 6, "DISEASE")],
            fair=[(5, 6, "DISEASE")] if i % 5 else [(5, 6, "SYMPTOM")],
            bad=[(2, 4, "SYMPTOM")] if i % 2 else [(5, 6, "SYMPTOM")],
        )
        for i in range(40)
    ]
    result = combine(docs, [Part(LABELS, ("good", "fair", "bad"), DawidSkene())])
    assert len(result.fitted) == 1 and result.fitted[0].n_items == 60
    assert all(spans == [(5, 6, "DISEASE")] for spans in result.spans.values())


def test_dawid_skene_emits_only_a_proposed_label_and_abstains_when_o_wins():
    # "flip" always says DISEASE where "a" and "b" say SYMPTOM: the model learns that flip's DISEASE
    # means SYMPTOM when they agree, and that a SYMPTOM comes with flip's DISEASE and b's SYMPTOM
    teachers = ("flip", "a", "b")
    model = DawidSkene().fit([({"flip": "DISEASE", "a": "SYMPTOM", "b": "SYMPTOM"}, teachers)] * 30)
    assert model.decide({"flip": "DISEASE", "a": "SYMPTOM", "b": "SYMPTOM"}, teachers) == Decision(
        "SYMPTOM", pytest.approx(1.0, abs=1e-4), 2
    )
    # flip alone: SYMPTOM (a and b silent) is improbable and unproposed; DISEASE and O are near even,
    # DISEASE just ahead: the proposed label is emitted, never the unproposed SYMPTOM, and not None
    post = model.posterior({"flip": "DISEASE"}, teachers)
    assert post["SYMPTOM"] < 0.01 and post["DISEASE"] == pytest.approx(post[NONE], rel=1e-3)
    assert post["DISEASE"] > post[NONE]
    assert model.decide({"flip": "DISEASE"}, teachers) == Decision("DISEASE", post["DISEASE"], 1)
    # a alone: a SYMPTOM without flip's DISEASE and b's SYMPTOM never happened: O wins, no span
    post = model.posterior({"a": "SYMPTOM"}, teachers)
    assert post[NONE] > 10 * post["SYMPTOM"]
    assert model.decide({"a": "SYMPTOM"}, teachers) is None
