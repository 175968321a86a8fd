"""Label-aware NER scoring: a label counts only on documents whose corpus annotates it.

Gold corpora annotate different labels (NCBI Disease: DISEASE only; BC5CDR: DISEASE and
MEDICATION; MACCROBAT: all three). Each gold doc names the labels its corpus annotates in
``doc.user_data["annotated_labels"]``; a doc without that key annotates every label. A
predicted MEDICATION in an NCBI abstract is then neither a true nor a false positive, and
NCBI's missing MEDICATION spans are not false negatives.

The registered scorer ``clin_distill.annotated_ents_scorer.v1`` is spaCy's entity scorer with
that rule (and spaCy's own rule that a prediction over tokens whose gold annotation is missing
is ignored). Besides ``ents_p``/``ents_r``/``ents_f`` (micro) and ``ents_per_type`` it reports
``ents_macro_f``, the mean F over the labels some scored doc annotates, so a label annotated
by few docs (SYMPTOM) weighs as much as one annotated by many.

A corpus class may cover more than one label: BC5CDR's Disease covers signs and symptoms ("nausea",
"seizures", its guidelines), so its docs record ``doc.user_data["label_covers"]`` (``{"SYMPTOM":
"DISEASE"}``) and a SYMPTOM predicted there is scored as a DISEASE (:func:`scored_label`).

Self-contained (shipped in the packaged model): imports only spaCy and the standard library.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from spacy.scorer import PRFScore
from spacy.tokens import Doc
from spacy.training import Example

try:
    from .registration import register_function
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_function

ANNOTATED_LABELS = "annotated_labels"
LABEL_COVERS = "label_covers"
SCORER = "clin_distill.annotated_ents_scorer.v1"


def annotated_labels(doc: Doc) -> frozenset[str] | None:
    """The labels ``doc``'s corpus annotates, or None when every label is annotated."""
    labels = doc.user_data.get(ANNOTATED_LABELS)
    return None if labels is None else frozenset(labels)


def scored_label(gold: Doc, label: str) -> str:
    """The label a prediction of ``label`` is scored as on ``gold``: the annotated label whose corpus
    class covers it (a SYMPTOM on a BC5CDR doc is a DISEASE), else ``label`` itself."""
    return gold.user_data.get(LABEL_COVERS, {}).get(label, label)


def _counts(example: Example, per_type: dict[str, PRFScore], annotated: set[str]) -> None:
    allowed = annotated_labels(example.reference)
    golds = {
        (e.label_, e.start, e.end) for e in example.reference.ents if allowed is None or e.label_ in allowed
    }
    predicted = [
        (scored_label(example.reference, e.label_), e.start, e.end)
        for e in example.predicted.ents
        if allowed is None or scored_label(example.reference, e.label_) in allowed
    ]
    seen = {label for label, _, _ in predicted} | {e.label_ for e in example.reference.ents}
    annotated.update(allowed if allowed is not None else seen)
    x2y = example.alignment.x2y
    for label, start, end in predicted:
        indices = x2y[start:end]
        if not len(indices):
            continue
        gold_tokens = example.reference[indices[0] : indices[-1] + 1]
        if any(token.ent_iob == 0 for token in gold_tokens):
            continue  # gold annotation missing here: neither right nor wrong
        key = (label, int(indices[0]), int(indices[-1]) + 1)
        if key in golds:
            per_type[label].tp += 1
            golds.remove(key)
        else:
            per_type[label].fp += 1
    for label, _, _ in golds:
        per_type[label].fn += 1


def score_annotated_ents(examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
    """``ents_p``, ``ents_r``, ``ents_f`` (micro), ``ents_macro_f`` and ``ents_per_type``."""
    per_type: dict[str, PRFScore] = defaultdict(PRFScore)
    annotated: set[str] = set()
    for example in examples:
        if example.reference.has_annotation("ENT_IOB"):
            _counts(example, per_type, annotated)
    labels = sorted(annotated)
    if not labels:
        return {"ents_p": None, "ents_r": None, "ents_f": None, "ents_macro_f": None, "ents_per_type": None}
    totals = PRFScore()
    for label in labels:
        totals += per_type[label]
    return {
        "ents_p": totals.precision,
        "ents_r": totals.recall,
        "ents_f": totals.fscore,
        "ents_macro_f": sum(per_type[label].fscore for label in labels) / len(labels),
        "ents_per_type": {label: per_type[label].to_dict() for label in labels},
    }


def make_annotated_ents_scorer():
    """The scorer function (``[components.ner] scorer = {"@scorers": SCORER}``)."""
    return score_annotated_ents


register_function("scorers", SCORER, make_annotated_ents_scorer)
