"""Group teacher spans that refer to the same mention, and pick one boundary per group.

The overlap rule:

- spans are token offsets ``(start, end, label)``; each teacher's own spans never overlap
  (they are ``doc.ents``);
- a *cluster* is a connected component of the relation "shares at least one token", over
  the spans of every teacher and every label. "chest pain" and "pain" fall in one cluster,
  and so do spans with the same boundaries but different labels;
- a teacher with several spans in one cluster is represented by its longest one (ties: the
  earlier start, then label order), so each teacher casts at most one vote per cluster;
- one span is emitted per cluster. Its boundary is the one proposed by most of the teachers
  voting for the winning label; ties go to the longer span, then the earlier start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..labels import LABELS
from ..offsets import TokenSpan


def label_rank(label: str) -> tuple[int, str]:
    """Sort key for deterministic label tie-breaks: the order of ``LABELS``, then by name."""
    return (LABELS.index(label), "") if label in LABELS else (len(LABELS), label)


@dataclass(frozen=True)
class Cluster:
    """Overlapping proposals of one doc: the covering token range, each teacher's span, and how many spans."""

    start: int
    end: int
    proposals: Mapping[str, TokenSpan]
    n_spans: int

    @property
    def votes(self) -> dict[str, str]:
        """Teacher → the label it proposed in this cluster."""
        return {teacher: span[2] for teacher, span in self.proposals.items()}

    @property
    def labels(self) -> set[str]:
        """The labels proposed in this cluster."""
        return {span[2] for span in self.proposals.values()}

    def representative(self, label: str) -> tuple[int, int, int]:
        """``(start, end, n)``: the boundary most teachers proposed for ``label``, and their count."""
        counts = Counter((s[0], s[1]) for s in self.proposals.values() if s[2] == label)
        if not counts:
            raise ValueError(f"no teacher proposed {label!r} in this cluster")
        (start, end), n = min(counts.items(), key=lambda kv: (-kv[1], kv[0][0] - kv[0][1], kv[0][0]))
        return start, end, n


def _main_span(spans: list[TokenSpan]) -> TokenSpan:
    return min(spans, key=lambda s: (s[0] - s[1], s[0], label_rank(s[2])))


def _make_cluster(members: list[tuple[str, TokenSpan]]) -> Cluster:
    by_teacher: dict[str, list[TokenSpan]] = {}
    for teacher, span in members:
        by_teacher.setdefault(teacher, []).append(span)
    proposals = {t: _main_span(spans) for t, spans in sorted(by_teacher.items())}
    return Cluster(
        start=min(s[0] for _, s in members),
        end=max(s[1] for _, s in members),
        proposals=proposals,
        n_spans=len(members),
    )


def cluster_spans(spans_by_teacher: Mapping[str, Iterable[TokenSpan]]) -> list[Cluster]:
    """Connected components of overlapping spans across teachers, in text order."""
    flat = sorted(
        ((span, teacher) for teacher, spans in spans_by_teacher.items() for span in spans),
        key=lambda x: (x[0][0], x[0][1], label_rank(x[0][2]), x[1]),
    )
    clusters: list[Cluster] = []
    members: list[tuple[str, TokenSpan]] = []
    extent_end = -1
    for span, teacher in flat:
        if span[1] <= span[0]:
            raise ValueError(f"empty span {span[:2]} from teacher {teacher!r}")
        if members and span[0] < extent_end:
            members.append((teacher, span))
            extent_end = max(extent_end, span[1])
        else:
            if members:
                clusters.append(_make_cluster(members))
            members, extent_end = [(teacher, span)], span[1]
    if members:
        clusters.append(_make_cluster(members))
    return clusters
