"""The subset search: exactly 2^n − 1 subsets, scored rows, and the documented best choice."""

from __future__ import annotations

import pytest

from clin_distill.combine import all_subsets, choose_best, search_subsets
from clin_distill.combine.subsets import best_parts, subsets_markdown

from .builders import doc_with, votes


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_subset_count_is_two_to_the_n_minus_one(n):
    teachers = [f"t{i}" for i in range(n)]
    subsets = all_subsets(teachers)
    assert len(subsets) == 2**n - 1
    assert len(set(subsets)) == len(subsets)
    assert all(subsets)


def test_duplicate_teachers_are_rejected():
    with pytest.raises(ValueError):
        all_subsets(["a", "a"])


def test_search_scores_every_subset_and_picks_the_best_per_label():
    gold = [
        doc_with("d1", [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")], corpus="c", annotated=["DISEASE", "SYMPTOM"])
    ]
    dev = [
        votes(
            "d1",
            a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE"), (9, 10, "SYMPTOM")],
            b=[(3, 4, "SYMPTOM"), (7, 8, "DISEASE")],
            c=[(2, 4, "SYMPTOM")],
        )
    ]
    rows = search_subsets(dev, gold, ["a", "b", "c"], ["DISEASE", "SYMPTOM", "MEDICATION"])
    assert len(rows) == 7 * 2 * 3
    row = next(r for r in rows if r.label == "SYMPTOM" and r.teachers == ["a", "c"] and r.strategy == "vote")
    assert (row.strict.tp, row.strict.fp, row.strict.fn) == (1, 0, 0)
    best = choose_best(rows, ["DISEASE", "SYMPTOM", "MEDICATION"])
    # SYMPTOM: "c" alone is perfect, and fewest teachers wins ties; union before vote
    assert (best["SYMPTOM"].teachers, best["SYMPTOM"].strategy) == (["c"], "union")
    assert (best["DISEASE"].teachers, best["DISEASE"].strategy) == (["a"], "union")
    assert best["MEDICATION"] is None  # no dev doc's corpus annotates it: dropped
    assert [p.labels for p in best_parts(best)] == [("DISEASE",), ("SYMPTOM",)]
    md = subsets_markdown(rows, best, "intro")
    assert "MEDICATION**: no dev doc's corpus annotates it" in md
    assert md.count("| ✓ |") == 2


def test_a_label_only_one_corpus_annotates_is_chosen_on_that_corpus_alone():
    """SYMPTOM is annotated by corpus "clin" only; "abs" annotates DISEASE only. SYMPTOM spans a
    teacher proposes in an "abs" doc are neither right nor wrong, and SYMPTOM is kept."""
    gold = [
        doc_with("abs1", [(5, 6, "DISEASE")], corpus="abs", annotated=["DISEASE"]),
        doc_with(
            "clin1", [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")], corpus="clin", annotated=["DISEASE", "SYMPTOM"]
        ),
    ]
    dev = [
        # "a" tags fever as a SYMPTOM in the abstract, where no one annotated symptoms
        votes("abs1", a=[(5, 6, "DISEASE"), (9, 10, "SYMPTOM")], b=[(9, 10, "SYMPTOM")]),
        votes("clin1", a=[(2, 4, "SYMPTOM"), (5, 6, "DISEASE")], b=[(3, 4, "SYMPTOM")]),
    ]
    rows = search_subsets(dev, gold, ["a", "b"], ["MEDICATION", "DISEASE", "SYMPTOM"])
    a_symptom = next(r for r in rows if r.label == "SYMPTOM" and r.teachers == ["a"])
    assert (a_symptom.strict.tp, a_symptom.strict.fp, a_symptom.strict.fn) == (1, 0, 0)
    assert a_symptom.docs == 1
    a_disease = next(r for r in rows if r.label == "DISEASE" and r.teachers == ["a"])
    assert (a_disease.strict.tp, a_disease.docs) == (2, 2)
    best = choose_best(rows, ["MEDICATION", "DISEASE", "SYMPTOM"])
    assert best["MEDICATION"] is None
    assert best["SYMPTOM"].teachers == ["a"] and best["SYMPTOM"].strict.f == 1.0
