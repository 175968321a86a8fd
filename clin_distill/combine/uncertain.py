"""Tokens the distilled corpus should not teach either way.

A teacher proposed a span there, but the chosen combination did not keep it (the plan left
that teacher out for the label, or the vote went against it). The combination's "no entity"
is then a guess against some evidence, so the student is better left untaught than taught
"O": such tokens become missing values (spaCy's ``ent_iob`` 0), the idea of AutoNER's
"unknown" tokens. Tokens inside a kept span are always taught (the kept span wins), and so
is every token no teacher proposed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ..offsets import TokenSpan
from .teachers import DocVotes


def _runs(tokens: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Sorted token indices as maximal ``(start, end)`` runs."""
    start = prev = None
    for i in sorted(tokens):
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            yield start, prev + 1
            start = prev = i
    if start is not None:
        yield start, prev + 1


def uncertain_runs(dv: DocVotes, kept: Sequence[TokenSpan], labels: Sequence[str]) -> list[tuple[int, int]]:
    """Token runs some teacher proposed (a span of one of ``labels``) that no ``kept`` span covers."""
    covered = {i for start, end, _ in kept for i in range(start, end)}
    proposed = {
        i
        for spans in dv.spans.values()
        for start, end, label in spans
        if label in labels
        for i in range(start, end)
    }
    return list(_runs(proposed - covered))
