"""ConText assertion wiring, tested directly on docs with gold entities."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

from clin_distill.runtime.assertion import ASSERTION_ATTRIBUTES, add_assertion

_NLP: list[spacy.Language] = []


def assertion_nlp() -> spacy.Language:
    """One blank pipeline with assertion (ConText compiles its rules once)."""
    if not _NLP:
        _NLP.append(add_assertion(spacy.blank("en"), after=None))
    return _NLP[0]


def assert_doc(text: str, entity: str, label: str) -> Span:
    nlp = assertion_nlp()
    doc = nlp.make_doc(text)
    start = text.index(entity)
    doc.ents = [doc.char_span(start, start + len(entity), label=label)]
    return nlp(doc).ents[0]


def flags(span: Span) -> dict[str, bool]:
    return {attr: getattr(span._, attr) for attr in ASSERTION_ATTRIBUTES}


def test_denied_symptom_is_negated() -> None:
    span = assert_doc("Patient denies chest pain", "chest pain", "SYMPTOM")
    assert span.label_ == "SYMPTOM"
    assert flags(span) == {"is_negated": True, "is_historical": False, "is_family": False,
                           "is_hypothetical": False}  # fmt: skip


def test_each_assertion_attribute() -> None:
    assert flags(assert_doc("Mother had breast cancer.", "breast cancer", "DISEASE"))["is_family"]
    assert flags(assert_doc("History of asthma.", "asthma", "DISEASE"))["is_historical"]
    assert flags(assert_doc("Return if fever develops.", "fever", "SYMPTOM"))["is_hypothetical"]


def test_affirmed_entity_carries_no_assertion() -> None:
    assert not any(flags(assert_doc("Patient reports chest pain.", "chest pain", "SYMPTOM")).values())


def test_negation_stays_in_its_sentence() -> None:
    span = assert_doc("No fever. Cough since Monday.", "Cough", "SYMPTOM")
    assert not span._.is_negated


def test_pipeline_order_after_ner() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("ner")
    nlp.add_pipe("sentencizer", name="late")
    add_assertion(nlp)
    assert nlp.pipe_names == ["ner", "assertion_sentencizer", "context", "late"]
