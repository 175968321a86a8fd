"""The human-label specialists: one per gold corpus, trained on it alone, predicting only its labels."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import srsly

from clin_distill.docio import set_provenance, write_docbin
from clin_distill.metrics.systems import predict_with_specialists
from clin_distill.stepfiles.specialists import Specialists
from clin_distill.student.specialists import corpus_labels
from tests.helpers.tiny_bert import build_tiny_bert
from tests.student.conftest import TINY_OVERRIDES, run_script
from tests.student.synthetic import synthetic_docs


def gold_corpus(root: Path, name: str, labels: list[str], offset: int) -> None:
    for split, n in (("train", 8), ("dev", 4)):
        docs = synthetic_docs(n)
        for i, doc in enumerate(docs):
            doc.ents = [e for e in doc.ents if e.label_ in labels]
            doc.user_data["doc_id"] = f"{name}-{split}-{offset + i}"
            set_provenance(doc, name, labels)
        write_docbin(root / name / f"{split}.spacy", docs)


@pytest.fixture(scope="module")
def specialists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("specialists")
    gold_corpus(root / "gold", "abs", ["DISEASE"], 0)
    gold_corpus(root / "gold", "clin", ["MEDICATION", "DISEASE", "SYMPTOM"], 100)
    result = run_script(
        "scripts/train_human.py", "configs/student_trf.cfg", root / "gold", root / "human",
        "--datasets", "abs,clin", "--backbone", build_tiny_bert(root / "bert"),
        "--max-steps", 6, "--eval-frequency", 3,
        env={"SPACY_CONFIG_OVERRIDES": TINY_OVERRIDES, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return root


def test_each_specialist_predicts_only_its_corpus_labels(specialists: Path):
    listed = Specialists.read(specialists / "human" / "specialists.json").specialists
    assert {c: s.labels for c, s in listed.items()} == {
        "abs": ["DISEASE"],
        "clin": ["MEDICATION", "DISEASE", "SYMPTOM"],
    }
    abs_model = spacy.load(specialists / "human" / "abs" / "model-best")
    assert abs_model.get_pipe("ner").labels == ("DISEASE",)
    assert all(
        e.label_ == "DISEASE" for e in abs_model("Started lisinopril for hypertension and fever .").ents
    )
    clin = spacy.load(specialists / "human" / "clin" / "model-best")
    assert set(clin.get_pipe("ner").labels) == {"MEDICATION", "DISEASE", "SYMPTOM"}
    meta = srsly.read_json(specialists / "human" / "abs" / "model-best" / "meta.json")["clin_distill"]
    assert meta["labels"] == ["DISEASE"] and meta["training_corpus"]["docs"] == 8


def test_each_test_doc_is_predicted_by_its_corpus_specialist(specialists: Path):
    listed = Specialists.read(specialists / "human" / "specialists.json")
    docs = synthetic_docs(3)
    for doc, corpus in zip(docs, ("abs", "clin", "other"), strict=True):
        doc.user_data["doc_id"] = f"test-{corpus}"
        set_provenance(doc, corpus, ["DISEASE"])
    pred = predict_with_specialists("human", listed, docs)
    assert [d.user_data["doc_id"] for d in pred.docs] == ["test-abs", "test-clin"]  # "other": no specialist
    assert pred.docs[0].vocab is not pred.docs[1].vocab  # two different models


def test_a_corpus_that_annotates_no_label_is_a_clear_error(tmp_path: Path):
    docs = synthetic_docs(2)
    for doc in docs:
        doc.ents = []
        set_provenance(doc, "empty", [])
    write_docbin(tmp_path / "train.spacy", docs)
    with pytest.raises(ValueError, match="annotates no label"):
        corpus_labels(tmp_path / "train.spacy")
