"""Bootstrap CIs: seeded, containing the point estimate, and the sampling distribution of the documents."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clin_distill.labels import LABELS
from clin_distill.metrics.bootstrap import BootstrapSpec, bootstrap_ci, count_array
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


def binomial_quantile(n: int, q: float) -> int:
    """The smallest k with P(K <= k) >= q for K ~ Binomial(n, 1/2)."""
    cdf = 0.0
    for k in range(n + 1):
        cdf += math.comb(n, k) / 2**n
        if cdf >= q:
            return k
    return n


def half_right(n_docs: int) -> np.ndarray:
    """Counts of ``n_docs`` docs: half hold one true positive, half one false positive."""
    counts = np.zeros((n_docs, 1, 3))
    counts[: n_docs // 2, 0, 0] = 1
    counts[n_docs // 2 :, 0, 1] = 1
    return counts


def test_the_interval_is_the_binomial_sampling_distribution_of_the_documents():
    """A resample's precision is K/100, K ~ Binomial(100, 1/2): its 2.5% and 97.5% quantiles are
    known exactly (40 and 60), whatever random draws the implementation makes."""
    ci = bootstrap_ci(half_right(100), ["DISEASE"], BootstrapSpec(n_resamples=20_000, seed=5))["DISEASE"]
    assert binomial_quantile(100, 0.025) == 40 and binomial_quantile(100, 0.975) == 60
    assert ci["p"] == pytest.approx([0.40, 0.60], abs=0.011)
    assert ci["r"] == [1.0, 1.0]  # no false negative in any resample


def test_the_interval_narrows_with_the_square_root_of_the_documents():
    """100 times the documents, a tenth of the width: documents, not spans, are resampled."""
    spec = BootstrapSpec(n_resamples=4000, seed=1)
    small = bootstrap_ci(half_right(100), ["DISEASE"], spec)["micro"]["p"]
    large = bootstrap_ci(half_right(10_000), ["DISEASE"], spec)["micro"]["p"]
    assert (small[1] - small[0]) / (large[1] - large[0]) == pytest.approx(10, rel=0.2)
    assert large == pytest.approx([0.49, 0.51], abs=0.002)


def test_identical_docs_give_zero_width_interval():
    counts = np.tile(np.array([[3.0, 1.0, 1.0], [0, 0, 0], [2.0, 2.0, 0]]), (20, 1, 1))
    ci = bootstrap_ci(counts, LABELS)
    assert ci[LABELS[0]]["p"] == pytest.approx([0.75, 0.75])
    assert ci["macro"]["f"][0] == pytest.approx(ci["macro"]["f"][1])


def test_no_docs():
    ci = bootstrap_ci(np.zeros((0, 3, 3)), LABELS)
    assert ci["micro"]["f"] == [0.0, 0.0]
