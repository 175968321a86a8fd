"""Missing-value annotations for gold docs whose corpus annotates only some labels."""

from __future__ import annotations

import spacy
from spacy.tokens import Span
from spacy.training import Example
from spacy.util import registry

from clin_distill.docio import set_provenance
from clin_distill.labels import LABELS
from clin_distill.student.partial import AUGMENTER, AUGMENTER_V2, NEGATIVES, partial_reference

NLP = spacy.blank("en")
TEXT = "Aspirin caused gout in the patient ."
#        0       1      2    3  4   5       6


def gold(annotated: list[str], ents=((2, 3, "DISEASE"),)):
    doc = NLP.make_doc(TEXT)
    doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    return set_provenance(doc, "corpus", annotated)


def iob(doc) -> list[str]:
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ else "missing" for t in doc]


def test_tokens_outside_the_gold_spans_of_a_disease_only_corpus_become_missing():
    ref = partial_reference(gold(["DISEASE"]))
    assert iob(ref) == ["missing", "missing", "B-DISEASE", "missing", "missing", "missing", "missing"]
    assert NEGATIVES not in ref.spans
    # spaCy's oracle sees no gold action on those tokens
    eg = Example(NLP.make_doc(TEXT), ref)
    assert eg.get_aligned_ner() == [None, None, "U-DISEASE", None, None, None, None]


def test_negative_spans_cover_every_short_span_of_the_missing_runs_for_annotated_labels_only():
    ref = partial_reference(gold(["MEDICATION", "DISEASE"]), negative_max_len=2)
    negatives = sorted((s.start, s.end, s.label_) for s in ref.spans[NEGATIVES])
    runs = [(0, 2), (3, 7)]
    expected = sorted(
        (start, start + n, label)
        for a, b in runs
        for start in range(a, b)
        for n in (1, 2)
        if start + n <= b
        for label in ("MEDICATION", "DISEASE")
    )
    assert negatives == expected
    assert len(negatives) == 2 * (3 + 7)  # runs of 2 and 4 tokens: 3 + 7 spans of up to 2 tokens
    assert not any(label == "SYMPTOM" for _, _, label in negatives)  # SYMPTOM is not annotated


def test_a_fully_annotated_doc_passes_unchanged_and_missing_tokens_stay_missing():
    full = gold(list(LABELS))
    assert partial_reference(full) is full
    doc = gold(["DISEASE"])
    doc.set_ents([], missing=[doc[5:6]], default="unmodified")  # "patient" was already missing
    ref = partial_reference(doc)
    assert iob(ref)[5] == "missing" and iob(ref)[2] == "B-DISEASE"
    assert iob(doc) == ["O-", "O-", "B-DISEASE", "O-", "O-", "missing", "O-"]  # the input is untouched


def test_registered_augmenter_rewrites_only_partially_annotated_examples():
    augment = registry.augmenters.get(AUGMENTER)(negative_max_len=1)
    partial = Example(NLP.make_doc(TEXT), gold(["DISEASE"]))
    (out,) = list(augment(NLP, partial))
    assert out.get_aligned_ner()[0] is None and len(out.reference.spans[NEGATIVES]) == 6
    full = Example(NLP.make_doc(TEXT), gold(list(LABELS)))
    assert list(augment(NLP, full)) == [full]


def test_a_specialist_is_taught_o_on_its_corpus_and_never_sees_other_labels():
    # a DISEASE-only student on a DISEASE-only corpus: complete, "O" everywhere else
    ref = partial_reference(gold(["DISEASE"]), labels=("DISEASE",))
    assert iob(ref) == ["O-", "O-", "B-DISEASE", "O-", "O-", "O-", "O-"]
    # a corpus annotating more labels than the student predicts: the other spans become "O"
    doc = gold(["MEDICATION", "DISEASE"], ents=((0, 1, "MEDICATION"), (2, 3, "DISEASE")))
    doc.set_ents([], missing=[doc[5:6]], default="unmodified")
    ref = partial_reference(doc, labels=("DISEASE",))
    assert iob(ref) == ["O-", "O-", "B-DISEASE", "O-", "O-", "missing", "O-"]
    # a student predicting labels the corpus lacks: missing values, as for the pooled student
    ref = partial_reference(gold(["DISEASE"]), labels=("MEDICATION", "DISEASE"))
    assert iob(ref) == ["missing", "missing", "B-DISEASE", "missing", "missing", "missing", "missing"]


def test_the_v2_augmenter_with_no_labels_is_the_v1_augmenter():
    v1 = registry.augmenters.get(AUGMENTER)(0)
    v2 = registry.augmenters.get(AUGMENTER_V2)(0, None)
    v2_disease = registry.augmenters.get(AUGMENTER_V2)(0, ["DISEASE"])
    eg = Example(NLP.make_doc(TEXT), gold(["DISEASE"]))
    assert [iob(e.reference) for e in v1(NLP, eg)] == [iob(e.reference) for e in v2(NLP, eg)]
    assert [iob(e.reference) for e in v2_disease(NLP, eg)] == [
        ["O-", "O-", "B-DISEASE", "O-", "O-", "O-", "O-"]
    ]
