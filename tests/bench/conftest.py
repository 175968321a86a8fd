"""A tiny untrained student (tiny BERT + NER) saved to disk, and a tiny gold test corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from clin_distill.docio import set_doc_id, write_docbin
from tests.helpers.untrained_student import untrained_student

NOTES = [
    (
        "Patient denies chest pain and takes metformin for diabetes.",
        [("chest pain", "SYMPTOM"), ("metformin", "MEDICATION"), ("diabetes", "DISEASE")],
    ),
    (
        "History of hypertension , on lisinopril 10 mg daily .",
        [("hypertension", "DISEASE"), ("lisinopril", "MEDICATION")],
    ),
    ("No fever , cough or nausea .", [("fever", "SYMPTOM"), ("cough", "SYMPTOM"), ("nausea", "SYMPTOM")]),
    (
        "Asthma with dizziness and headache ; aspirin was given .",
        [("Asthma", "DISEASE"), ("dizziness", "SYMPTOM"), ("headache", "SYMPTOM"), ("aspirin", "MEDICATION")],
    ),
    (
        "The tumor was a carcinoma ; heparin and insulin were not given .",
        [("carcinoma", "DISEASE"), ("heparin", "MEDICATION"), ("insulin", "MEDICATION")],
    ),
]


@pytest.fixture(scope="session")
def tiny_student(tmp_path_factory: pytest.TempPathFactory, tiny_bert: Path) -> Path:
    path = tmp_path_factory.mktemp("student") / "model"
    untrained_student(tiny_bert, window=8, stride=6).to_disk(path)
    return path


@pytest.fixture(scope="session")
def tiny_test_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nlp = spacy.blank("en")
    docs = []
    for i, (text, spans) in enumerate(NOTES):
        doc = nlp.make_doc(text)
        doc.ents = [doc.char_span(text.index(s), text.index(s) + len(s), label=label) for s, label in spans]
        docs.append(set_doc_id(doc, f"note-{i}"))
    path = tmp_path_factory.mktemp("corpus") / "test.spacy"
    write_docbin(path, docs)
    return path
