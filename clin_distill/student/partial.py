"""Missing-value training annotations for gold corpora that annotate only some labels.

A gold doc's corpus may annotate only some labels (NCBI Disease: DISEASE; BC5CDR: DISEASE and
MEDICATION). A token outside its gold spans is then known not to be an entity of an *annotated*
label, but it may be an entity of an unannotated one: a drug name in an NCBI abstract is not
annotated. Teaching such tokens as "O" would teach the student that drugs are not MEDICATION.

The augmenter ``clin_distill.partial_annotation.v1`` (used by the student configs' training
corpus) rewrites each training example whose corpus does not annotate every label:

* its gold spans stay;
* every token outside them becomes *missing* (spaCy's missing-value annotation, ``ent_iob`` 0),
  so no action on it is rewarded or penalised;
* with ``negative_max_len`` > 0, every span of up to that many tokens lying wholly in a run of
  such tokens is recorded, for each annotated label, as a known-incorrect span in
  ``doc.spans[NEGATIVES]`` (the NER component's ``incorrect_spans_key``): the student is still
  taught that these are not entities of the labels the corpus does annotate.

Examples whose corpus annotates every label (or that carry no provenance) pass unchanged, and
tokens that are already missing stay missing.

``clin_distill.partial_annotation.v2`` adds ``labels``, the labels the student predicts (None: all
of LABELS). A doc whose corpus annotates every one of them is complete for that student: its spans
of other labels are dropped and every other token is "O" (a specialist trained on one corpus's
labels is taught "O" there). A doc that lacks some of them gets missing values as above.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from ..docio import labels_annotated
from ..labels import LABELS
from ..offsets import token_runs

NEGATIVES = "incorrect_spans"
AUGMENTER = "clin_distill.partial_annotation.v1"
AUGMENTER_V2 = "clin_distill.partial_annotation.v2"


def partial_reference(doc: Doc, negative_max_len: int = 0, labels: Sequence[str] = LABELS) -> Doc:
    """A copy of gold ``doc`` with missing values for the ``labels`` its corpus does not annotate and
    without spans of other labels (see the module docstring); ``doc`` itself when nothing changes."""
    annotated = [label for label in labels_annotated(doc) if label in labels]
    ents = [ent for ent in doc.ents if ent.label_ in labels]
    if set(annotated) >= set(labels):
        if len(ents) == len(doc.ents):
            return doc
        out = doc.copy()
        out.set_ents(
            [Span(out, e.start, e.end, label=e.label_) for e in ents],
            outside=[Span(out, e.start, e.end) for e in doc.ents if e.label_ not in labels],
            default="unmodified",
        )
        return out
    out = doc.copy()
    inside = [False] * len(doc)
    for ent in ents:
        inside[ent.start : ent.end] = [True] * (ent.end - ent.start)
    already_missing = [Span(out, i, i + 1) for i in range(len(doc)) if doc[i].ent_iob == 0]
    runs = list(token_runs(i for i in range(len(doc)) if not inside[i] and doc[i].ent_iob != 0))
    missing = [Span(out, start, end) for start, end in runs] + already_missing
    out.set_ents([], default="outside")
    out.set_ents(
        [Span(out, e.start, e.end, label=e.label_) for e in ents], missing=missing, default="unmodified"
    )
    if negative_max_len > 0:
        out.spans[NEGATIVES] = [
            Span(out, start, start + length, label=label)
            for run_start, run_end in runs
            for start in range(run_start, run_end)
            for length in range(1, min(negative_max_len, run_end - start) + 1)
            for label in annotated
        ]
    return out


@registry.augmenters(AUGMENTER)
def make_partial_annotation(negative_max_len: int = 0) -> Callable[[Language, Example], Iterator[Example]]:
    """The augmenter: each example with :func:`partial_reference` as its reference."""
    return make_partial_annotation_v2(negative_max_len, None)


@registry.augmenters(AUGMENTER_V2)
def make_partial_annotation_v2(
    negative_max_len: int = 0, labels: list[str] | None = None
) -> Callable[[Language, Example], Iterator[Example]]:
    """The augmenter for a student predicting ``labels`` (None: every label of LABELS)."""
    predicted = tuple(labels) if labels is not None else LABELS

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        reference = partial_reference(example.reference, negative_max_len, predicted)
        if reference is example.reference:
            yield example
        else:
            yield Example(example.predicted, reference)

    return augment
