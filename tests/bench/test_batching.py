from __future__ import annotations

import pytest

from clin_distill.bench.batching import budget_batches, fixed_batches


def test_fixed_batches_keep_corpus_order():
    assert fixed_batches(5, 2) == [[0, 1], [2, 3], [4]]
    with pytest.raises(ValueError):
        fixed_batches(5, 0)


def test_budget_batches_sort_by_length_and_respect_the_budget():
    lengths = [10, 300, 40, 250, 35, 600, 20]
    batches = budget_batches(lengths, 320)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert batches[0] == [5]  # longer than the budget: alone
    for batch in batches:
        assert len(batch) == 1 or sum(lengths[i] for i in batch) <= 320
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(lengths, reverse=True)
