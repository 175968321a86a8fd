"""Full evaluation of one system on a gold corpus: scores, bootstrap CIs and error breakdown, for
the whole corpus and for each source corpus in it (a pooled test set holds several)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from spacy.tokens import Doc

from ..docio import corpus_of, labels_annotated
from ..labels import LABELS
from .bootstrap import DEFAULT_SPEC, BootstrapSpec, bootstrap_ci, count_array
from .errors import error_breakdown
from .spans import per_doc_counts, score_docs, summarise

MODES = ("strict", "lenient")


def scored_labels(gold_docs: Iterable[Doc], labels: Sequence[str] = LABELS) -> list[str]:
    """The labels some gold doc's corpus annotates, in ``labels`` order.

    A corpus that annotates only diseases (NCBI Disease) cannot judge MEDICATION or
    SYMPTOM predictions, so on its docs those labels are not scored at all.
    """
    seen = {label for doc in gold_docs for label in labels_annotated(doc)}
    return [label for label in labels if label in seen]


def by_corpus(gold_docs: Iterable[Doc]) -> dict[str, list[Doc]]:
    """Gold docs grouped by their source corpus, in first-seen order."""
    groups: dict[str, list[Doc]] = {}
    for doc in gold_docs:
        groups.setdefault(corpus_of(doc), []).append(doc)
    return groups


def scores_by_corpus(
    pred_docs: Sequence[Doc], gold_docs: Sequence[Doc], labels: Sequence[str] = LABELS
) -> dict:
    """:func:`~clin_distill.metrics.spans.score_docs` over all gold docs, plus ``by_corpus``:
    the same for each source corpus's docs (no bootstrap; quick enough for every step)."""
    out = score_docs(pred_docs, gold_docs, scored_labels(gold_docs, labels))
    out["by_corpus"] = {
        corpus: score_docs(pred_docs, docs, scored_labels(docs, labels))
        for corpus, docs in by_corpus(gold_docs).items()
    }
    return out


def evaluate_docs(
    pred_docs: Sequence[Doc],
    gold_docs: Sequence[Doc],
    labels: Sequence[str],
    spec: BootstrapSpec = DEFAULT_SPEC,
) -> dict:
    """Score ``pred_docs`` against ``gold_docs`` (paired by doc id), with bootstrap CIs and errors.

    Returns :func:`~clin_distill.metrics.spans.score_docs`'s dict plus ``ci`` entries, ``errors``,
    ``n_gold_docs``, ``bootstrap`` and ``by_corpus``. Under ``strict`` and ``lenient``, each label,
    ``micro`` and ``macro`` maps to ``{"tp", "fp", "fn": int, "p", "r", "f": float in [0, 1]}`` (macro:
    ``f`` and ``labels``) with ``"ci": {"p": [low, high], "r": [...], "f": [...]}`` (macro: ``f``
    only; ``spec.confidence`` percentile interval over ``spec.n_resamples`` document resamples).
    ``labels`` are the labels of ``labels`` some gold doc annotates; each doc is scored only on the
    labels its corpus annotates. ``errors`` is
    :func:`~clin_distill.metrics.errors.error_breakdown`'s counts. ``by_corpus`` holds the same
    record (without ``by_corpus`` and ``bootstrap``) for the gold docs of each source corpus. A gold
    doc without a prediction is left out (failures are reported by the caller, never as "no
    entities").

    Raises:
        ValueError: a doc id repeats among the predictions or the gold docs.
        KeyError: a doc carries no doc id.
    """
    out = _evaluate(pred_docs, gold_docs, labels, spec)
    out["bootstrap"] = spec.describe()
    out["by_corpus"] = {
        corpus: _evaluate(pred_docs, docs, labels, spec) for corpus, docs in by_corpus(gold_docs).items()
    }
    return out


def _evaluate(pred_docs: Sequence[Doc], gold_docs: Sequence[Doc], labels: Sequence[str], spec) -> dict:
    labels = scored_labels(gold_docs, labels)
    per_doc = per_doc_counts(pred_docs, gold_docs, labels)
    out = summarise(per_doc, labels)
    for mode in MODES:
        counts = count_array([d[mode] for d in per_doc.values()], labels)
        for key, ci in bootstrap_ci(counts, labels, spec).items():
            out[mode][key]["ci"] = ci
    out["n_gold_docs"] = len(gold_docs)
    out["errors"] = error_breakdown(pred_docs, gold_docs, labels)
    return out
