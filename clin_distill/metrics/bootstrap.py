"""Percentile bootstrap confidence intervals for span P/R/F, resampling documents.

Documents (not spans) are the unit of resampling, because spans in one note are not
independent. Each of ``n_resamples`` resamples (default 1000, seeded with ``seed``)
draws ``n_docs`` documents with replacement, re-sums their per-document TP/FP/FN, and
recomputes P, R and F per label, micro and macro. The interval is the
``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` percentiles of those values.

It is vectorised: a resample is a row of multinomial document weights, so the totals of
a block of resamples are one matrix product ``weights @ counts``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

N_RESAMPLES = 1000
SEED = 0
CONFIDENCE = 0.95
KINDS = ("tp", "fp", "fn")
BLOCK = 200


@dataclass(frozen=True)
class BootstrapSpec:
    """Resamples, seed and confidence of the bootstrap."""

    n_resamples: int = N_RESAMPLES
    seed: int = SEED
    confidence: float = CONFIDENCE

    def describe(self) -> dict:
        """The method and its settings, as the metrics files record them."""
        return {
            "method": "percentile bootstrap over documents (resampled with replacement)",
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "confidence": self.confidence,
        }


DEFAULT_SPEC = BootstrapSpec()


def count_array(per_doc: Sequence[Counter], labels: Sequence[str]) -> np.ndarray:
    """Stack per-document ``Counter[(label, kind)]`` into an ``(n_docs, n_labels, 3)`` array."""
    out = np.zeros((len(per_doc), len(labels), len(KINDS)), dtype=np.float64)
    for i, counts in enumerate(per_doc):
        for j, label in enumerate(labels):
            for k, kind in enumerate(KINDS):
                out[i, j, k] = counts[label, kind]
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=np.float64), where=den > 0)


def prf_arrays(totals: np.ndarray) -> dict[str, np.ndarray]:
    """P/R/F from totals shaped ``(..., 3)`` (tp, fp, fn); zero where undefined."""
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return {"p": p, "r": r, "f": _ratio(2 * p * r, p + r)}


def _resampled_totals(counts: np.ndarray, spec: BootstrapSpec) -> np.ndarray:
    """``(n_resamples, n_labels, 3)`` totals of the resampled documents."""
    n_docs = counts.shape[0]
    flat = counts.reshape(n_docs, -1)
    rng = np.random.default_rng(spec.seed)
    uniform = np.full(n_docs, 1.0 / n_docs)
    blocks = []
    for start in range(0, spec.n_resamples, BLOCK):
        size = min(BLOCK, spec.n_resamples - start)
        weights = rng.multinomial(n_docs, uniform, size=size).astype(np.float64)
        blocks.append(weights @ flat)
    return np.concatenate(blocks).reshape(spec.n_resamples, *counts.shape[1:])


def bootstrap_ci(counts: np.ndarray, labels: Sequence[str], spec: BootstrapSpec = DEFAULT_SPEC) -> dict:
    """``{label|"micro"|"macro": {"p"|"r"|"f": [low, high]}}`` (macro: ``f`` only).

    Macro F of a resample averages the labels that have gold spans in that resample.
    With no documents every interval is ``[0.0, 0.0]``.
    """
    labels = list(labels)
    if counts.shape[0] == 0:
        zero = {"p": [0.0, 0.0], "r": [0.0, 0.0], "f": [0.0, 0.0]}
        return {**{lab: dict(zero) for lab in labels}, "micro": dict(zero), "macro": {"f": [0.0, 0.0]}}
    totals = _resampled_totals(counts, spec)
    per_label = prf_arrays(totals)
    micro = prf_arrays(totals.sum(axis=1))
    has_gold = (totals[..., 0] + totals[..., 2]) > 0
    n_present = has_gold.sum(axis=1)
    macro_f = _ratio((per_label["f"] * has_gold).sum(axis=1), n_present.astype(np.float64))
    q = [100 * (1 - spec.confidence) / 2, 100 * (1 + spec.confidence) / 2]

    def interval(values: np.ndarray) -> list[float]:
        low, high = np.percentile(values, q)
        return [float(low), float(high)]

    out: dict = {
        lab: {m: interval(per_label[m][:, j]) for m in ("p", "r", "f")} for j, lab in enumerate(labels)
    }
    out["micro"] = {m: interval(micro[m]) for m in ("p", "r", "f")}
    out["macro"] = {"f": interval(macro_f)}
    return out
