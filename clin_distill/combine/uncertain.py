"""Tokens the distilled corpus should not teach either way (modes of ``combine --uncertain``).

``dropped``: a teacher proposed a span there, but the chosen combination did not keep it (the
plan left that teacher out for the label, or the vote went against it). The combination's
"no entity" is then a guess against some evidence, so the student is better left untaught than
taught "O": such tokens become missing values (spaCy's ``ent_iob`` 0), the idea of AutoNER's
"unknown" tokens. Tokens inside a kept span are taught (the kept span wins), and so is every
token no teacher proposed.

``disputed``: as ``dropped``, and a kept span is taught only if every plan teacher of its label
that labelled the doc proposed exactly it; a kept span the teachers disagree on (one proposed
it, another proposed nothing or other boundaries or another label) becomes missing too. The
student then learns from the spans the teachers agree on, and "O" where none proposed anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..offsets import TokenSpan, token_runs
from .apply import Part
from .teachers import DocVotes

MODES = ("off", "dropped", "disputed")


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
    return list(token_runs(proposed - covered))


def agreed_spans(dv: DocVotes, kept: Sequence[TokenSpan], parts: Sequence[Part]) -> list[TokenSpan]:
    """The ``kept`` spans that every plan teacher of their label, among those that labelled the
    doc, proposed exactly (same tokens, same label)."""
    teachers_of = {label: part.teachers for part in parts for label in part.labels}
    return [
        span
        for span in kept
        if all(span in dv.spans[t] for t in teachers_of.get(span[2], ()) if t in dv.spans)
    ]
