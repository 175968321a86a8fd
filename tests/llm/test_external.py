"""Real APIs, opt-in: `pytest -m external` with OPENAI_API_KEY / GEMINI_API_KEY set (one invented note)."""

from __future__ import annotations

import os

import pytest
import spacy

from clin_distill.docio import failure_of, set_doc_id
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.teacher import load_teacher

from .conftest import REPO

NOTE = "Patient with hypertension reports chest pain; takes metformin."


@pytest.mark.external
@pytest.mark.parametrize(
    "name,key",
    [("gpt-4o", "OPENAI_API_KEY"), ("o1-mini", "OPENAI_API_KEY"), ("gemini-flash", "GEMINI_API_KEY")],
)
def test_real_teacher_labels_a_note(name, key):
    if not os.environ.get(key):
        pytest.skip(f"{key} not set")
    teacher = load_teacher(REPO / "configs" / "teachers" / f"{name}.cfg", allow_remote=True)
    try:
        (doc,) = label_docs(teacher, [set_doc_id(spacy.blank("en")(NOTE), "external-0")])
    finally:
        teacher.close()
    assert failure_of(doc) is None
    assert {"hypertension", "chest pain", "metformin"} <= {e.text for e in doc.ents}
    usage = teacher.model.ledger.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0 and teacher.model.ledger.cost_usd > 0
