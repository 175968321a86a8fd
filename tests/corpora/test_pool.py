"""The pool: every gold corpus's splits with their provenance, plus the user's notes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import spacy
from spacy.tokens import Span

from clin_distill.corpora.pool import build_pool
from clin_distill.corpora.reading import CorpusError
from clin_distill.docio import (
    corpus_of,
    get_doc_id,
    labels_annotated,
    read_docbin,
    set_doc_id,
    set_provenance,
    write_docbin,
)
from clin_distill.stepfiles.pool import Pool

NLP = spacy.blank("en")


def write_gold(root: Path, corpus: str, labels: list[str], texts: dict[str, list[tuple[str, str]]]) -> None:
    """``texts``: split → [(doc id, text)]; each doc gets one span of its corpus's first label."""
    for split, docs in texts.items():
        out = []
        for doc_id, text in docs:
            doc = NLP.make_doc(text)
            doc.ents = [Span(doc, 0, 1, label=labels[0])]
            out.append(set_provenance(set_doc_id(doc, doc_id), corpus, labels))
        write_docbin(root / corpus / f"{split}.spacy", out)


@pytest.fixture
def gold_root(tmp_path: Path) -> Path:
    root = tmp_path / "gold"
    write_gold(
        root,
        "abs",
        ["DISEASE"],
        {
            "train": [("a1", "Gout in men .")],
            "dev": [("a2", "Gout again .")],
            "test": [("a3", "Lupus nephritis .")],
        },
    )
    write_gold(root, "clin", ["MEDICATION", "DISEASE", "SYMPTOM"],
               {"train": [("c1", "Aspirin for fever .")], "dev": [("c2", "Heparin given .")],
                "test": [("c3", "Metformin for diabetes .")]})  # fmt: skip
    return root


def test_pool_concatenates_the_corpora_and_keeps_provenance(gold_root, tmp_path):
    summary = build_pool(NLP, gold_root, ["abs", "clin"], tmp_path / "pool")
    test = read_docbin(tmp_path / "pool" / "test.spacy")
    assert [get_doc_id(d) for d in test] == ["a3", "c3"]
    assert [corpus_of(d) for d in test] == ["abs", "clin"]
    assert labels_annotated(test[0]) == ("DISEASE",) and len(test[1].ents) == 1
    assert read_docbin(tmp_path / "pool" / "notes.spacy") == []
    assert summary.annotated_labels == {"abs": ["DISEASE"], "clin": ["MEDICATION", "DISEASE", "SYMPTOM"]}
    assert Pool.read(tmp_path / "pool" / "pool.json") == summary
    assert summary.corpora["clin"] == {
        "train": 1,
        "dev": 1,
        "test": 1,
    }


def test_a_notes_folder_joins_the_pool_unlabeled(gold_root, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n1.txt").write_text("Pt c/o SOB and nausea.", encoding="utf8")
    (notes / "n2.txt").write_text("Metformin for diabetes .", encoding="utf8")  # the text of gold test c3
    (notes / "n3.txt").write_text("Aspirin for fever .", encoding="utf8")  # the text of gold train c1
    (notes / "n4.txt").write_text("   \n", encoding="utf8")
    (notes / "more.jsonl").write_text('{"id": "j1", "text": "Denies chest pain."}\n', encoding="utf8")
    (notes / "README.md").write_text("not a note", encoding="utf8")
    pq.write_table(
        pa.table({"note_id": [7], "note_text": ["Vomiting after cisplatin."]}), notes / "omop.parquet"
    )
    summary = build_pool(NLP, gold_root, ["abs", "clin"], tmp_path / "pool", notes)
    kept = read_docbin(tmp_path / "pool" / "notes.spacy")
    assert sorted(get_doc_id(d) for d in kept) == ["7", "j1", "n1"]
    assert all(corpus_of(d) == "notes" and labels_annotated(d) == () and not d.ents for d in kept)
    assert summary.notes.read == 6 and summary.notes.kept == 3
    assert summary.notes.skipped == {
        "empty": 1,
        "not a notes file (.md)": 1,
        "same text as a gold clin test doc": 1,
        "same text as a gold clin train doc": 1,
    }
    # notes never enter train, dev or test
    assert [get_doc_id(d) for d in read_docbin(tmp_path / "pool" / "train.spacy")] == ["a1", "c1"]


def test_a_folder_with_only_a_readme_adds_no_notes(gold_root, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "README.md").write_text("put notes here", encoding="utf8")
    summary = build_pool(NLP, gold_root, ["abs", "clin"], tmp_path / "pool", notes)
    assert summary.notes.read == 0 and read_docbin(tmp_path / "pool" / "notes.spacy") == []


def test_a_note_id_that_is_a_gold_doc_id_is_a_one_line_error_without_text(gold_root, tmp_path):
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"id": "c2", "text": "Secret patient text about heparin."}\n', encoding="utf8")
    with pytest.raises(CorpusError) as err:
        build_pool(NLP, gold_root, ["abs", "clin"], tmp_path / "pool", notes)
    message = str(err.value)
    assert "'c2'" in message and "corpus clin" in message and "\n" not in message
    assert "Secret" not in message
    assert not (tmp_path / "pool").exists()  # nothing half-written


def test_corpora_sharing_a_doc_id_and_docs_without_provenance_are_errors(gold_root, tmp_path):
    write_gold(gold_root, "dup", ["DISEASE"], {"train": [("a1", "Other text .")]})
    with pytest.raises(CorpusError, match="'a1' is also a doc id of corpus abs"):
        build_pool(NLP, gold_root, ["abs", "dup"], tmp_path / "pool")
    doc = set_doc_id(NLP.make_doc("Old conversion ."), "o1")
    write_docbin(gold_root / "old" / "train.spacy", [doc])
    with pytest.raises(CorpusError, match="convert old again"):
        build_pool(NLP, gold_root, ["old"], tmp_path / "pool")
    with pytest.raises(CorpusError, match="missing"):
        build_pool(NLP, gold_root, ["nope"], tmp_path / "pool")
