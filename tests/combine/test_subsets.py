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
    gold = [doc_with("d1", [(2, 4, "SYMPTOM"), (5, 6, "DISEASE")])]
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
    row = next(
        r for r in rows if r["label"] == "SYMPTOM" and r["teachers"] == ["a", "c"] and r["strategy"] == "vote"
    )
    assert (row["strict"]["tp"], row["strict"]["fp"], row["strict"]["fn"]) == (1, 0, 0)
    best = choose_best(rows, ["DISEASE", "SYMPTOM", "MEDICATION"])
    # SYMPTOM: "c" alone is perfect, and fewest teachers wins ties; union before vote
    assert (best["SYMPTOM"]["teachers"], best["SYMPTOM"]["strategy"]) == (["c"], "union")
    assert (best["DISEASE"]["teachers"], best["DISEASE"]["strategy"]) == (["a"], "union")
    assert best["MEDICATION"] is None  # no gold spans: dropped
    assert [p.labels for p in best_parts(best)] == [("DISEASE",), ("SYMPTOM",)]
    md = subsets_markdown(rows, best, "intro")
    assert "MEDICATION**: no gold spans" in md
    assert md.count("| ✓ |") == 2
