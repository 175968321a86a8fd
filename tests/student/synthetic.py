"""Synthetic clinical sentences with gold MEDICATION/DISEASE/SYMPTOM spans (no real notes)."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc

from clin_distill.docio import set_doc_id, set_provenance, write_docbin
from clin_distill.labels import LABELS

# (text, [(entity text, label)]) templates; each entity occurs once in its sentence
SENTENCES = (
    ("Patient denies chest pain and fever .", [("chest pain", "SYMPTOM"), ("fever", "SYMPTOM")]),
    (
        "History of diabetes , on metformin 500 mg daily .",
        [("diabetes", "DISEASE"), ("metformin", "MEDICATION")],
    ),
    ("Started lisinopril for hypertension .", [("lisinopril", "MEDICATION"), ("hypertension", "DISEASE")]),
    ("Complains of headache and nausea .", [("headache", "SYMPTOM"), ("nausea", "SYMPTOM")]),
    ("Asthma treated with insulin ? no , with aspirin .", [("Asthma", "DISEASE"), ("aspirin", "MEDICATION")]),
    ("Mother had cancer ; patient has cough .", [("cancer", "DISEASE"), ("cough", "SYMPTOM")]),
    ("Warfarin held because of dizziness .", [("Warfarin", "MEDICATION"), ("dizziness", "SYMPTOM")]),
    ("No vomiting , no infection .", [("vomiting", "SYMPTOM"), ("infection", "DISEASE")]),
)


def make_doc(nlp, index: int, text: str, ents: list[tuple[str, str]]) -> Doc:
    doc = nlp.make_doc(text)
    spans = []
    for surface, label in ents:
        start = text.index(surface)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
    doc.ents = spans
    return set_doc_id(doc, f"synthetic-{index}")


def synthetic_docs(n: int, drop_label: str | None = None) -> list[Doc]:
    """``n`` docs cycling through SENTENCES; ``drop_label`` removes one label's spans."""
    nlp = spacy.blank("en")
    docs = []
    for i in range(n):
        text, ents = SENTENCES[i % len(SENTENCES)]
        docs.append(make_doc(nlp, i, text, [e for e in ents if e[1] != drop_label]))
    return docs


def write_corpus(path: Path, n: int, drop_label: str | None = None, two_corpora: bool = False) -> Path:
    """With ``two_corpora``, odd docs come from corpus "abs", which annotates DISEASE only (their
    other spans are removed), even docs from "clin", which annotates every label."""
    docs = synthetic_docs(n, drop_label)
    if two_corpora:
        for i, doc in enumerate(docs):
            if i % 2:
                doc.ents = [e for e in doc.ents if e.label_ == "DISEASE"]
                set_provenance(doc, "abs", ["DISEASE"])
            else:
                set_provenance(doc, "clin", LABELS)
    write_docbin(path, docs)
    return path
