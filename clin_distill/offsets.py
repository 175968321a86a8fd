"""Spans as plain tuples, named by what their offsets count (defined once, used everywhere)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# (start_char, end_char, label): characters of the doc's text, end exclusive (scoring, LLM grounding)
CharSpan = tuple[int, int, str]
# (start, end, label): token indices of the doc, end exclusive (teacher votes, the combination)
TokenSpan = tuple[int, int, str]


def token_runs(tokens: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Token indices (any order, no repeats needed) as sorted maximal ``(start, end)`` runs, end exclusive."""
    start = prev = None
    for i in sorted(set(tokens)):
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            yield start, prev + 1
            start = prev = i
    if start is not None:
        yield start, prev + 1
