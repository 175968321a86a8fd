"""Full evaluation of one system on one gold corpus: scores, bootstrap CIs and error breakdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Doc

from ..labels import LABELS
from .bootstrap import DEFAULT_SPEC, BootstrapSpec, bootstrap_ci, count_array
from .errors import error_breakdown
from .spans import per_doc_counts, summarise

MODES = ("strict", "lenient")


def scored_labels(gold_docs: Iterable[Doc], labels: Sequence[str] = LABELS) -> list[str]:
    """The labels the gold corpus annotates (at least one gold span), in ``labels`` order.

    A corpus that annotates only diseases (NCBI Disease) cannot judge MEDICATION or
    SYMPTOM predictions, so those labels are left out rather than counted as spurious.
    """
    seen = {e.label_ for doc in gold_docs for e in doc.ents}
    return [label for label in labels if label in seen]


def evaluate_docs(
    pred_docs: Sequence[Doc],
    gold_docs: Sequence[Doc],
    labels: Sequence[str],
    spec: BootstrapSpec = DEFAULT_SPEC,
) -> dict:
    """:func:`~clin_distill.metrics.spans.score_docs` output plus ``ci`` entries, ``errors``,
    ``labels`` and ``bootstrap``.

    Each label, ``micro`` and ``macro`` dict under ``strict``/``lenient`` gains
    ``"ci": {"p": [low, high], "r": [...], "f": [...]}`` (macro: ``f`` only).
    """
    labels = list(labels)
    per_doc = per_doc_counts(pred_docs, gold_docs, labels)
    out = summarise(per_doc, labels)
    for mode in MODES:
        counts = count_array([d[mode] for d in per_doc.values()], labels)
        for key, ci in bootstrap_ci(counts, labels, spec).items():
            out[mode][key]["ci"] = ci
    out["labels"] = labels
    out["errors"] = error_breakdown(pred_docs, gold_docs, labels)
    out["bootstrap"] = spec.describe()
    return out
