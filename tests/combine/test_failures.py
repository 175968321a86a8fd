"""Failed and missing docs: read from failures.json and marks, excluded (default) or abstained."""

from __future__ import annotations

import pytest
from spacy.vocab import Vocab

from clin_distill.combine import KOfN, Part, collect_votes, combine, load_teacher_split
from clin_distill.docio import mark_failed
from clin_distill.labels import LABELS

from .builders import doc_with, votes, write_teacher


def test_exclude_is_the_default_and_abstain_lets_the_rest_vote():
    docs = [
        votes("ok", a=[(5, 6, "DISEASE")], b=[(5, 6, "DISEASE")]),
        votes("b_failed", failed={"b": "failed"}, a=[(5, 6, "DISEASE")]),
        votes("both_failed", failed={"a": "failed", "b": "missing"}),
    ]
    parts = [Part(LABELS, ("a", "b"), KOfN())]
    excluded = combine(docs, parts)
    assert excluded.kept == ["ok"]
    assert excluded.excluded == {"b_failed": ["b"], "both_failed": ["a", "b"]}
    abstained = combine(docs, parts, on_failure="abstain")
    assert abstained.kept == ["ok", "b_failed"]
    assert abstained.spans["b_failed"] == [(5, 6, "DISEASE")]  # majority of the one teacher left
    assert abstained.excluded == {"both_failed": ["a", "b"]}
    with pytest.raises(ValueError):
        combine(docs, parts, on_failure="ignore")


def test_failures_file_marks_and_missing_docs(tmp_path):
    marked = mark_failed(doc_with("d3", []), "timeout")
    write_teacher(
        tmp_path,
        "a",
        "ds",
        {"train": [doc_with("d1", [(5, 6, "DISEASE")]), marked]},
        {"train": ["d2"]},
    )
    write_teacher(tmp_path, "b", "ds", {"train": [doc_with(f"d{i}", []) for i in (1, 2, 3, 4)]}, {})
    vocab = Vocab()
    splits = [load_teacher_split(tmp_path, t, "ds", "train", vocab) for t in ("a", "b")]
    assert splits[0].failed == {"d2", "d3"}
    docs, counts = collect_votes(splits)
    by_id = {dv.doc_id: dv for dv in docs}
    assert by_id["d1"].spans == {"a": ((5, 6, "DISEASE"),), "b": ()}
    assert by_id["d2"].failed == {"a": "failed"}
    assert by_id["d4"].failed == {"a": "missing"}
    assert counts["a: failed"] == 2 and counts["a: missing"] == 1


def test_missing_teacher_and_mismatched_text_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="teacher 'nope'"):
        load_teacher_split(tmp_path, "nope", "ds", "dev", Vocab())
    write_teacher(tmp_path, "a", "ds", {"dev": [doc_with("d1", [])]}, {})
    write_teacher(tmp_path, "b", "ds", {"dev": [doc_with("d1", [], text="Other text .")]}, {})
    splits = [load_teacher_split(tmp_path, t, "ds", "dev", Vocab()) for t in ("a", "b")]
    with pytest.raises(ValueError, match="doc 'd1': b's dev tokens differ"):
        collect_votes(splits)
