"""Batches of doc indices: fixed size in corpus order, or length-sorted under a wordpiece budget."""

from __future__ import annotations

from collections.abc import Sequence


def fixed_batches(n_docs: int, size: int) -> list[list[int]]:
    """Consecutive batches of ``size`` docs, corpus order."""
    if size < 1:
        raise ValueError(f"batch size must be >= 1, got {size}")
    return [list(range(i, min(i + size, n_docs))) for i in range(0, n_docs, size)]


def budget_batches(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Sort docs by wordpiece length (longest first) and fill each batch up to ``budget`` wordpieces.

    Docs of similar length share a batch, so little is spent on padding; a doc longer than the
    budget gets a batch of its own.
    """
    if budget < 1:
        raise ValueError(f"wordpiece budget must be >= 1, got {budget}")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i in order:
        if current and used + lengths[i] > budget:
            batches.append(current)
            current, used = [], 0
        current.append(i)
        used += lengths[i]
    if current:
        batches.append(current)
    return batches
