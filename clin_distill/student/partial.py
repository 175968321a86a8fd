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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry

from ..docio import labels_annotated
from ..labels import LABELS
from ..offsets import token_runs

NEGATIVES = "incorrect_spans"
AUGMENTER = "clin_distill.partial_annotation.v1"


def partial_reference(doc: Doc, negative_max_len: int = 0) -> Doc:
    """A copy of gold ``doc`` with missing values for unannotated labels (see the module docstring)."""
    annotated = labels_annotated(doc)
    if set(annotated) >= set(LABELS):
        return doc
    out = doc.copy()
    ents = list(doc.ents)
    inside = [False] * len(doc)
    for ent in ents:
        inside[ent.start : ent.end] = [True] * (ent.end - ent.start)
    already_missing = [Span(out, i, i + 1) for i in range(len(doc)) if doc[i].ent_iob == 0]
    runs = list(token_runs(i for i in range(len(doc)) if not inside[i] and doc[i].ent_iob != 0))
    missing = [Span(out, start, end) for start, end in runs] + already_missing
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

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        reference = partial_reference(example.reference, negative_max_len)
        if reference is example.reference:
            yield example
        else:
            yield Example(example.predicted, reference)

    return augment
