from pathlib import Path

import pytest
import spacy
import srsly

from clin_distill.docio import set_doc_id, write_json

CONFIGS = Path(__file__).parents[2] / "configs" / "teachers"

PATTERNS = [
    {"label": "DISEASE", "pattern": "wilson disease", "id": "DOID:893"},
    {"label": "DISEASE", "pattern": "breast cancer", "id": "DOID:1612"},
    {"label": "DISEASE", "pattern": "ovarian cancer", "id": "DOID:2394"},
    {"label": "SYMPTOM", "pattern": "headache", "id": "HP:0002315"},
    {"label": "MEDICATION", "pattern": "penicillamine", "id": "DB00859"},
    {"label": "DISEASE", "pattern": [{"ORTH": "AIDS"}], "id": "DOID:635"},
]
TEXTS = {
    "d1": "Wilson Disease (WD) was treated with penicillamine. WD recurred.",
    "d2": "Headache in breast and ovarian cancer; no aids were used.",
    "d3": "AIDS patients.",
}
GOLD = {
    "d1": [(0, 14, "DISEASE"), (16, 18, "DISEASE"), (37, 50, "MEDICATION"), (52, 54, "DISEASE")],
    "d2": [(0, 8, "SYMPTOM"), (12, 37, "DISEASE")],
    "d3": [(0, 4, "DISEASE")],
}


@pytest.fixture
def patterns_file(tmp_path):
    path = tmp_path / "training" / "patterns" / "open_vocab.jsonl"
    path.parent.mkdir(parents=True)
    srsly.write_jsonl(path, PATTERNS)
    write_json(
        path.with_name("open_vocab.meta.json"), {"name": "open_vocab", "sources": [{"name": "fixture"}]}
    )
    return path


def gold_docs(ids=("d1", "d2", "d3")):
    nlp = spacy.blank("en")
    docs = []
    for doc_id in ids:
        doc = nlp.make_doc(TEXTS[doc_id])
        doc.ents = [doc.char_span(s, e, label) for s, e, label in GOLD[doc_id]]
        set_doc_id(doc, doc_id)
        doc.user_data["source"] = "fixture"
        docs.append(doc)
    return docs
