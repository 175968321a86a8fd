"""The gold-anchored corpus on hand-built docs from two corpora with different label sets: gold spans
for the labels a corpus annotates, teacher spans for the others, gold wins an overlap."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

from clin_distill.docio import get_doc_id, labels_annotated, set_doc_id, set_provenance
from clin_distill.labels import LABELS
from clin_distill.student.anchored import AnchoringError, anchor

NLP = spacy.blank("en")
TEXT = "Metformin for breast cancer with chest pain and fever today ."
#        0         1   2      3      4    5     6    7   8     9     10


def doc(doc_id: str, spans, corpus: str, annotated, missing=()):
    d = NLP.make_doc(TEXT)
    d.set_ents(
        [Span(d, s, e, label=label) for s, e, label in spans],
        missing=[Span(d, s, e) for s, e in missing],
        default="outside",
    )
    return set_provenance(set_doc_id(d, doc_id), corpus, annotated)


def iob(d) -> list[str]:
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ else "missing" for t in d]


# The teachers' combined labels of both gold docs and one note (all three labels decided).
TAUGHT = [
    doc(
        "ncbi-1",
        [(0, 1, "MEDICATION"), (2, 4, "SYMPTOM"), (5, 7, "SYMPTOM"), (8, 9, "DISEASE")],
        "ncbi_disease",
        LABELS,
        missing=[(9, 10)],
    ),
    doc("mac-1", [(0, 1, "MEDICATION"), (3, 4, "DISEASE")], "maccrobat", LABELS),
    doc("note-1", [(5, 7, "SYMPTOM")], "notes", LABELS, missing=[(8, 9)]),
]
GOLD = [
    doc("ncbi-1", [(2, 4, "DISEASE")], "ncbi_disease", ["DISEASE"]),
    doc("mac-1", [(2, 4, "DISEASE"), (5, 7, "SYMPTOM")], "maccrobat", LABELS),
]


def test_gold_labels_where_annotated_teacher_labels_elsewhere_and_gold_wins_overlaps():
    docs, counts = anchor(GOLD, TAUGHT, ["note-1"])
    assert [get_doc_id(d) for d in docs] == ["ncbi-1", "mac-1", "note-1"]
    ncbi, mac, note = docs
    # NCBI annotates DISEASE only: gold "breast cancer" stays; the teachers' SYMPTOM over it is
    # dropped (gold wins); their metformin MEDICATION and chest pain SYMPTOM join; their DISEASE
    # "fever" is not taken (DISEASE is gold's); the teachers' missing "today" is taught "O".
    assert iob(ncbi) == [
        "B-MEDICATION",
        "O-",
        "B-DISEASE",
        "I-DISEASE",
        "O-",
        "B-SYMPTOM",
        "I-SYMPTOM",
        "O-",
        "O-",
        "O-",
        "O-",
    ]
    assert labels_annotated(ncbi) == LABELS
    # MACCROBAT annotates every label: exactly its gold, whatever the teachers said
    assert [(e.start, e.end, e.label_) for e in mac.ents] == [(2, 4, "DISEASE"), (5, 7, "SYMPTOM")]
    assert "missing" not in iob(mac)
    # the note keeps its teacher labels and missing values as they were
    assert iob(note) == iob(TAUGHT[2])
    assert counts["teacher SYMPTOM spans dropped: overlap a gold span"] == 1
    assert counts["teacher SYMPTOM spans added"] == 1
    assert counts["teacher MEDICATION spans added"] == 1
    assert counts["gold spans"] == 3 and counts["notes (teacher labels)"] == 1


def test_a_gold_doc_no_teacher_labelled_keeps_gold_and_leaves_other_labels_unknown():
    docs, counts = anchor(GOLD, TAUGHT[1:2], ["note-1"])
    assert iob(docs[0]) == ["missing", "missing", "B-DISEASE", "I-DISEASE", *["missing"] * 7]
    assert labels_annotated(docs[0]) == ("DISEASE",)
    assert counts["gold docs no teacher labelled (unannotated labels left missing)"] == 1
    assert [get_doc_id(d) for d in docs] == ["ncbi-1", "mac-1"]
    assert counts["notes the combination left out"] == 1


def test_taught_docs_from_another_pool_are_an_error():
    stray = doc("other-7", [], "notes", LABELS)
    with pytest.raises(AnchoringError, match="1 taught docs \\(e.g. 'other-7'\\)"):
        anchor(GOLD, [*TAUGHT, stray], ["note-1"])


def test_a_class_that_covers_symptoms_takes_the_teachers_subtype_on_its_gold_spans():
    """BC5CDR's Disease covers signs and symptoms: gold decides what is an entity, the teachers decide
    DISEASE or SYMPTOM for a gold span they label exactly."""
    text = "Cisplatin caused nausea and renal failure ; chest pain later ."
    #        0         1      2      3   4     5       6 7     8    9     10
    d = NLP.make_doc(text)
    d.set_ents([Span(d, 0, 1, "MEDICATION"), Span(d, 2, 3, "DISEASE"), Span(d, 4, 6, "DISEASE")])
    gold = set_provenance(
        set_doc_id(d, "cdr-1"), "bc5cdr", ["MEDICATION", "DISEASE"], {"DISEASE": ["SYMPTOM"]}
    )
    t = NLP.make_doc(text)
    t.set_ents([Span(t, 2, 3, "SYMPTOM"), Span(t, 4, 6, "SYMPTOM"), Span(t, 7, 9, "SYMPTOM")])
    taught = set_provenance(set_doc_id(t, "cdr-1"), "bc5cdr", LABELS)
    t.set_ents([Span(t, 2, 3, "SYMPTOM"), Span(t, 5, 6, "DISEASE"), Span(t, 7, 9, "SYMPTOM")])
    (doc,), counts = anchor([gold], [taught], [])
    # nausea: gold span, teachers say SYMPTOM → SYMPTOM; renal failure: the teachers' span differs → DISEASE;
    # chest pain: no gold span, and the corpus's Disease class covers symptoms → not an entity
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Cisplatin", "MEDICATION"),
        ("nausea", "SYMPTOM"),
        ("renal failure", "DISEASE"),
    ]
    assert "missing" not in iob(doc) and labels_annotated(doc) == LABELS
    assert counts["gold DISEASE spans the teachers call SYMPTOM (the class covers it)"] == 1
