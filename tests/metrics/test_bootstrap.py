"""Bootstrap CIs: seeded, vectorised, and containing the point estimate."""

from __future__ import annotations

import time

import numpy as np
import pytest

from clin_distill.labels import LABELS
from clin_distill.metrics.bootstrap import BootstrapSpec, bootstrap_ci, count_array, prf_arrays
from clin_distill.metrics.evaluate import evaluate_docs
from clin_distill.metrics.spans import per_doc_counts

from .docs import random_docs
from .test_scores import hand_built


@pytest.mark.parametrize("mode", ["strict", "lenient"])
def test_ci_contains_point_estimate(mode):
    pred, gold = random_docs(80, 3)
    result = evaluate_docs(pred, gold, LABELS)
    for key in (*LABELS, "micro"):
        entry = result[mode][key]
        for metric in ("p", "r", "f"):
            low, high = entry["ci"][metric]
            assert 0.0 <= low <= entry[metric] <= high <= 1.0, (key, metric)
        assert entry["ci"]["f"][1] - entry["ci"]["f"][0] > 0.01  # real spread over 80 docs
    low, high = result[mode]["macro"]["ci"]["f"]
    assert low <= result[mode]["macro"]["f"] <= high


def test_hand_built_ci_contains_point_estimate():
    pred, gold = hand_built()
    result = evaluate_docs(pred, gold, LABELS)
    for mode in ("strict", "lenient"):
        low, high = result[mode]["micro"]["ci"]["f"]
        assert low <= result[mode]["micro"]["f"] <= high


def test_seeded_and_documented():
    pred, gold = random_docs(30, 4)
    counts = count_array([d["strict"] for d in per_doc_counts(pred, gold).values()], LABELS)
    spec = BootstrapSpec(n_resamples=500, seed=11)
    assert bootstrap_ci(counts, LABELS, spec) == bootstrap_ci(counts, LABELS, spec)
    assert bootstrap_ci(counts, LABELS, spec) != bootstrap_ci(counts, LABELS, BootstrapSpec(500, seed=12))
    assert spec.describe() == {
        "method": "percentile bootstrap over documents (resampled with replacement)",
        "n_resamples": 500,
        "seed": 11,
        "confidence": 0.95,
    }


def test_vectorised_matches_explicit_resampling():
    """Same multinomial draws, summed doc by doc in a loop, give the same interval."""
    pred, gold = random_docs(25, 5)
    counts = count_array([d["lenient"] for d in per_doc_counts(pred, gold).values()], LABELS)
    spec = BootstrapSpec(n_resamples=300, seed=2)
    rng = np.random.default_rng(spec.seed)
    n = counts.shape[0]
    weights = rng.multinomial(n, np.full(n, 1 / n), size=spec.n_resamples)
    micro_f = []
    for w in weights:
        idx = np.repeat(np.arange(n), w)  # the resampled documents
        micro_f.append(float(prf_arrays(counts[idx].sum(axis=(0, 1)))["f"]))
    expected = np.percentile(micro_f, [2.5, 97.5])
    assert bootstrap_ci(counts, LABELS, spec)["micro"]["f"] == pytest.approx(list(expected))


def test_identical_docs_give_zero_width_interval():
    counts = np.tile(np.array([[3.0, 1.0, 1.0], [0, 0, 0], [2.0, 2.0, 0]]), (20, 1, 1))
    ci = bootstrap_ci(counts, LABELS)
    assert ci[LABELS[0]]["p"] == pytest.approx([0.75, 0.75])
    assert ci["macro"]["f"][0] == pytest.approx(ci["macro"]["f"][1])


def test_fast_on_large_corpus():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 5, size=(5000, len(LABELS), 3)).astype(float)
    start = time.perf_counter()
    bootstrap_ci(counts, LABELS, BootstrapSpec(n_resamples=1000))
    assert time.perf_counter() - start < 5.0


def test_no_docs():
    ci = bootstrap_ci(np.zeros((0, 3, 3)), LABELS)
    assert ci["micro"]["f"] == [0.0, 0.0]
