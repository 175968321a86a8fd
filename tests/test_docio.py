"""One way to copy a doc's tokens without its annotations (teachers, LLM chunks, combine, self-training)."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

from clin_distill.docio import DOC_ID, corpus_of, set_doc_id, set_provenance, tokens_copy

NLP = spacy.blank("en")


def annotated_doc():
    doc = NLP("Chest pain , no fever .  ")
    doc.ents = [Span(doc, 0, 2, label="SYMPTOM"), Span(doc, 4, 5, label="SYMPTOM")]
    set_provenance(set_doc_id(doc, "n1"), "maccrobat", ["SYMPTOM"])
    doc.user_data["nested"] = {"list": [1, 2]}
    return doc


def test_a_copy_has_the_tokens_and_whitespace_and_no_entities():
    doc = annotated_doc()
    copy = tokens_copy(doc)
    assert copy.text == doc.text and [t.text for t in copy] == [t.text for t in doc]
    assert copy.ents == () and copy.user_data == {}
    assert copy.vocab is doc.vocab


def test_user_data_is_copied_by_key_or_whole_and_deep():
    doc = annotated_doc()
    only_id = tokens_copy(doc, user_data=(DOC_ID, "absent"))
    assert only_id.user_data == {DOC_ID: "n1"}
    whole = tokens_copy(doc, spacy.blank("en").vocab, user_data=None)
    assert whole.user_data == doc.user_data and corpus_of(whole) == "maccrobat"
    whole.user_data["nested"]["list"].append(3)
    assert doc.user_data["nested"] == {"list": [1, 2]}  # a deep copy


def test_a_span_copy_ends_without_trailing_whitespace():
    doc = annotated_doc()
    copy = tokens_copy(doc[0:3])
    assert copy.text == "Chest pain ," and copy.user_data == {}
    assert tokens_copy(doc[3:5], user_data=None).user_data[DOC_ID] == "n1"
