"""Strict (exact boundaries and label) and lenient (any overlap, same label) span scores.

Predicted and gold docs are paired by ``doc_id``. Lenient matching is one-to-one:
each gold span is matched to at most one overlapping predicted span of the same
label (greedy, by largest overlap), so nested predictions are not double counted.

Scoring is label-aware: a label is counted only on gold docs whose corpus annotates it
(:func:`clin_distill.docio.labels_annotated`). A predicted MEDICATION in an NCBI Disease
abstract is neither a true nor a false positive; a label no scored doc annotates gets no
score and is left out of the macro average. A prediction of a label a corpus class covers is
scored as that class (a SYMPTOM on a BC5CDR doc is a DISEASE: :func:`scored_spans`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from spacy.tokens import Doc

from ..docio import covered_labels, docs_by_id, labels_annotated
from ..labels import LABELS
from ..offsets import CharSpan


@dataclass
class PRF:
    """True positives, false positives and false negatives, and P/R/F1 from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        """Precision (0 without predictions)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        """Recall (0 without gold)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        """F1, the harmonic mean of precision and recall."""
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        """Add ``other``'s counts to these."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, float | int]:
        """Counts and P/R/F1 as a dict."""
        return {**asdict(self), "p": self.p, "r": self.r, "f": self.f}


def char_spans(doc: Doc, labels: Sequence[str] = LABELS) -> set[CharSpan]:
    """The (start_char, end_char, label) entities of ``doc`` with a label in ``labels``."""
    return {(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in labels}


def scored_spans(pred_doc: Doc, gold_doc: Doc, scored: Sequence[str]) -> set[CharSpan]:
    """The predicted entities of ``pred_doc`` as ``gold_doc`` scores them: each label mapped by the
    gold corpus's covers (a SYMPTOM on a BC5CDR doc is a DISEASE), kept when it is a ``scored`` label."""
    covers = covered_labels(gold_doc)
    spans = {(s, e, covers.get(label, label)) for s, e, label in char_spans(pred_doc)}
    return {span for span in spans if span[2] in scored}


def strict_counts(pred: set[CharSpan], gold: set[CharSpan]) -> Counter:
    """Per-label (tp, fp, fn) counts under exact matching, as a Counter keyed (label, kind)."""
    counts: Counter = Counter()
    for _, _, label in pred & gold:
        counts[label, "tp"] += 1
    for _, _, label in pred - gold:
        counts[label, "fp"] += 1
    for _, _, label in gold - pred:
        counts[label, "fn"] += 1
    return counts


def lenient_counts(pred: set[CharSpan], gold: set[CharSpan]) -> Counter:
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
    used_g: set[CharSpan] = set()
    used_p: set[CharSpan] = set()
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
    """``{doc_id: {"strict": Counter, "lenient": Counter, "labels": (scored labels,)}}`` over the
    gold docs; each doc is scored on the labels of ``labels`` its corpus annotates.

    A gold doc without a prediction (e.g. a teacher failure) is left out: failures
    are reported separately, never scored as "no entities".
    """
    pred = docs_by_id(pred_docs)
    out: dict[str, dict] = {}
    for doc_id, gold_doc in docs_by_id(gold_docs).items():
        if doc_id not in pred:
            continue
        scored = tuple(label for label in labels if label in labels_annotated(gold_doc))
        p, g = scored_spans(pred[doc_id], gold_doc, scored), char_spans(gold_doc, scored)
        out[doc_id] = {"strict": strict_counts(p, g), "lenient": lenient_counts(p, g), "labels": scored}
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


def summarise(per_doc: dict[str, dict], labels: Sequence[str] = LABELS) -> dict:
    """The :func:`score_docs` dict from :func:`per_doc_counts` output.

    ``labels`` lists the labels some scored doc annotates; ``docs_per_label`` how many docs
    each label was scored on. Per-label entries of unscored labels are all zero.
    """
    docs_per_label = {lab: sum(lab in d.get("labels", labels) for d in per_doc.values()) for lab in labels}
    scored = [lab for lab in labels if docs_per_label[lab]]
    out: dict = {"n_docs": len(per_doc), "labels": scored, "docs_per_label": docs_per_label}
    for mode in ("strict", "lenient"):
        t = totals((d[mode] for d in per_doc.values()), labels)
        macro_f = sum(t[lab].f for lab in scored) / len(scored) if scored else 0.0
        out[mode] = {k: v.to_dict() for k, v in t.items()}
        out[mode]["macro"] = {"f": macro_f, "labels": scored}
    return out
