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

from spacy.tokens import Doc

from ..docio import docs_by_id, labels_annotated
from ..labels import LABELS
from .spans import Span3, char_spans

OUTCOMES = ("correct", "boundary", "confusion", "missed", "spurious")


def _overlap(a: Span3, b: Span3) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def classify_spans(pred: set[Span3], gold: set[Span3]) -> Counter:
    """Counts keyed ``(outcome, label)``, plus ``("confused_as", gold_label, pred_label)``.

    ``label`` is the gold label, except for ``spurious`` (the predicted label).
    """
    counts: Counter = Counter()
    for _, _, label in pred & gold:
        counts["correct", label] += 1
    rest_pred, rest_gold = pred - gold, gold - pred
    pairs = []
    for g in rest_gold:
        for p in rest_pred:
            overlap = _overlap(p, g)
            if overlap > 0:
                same_label = p[2] == g[2]
                same_offsets = p[:2] == g[:2]
                pairs.append((not same_label, not same_offsets, -overlap, g, p))
    pairs.sort()
    used_gold: set[Span3] = set()
    used_pred: set[Span3] = set()
    for different_label, _, _, g, p in pairs:
        if g in used_gold or p in used_pred:
            continue
        used_gold.add(g)
        used_pred.add(p)
        if different_label:
            counts["confusion", g[2]] += 1
            counts["confused_as", g[2], p[2]] += 1
        else:
            counts["boundary", g[2]] += 1
    for g in rest_gold - used_gold:
        counts["missed", g[2]] += 1
    for p in rest_pred - used_pred:
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
        counts.update(classify_spans(char_spans(pred[doc_id], scored), char_spans(gold_doc, scored)))
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
