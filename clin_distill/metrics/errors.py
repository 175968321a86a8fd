"""Error breakdown of predicted vs gold spans: correct, boundary, label confusion, miss, spurious.

Per document, each gold and each predicted span takes part in exactly one outcome:

- **correct**: same start, end and label;
- **boundary**: overlapping, same label, different boundaries;
- **confusion**: same or overlapping span, another label (counted under the gold label,
  with the predicted label in ``confused_as``);
- **missed**: a gold span left unpaired;
- **spurious**: a predicted span left unpaired.

After exact matches, the remaining overlapping pairs are paired greedily: same-label
pairs first (boundary errors), then other-label pairs with identical offsets, then by
largest overlap. So ``correct + boundary + confusion + missed`` is the number of gold
spans and ``correct + boundary + confusion + spurious`` the number of predicted spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..docio import docs_by_id, labels_annotated
from ..labels import LABELS
from ..offsets import CharSpan
from .spans import char_spans, scored_spans

OUTCOMES = ("correct", "boundary", "confusion", "missed", "spurious")


@dataclass
class SpanOutcomes:
    """Each gold and predicted span of one doc in exactly one outcome (see the module docstring):
    ``correct`` spans, ``boundary`` and ``confusion`` (gold, predicted) pairs, ``missed`` gold and
    ``spurious`` predicted spans."""

    correct: list[CharSpan] = field(default_factory=list)
    boundary: list[tuple[CharSpan, CharSpan]] = field(default_factory=list)
    confusion: list[tuple[CharSpan, CharSpan]] = field(default_factory=list)
    missed: list[CharSpan] = field(default_factory=list)
    spurious: list[CharSpan] = field(default_factory=list)


def pair_spans(pred: set[CharSpan], gold: set[CharSpan]) -> SpanOutcomes:
    """Exact matches first, then overlapping pairs greedily: same label first, then identical
    offsets, then the largest overlap."""
    out = SpanOutcomes(correct=sorted(pred & gold))
    rest_pred, rest_gold = pred - gold, gold - pred
    pairs = sorted(
        (p[2] != g[2], p[:2] != g[:2], -(min(p[1], g[1]) - max(p[0], g[0])), g, p)
        for g in rest_gold
        for p in rest_pred
        if min(p[1], g[1]) > max(p[0], g[0])
    )
    used_gold: set[CharSpan] = set()
    used_pred: set[CharSpan] = set()
    for different_label, _, _, g, p in pairs:
        if g in used_gold or p in used_pred:
            continue
        used_gold.add(g)
        used_pred.add(p)
        (out.confusion if different_label else out.boundary).append((g, p))
    out.missed = sorted(rest_gold - used_gold)
    out.spurious = sorted(rest_pred - used_pred)
    return out


def classify_spans(pred: set[CharSpan], gold: set[CharSpan]) -> Counter:
    """Counts keyed ``(outcome, label)``, plus ``("confused_as", gold_label, pred_label)``.

    ``label`` is the gold label, except for ``spurious`` (the predicted label).
    """
    outcomes = pair_spans(pred, gold)
    counts: Counter = Counter()
    for _, _, label in outcomes.correct:
        counts["correct", label] += 1
    for g, _ in outcomes.boundary:
        counts["boundary", g[2]] += 1
    for g, p in outcomes.confusion:
        counts["confusion", g[2]] += 1
        counts["confused_as", g[2], p[2]] += 1
    for g in outcomes.missed:
        counts["missed", g[2]] += 1
    for p in outcomes.spurious:
        counts["spurious", p[2]] += 1
    return counts


def error_breakdown(
    pred_docs: Iterable[Doc], gold_docs: Iterable[Doc], labels: Sequence[str] = LABELS
) -> dict:
    """Outcome counts per label and in total, over gold docs that have a prediction; each doc on
    the labels its corpus annotates (see :mod:`clin_distill.metrics.spans`).

    Returns ``{"per_label": {label: {outcome: n, "confused_as": {label: n}}},
    "total": {outcome: n}, "n_docs": n}``.
    """
    pred = docs_by_id(pred_docs)
    counts: Counter = Counter()
    n_docs = 0
    for doc_id, gold_doc in docs_by_id(gold_docs).items():
        if doc_id not in pred:
            continue
        n_docs += 1
        scored = [label for label in labels if label in labels_annotated(gold_doc)]
        predicted = scored_spans(pred[doc_id], gold_doc, scored)
        counts.update(classify_spans(predicted, char_spans(gold_doc, scored)))
    per_label = {}
    for label in labels:
        row = {outcome: counts[outcome, label] for outcome in OUTCOMES}
        row["confused_as"] = {
            other: counts["confused_as", label, other]
            for other in labels
            if counts["confused_as", label, other]
        }
        per_label[label] = row
    total = {outcome: sum(per_label[lab][outcome] for lab in labels) for outcome in OUTCOMES}
    return {"per_label": per_label, "total": total, "n_docs": n_docs}
