"""Strict (exact boundaries and label) and lenient (any overlap, same label) span scores.

Predicted and gold docs are paired by ``doc_id``. Lenient matching is one-to-one:
each gold span is matched to at most one overlapping predicted span of the same
label (greedy, by largest overlap), so nested predictions are not double counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from spacy.tokens import Doc

from ..docio import docs_by_id
from ..labels import LABELS

Span3 = tuple[int, int, str]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "p": self.p, "r": self.r, "f": self.f}


def char_spans(doc: Doc, labels: Sequence[str] = LABELS) -> set[Span3]:
    return {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in labels}


def strict_counts(pred: set[Span3], gold: set[Span3]) -> Counter:
    """Per-label (tp, fp, fn) counts under exact matching, as a Counter keyed (label, kind)."""
    counts: Counter = Counter()
    for _, _, label in pred & gold:
        counts[label, "tp"] += 1
    for _, _, label in pred - gold:
        counts[label, "fp"] += 1
    for _, _, label in gold - pred:
        counts[label, "fn"] += 1
    return counts


def lenient_counts(pred: set[Span3], gold: set[Span3]) -> Counter:
    """Per-label counts with one-to-one matching of overlapping same-label spans."""
    counts: Counter = Counter()
    pairs = []
    for g in gold:
        for p in pred:
            if p[2] == g[2]:
                overlap = min(p[1], g[1]) - max(p[0], g[0])
                if overlap > 0:
                    pairs.append((-overlap, g, p))
    pairs.sort()
    used_g: set[Span3] = set()
    used_p: set[Span3] = set()
    for _, g, p in pairs:
        if g not in used_g and p not in used_p:
            used_g.add(g)
            used_p.add(p)
            counts[g[2], "tp"] += 1
    for p in pred - used_p:
        counts[p[2], "fp"] += 1
    for g in gold - used_g:
        counts[g[2], "fn"] += 1
    return counts


def per_doc_counts(
    pred_docs: Iterable[Doc], gold_docs: Iterable[Doc], labels: Sequence[str] = LABELS
) -> dict[str, dict[str, Counter]]:
    """``{doc_id: {"strict": Counter, "lenient": Counter}}`` over the gold docs.

    A gold doc without a prediction (e.g. a teacher failure) is left out: failures
    are reported separately, never scored as "no entities".
    """
    pred = docs_by_id(pred_docs)
    out: dict[str, dict[str, Counter]] = {}
    for doc_id, gold_doc in docs_by_id(gold_docs).items():
        if doc_id not in pred:
            continue
        p, g = char_spans(pred[doc_id], labels), char_spans(gold_doc, labels)
        out[doc_id] = {"strict": strict_counts(p, g), "lenient": lenient_counts(p, g)}
    return out


def totals(counts: Iterable[Counter], labels: Sequence[str]) -> dict[str, PRF]:
    """Sum counters into PRF per label plus ``micro``."""
    result = {label: PRF() for label in labels}
    for c in counts:
        for label in labels:
            result[label].add(PRF(c[label, "tp"], c[label, "fp"], c[label, "fn"]))
    micro = PRF()
    for label in labels:
        micro.add(result[label])
    result["micro"] = micro
    return result


def score_docs(pred_docs: Iterable[Doc], gold_docs: Iterable[Doc], labels: Sequence[str] = LABELS) -> dict:
    """Strict and lenient P/R/F per label, micro and macro (over labels with gold spans)."""
    return summarise(per_doc_counts(pred_docs, gold_docs, labels), labels)


def summarise(per_doc: dict[str, dict[str, Counter]], labels: Sequence[str] = LABELS) -> dict:
    """The :func:`score_docs` dict from :func:`per_doc_counts` output."""
    out: dict = {"n_docs": len(per_doc)}
    for mode in ("strict", "lenient"):
        t = totals((d[mode] for d in per_doc.values()), labels)
        present = [lab for lab in labels if t[lab].tp + t[lab].fn > 0]
        macro_f = sum(t[lab].f for lab in present) / len(present) if present else 0.0
        out[mode] = {k: v.to_dict() for k, v in t.items()}
        out[mode]["macro"] = {"f": macro_f, "labels": present}
    return out
