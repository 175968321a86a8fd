"""Unknown, not "O": candidate phrases no teacher labels become missing values, teacher spans stay."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from spacy.tokens import Span

from clin_distill.combine.teachers import StaleTeacherError
from clin_distill.combine.unknown import check_sources, load_candidates, unknown_tokens
from clin_distill.docio import read_docbin, write_docbin
from clin_distill.stepfiles.combine import CombineChoice

from .builders import doc_with, votes
from .test_cli import project, run_cli  # noqa: F401 - the fixture

# tokens: Patient(0) with chest(2) pain(3) and diabetes(5) took metformin(7) for fever(9) today(10) .(11)


def test_candidates_no_teacher_proposed_become_missing_and_teacher_spans_stay():
    dv = votes(a=[(2, 4, "SYMPTOM")], b=[(7, 8, "MEDICATION")])
    candidates = [
        (2, 4, "chunks"),  # chest pain: a teacher span, stays an entity
        (3, 6, "heads"),  # overlaps a's span: some teacher labelled part of it, not unknown
        (5, 6, "fuzzy"),  # diabetes: no teacher proposed it → missing
        (9, 11, "chunks"),  # fever today: no teacher → missing
        (0, 1, "heads"),  # Patient: a source not selected below
    ]
    counts: Counter = Counter()
    marked = unknown_tokens(dv, candidates, ["chunks", "fuzzy"], counts)
    assert marked == {5, 9, 10}
    assert counts == Counter({"fuzzy": 1, "chunks": 2})


def write_candidates(root: Path, spans: dict[str, list[tuple[int, int, str]]]) -> Path:
    docs = []
    for doc_id in ("t1", "t2", "t3"):
        doc = doc_with(doc_id, [])
        doc.spans["candidates"] = [Span(doc, s, e, label=src) for s, e, src in spans.get(doc_id, [])]
        docs.append(doc)
    write_docbin(root / "corpus/candidates/train.spacy", docs)
    return root / "corpus/candidates"


def iob(doc) -> list[str]:
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ else "missing" for t in doc]


def test_combine_marks_exactly_the_unlabelled_candidate_tokens(project: Path):  # noqa: F811
    write_candidates(project, {"t1": [(9, 11, "chunks"), (2, 3, "chunks")], "t3": [(0, 1, "heads")]})
    proc = run_cli(project, "a,b", "--unknown", "chunks", "--candidates", "corpus/candidates")
    assert proc.exit_code == 0, proc.output
    docs = {d.user_data["doc_id"]: d for d in read_docbin(project / "corpus/distilled/train.spacy")}
    t1 = docs["t1"]
    assert [i for i, tag in enumerate(iob(t1)) if tag == "missing"] == [9, 10]
    assert [(e.start, e.end) for e in t1.ents] == [(2, 4), (5, 6), (7, 8)]  # teacher spans unchanged
    assert "missing" not in iob(docs["t3"])  # heads not selected
    summary = CombineChoice.read(project / "metrics/combine/choice.json").train.unknown_missing
    assert summary.sources == ["chunks"] and summary.tokens == 2 and summary.tokens_by_source == {"chunks": 2}


def test_candidates_of_other_texts_are_a_clear_error(project: Path):  # noqa: F811
    folder = write_candidates(project, {})
    write_docbin(folder / "train.spacy", [doc_with("t1", []), doc_with("t9", [])])
    with pytest.raises(StaleTeacherError, match="candidates of 2 docs, but the pool's train split has 3"):
        load_candidates(folder, project / "corpus/ds")
    proc = run_cli(project, "a,b", "--unknown", "chunks")
    assert proc.exit_code == 1 and "needs the candidates folder" in proc.output


def test_unknown_sources_are_checked():
    with pytest.raises(ValueError, match="unknown candidate sources"):
        check_sources(["nouns"])
