"""Apply a combination plan to paired teacher votes and build the output Docs.

A plan is a list of :class:`Part` s, each a (labels, teachers, strategy) triple: a named
strategy is one part over all labels; ``best`` is one part per label with its own teacher
subset. Each part clusters its teachers' spans of its labels and lets the strategy decide
each cluster, so one part never emits overlapping spans. Spans from different parts that
overlap are resolved greedily: higher strategy score first, then more votes, the longer
span, the earlier start, label order; the losers are counted.

Failure rule (``on_failure``): ``exclude`` (default) leaves out every doc that any teacher
of the plan failed on or missed; ``abstain`` keeps it and lets the remaining teachers vote.
A doc no teacher of the plan labelled is always excluded. Excluded docs are listed by id.
Spans are still computed for excluded docs that some plan teacher labelled (the review
export shows them), and a strategy that fits (Dawid–Skene) is fit on all of them; the
counts cover the kept docs only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from ..docio import corpus_of, set_doc_id, set_provenance, tokens_copy
from ..labels import LABELS
from ..offsets import TokenSpan
from .clusters import Cluster, cluster_spans, label_rank
from .strategies import Decision, Strategy
from .teachers import DocVotes

ON_FAILURE = ("exclude", "abstain")


@dataclass(frozen=True)
class Part:
    """One part of a plan: these labels are decided by these teachers under this strategy."""

    labels: tuple[str, ...]
    teachers: tuple[str, ...]
    strategy: Strategy


@dataclass
class Combined:
    """Output spans per doc (every doc some plan teacher labelled), the excluded docs with the
    plan teachers that did not label them, counts, and the fitted strategy of each part."""

    spans: dict[str, list[TokenSpan]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    fitted: list[Strategy] = field(default_factory=list)

    @property
    def kept(self) -> list[str]:
        """Docs with output spans that the failure rule did not exclude, in order."""
        return [doc_id for doc_id in self.spans if doc_id not in self.excluded]


def plan_teachers(parts: Sequence[Part]) -> tuple[str, ...]:
    """The teachers a plan uses, in first-seen order."""
    return tuple(dict.fromkeys(t for part in parts for t in part.teachers))


def _part_candidates(
    docs: Sequence[DocVotes], part: Part, counts: Counter, counted: set[str]
) -> tuple[dict[str, list[tuple[TokenSpan, Decision]]], Strategy]:
    prepared: list[tuple[str, list[str], list[Cluster]]] = []
    for dv in docs:
        voters = [t for t in part.teachers if t in dv.spans]
        spans = {t: [s for s in dv.spans[t] if s[2] in part.labels] for t in voters}
        prepared.append((dv.doc_id, voters, cluster_spans(spans)))
    fitted = part.strategy.fit([(c.votes, voters) for _, voters, clusters in prepared for c in clusters])
    out: dict[str, list[tuple[TokenSpan, Decision]]] = {}
    for doc_id, voters, clusters in prepared:
        found = out.setdefault(doc_id, [])
        doc_counts = counts if doc_id in counted else Counter()
        for cluster in clusters:
            doc_counts["clusters"] += 1
            decision = fitted.decide(cluster.votes, voters)
            conflict = len(cluster.labels) > 1
            if conflict:
                doc_counts["label conflicts"] += 1
            if decision is None:
                doc_counts["clusters dropped by the strategy"] += 1
                doc_counts["label conflicts dropped"] += conflict
                continue
            doc_counts["label conflicts resolved"] += conflict
            start, end, _ = cluster.representative(decision.label)
            doc_counts["boundary disagreements"] += len({s[:2] for s in cluster.proposals.values()}) > 1
            found.append(((start, end, decision.label), decision))
    return out, fitted


def _merge(candidates: Iterable[tuple[TokenSpan, Decision]], counts: Counter) -> list[TokenSpan]:
    ranked = sorted(
        candidates,
        key=lambda c: (-c[1].score, -c[1].votes, c[0][0] - c[0][1], c[0][0], label_rank(c[0][2])),
    )
    taken: list[TokenSpan] = []
    for span, _ in ranked:
        if any(span[0] < t[1] and t[0] < span[1] for t in taken):
            counts["overlaps between parts dropped"] += 1
        else:
            taken.append(span)
    return sorted(taken)


def combine(docs: Sequence[DocVotes], parts: Sequence[Part], on_failure: str = "exclude") -> Combined:
    """Combine every doc under ``parts``; see the module docstring for the rules."""
    if on_failure not in ON_FAILURE:
        raise ValueError(f"on_failure must be one of {ON_FAILURE}, got {on_failure!r}")
    result = Combined()
    teachers = plan_teachers(parts)
    usable: list[DocVotes] = []
    for dv in docs:
        missing = [t for t in teachers if t not in dv.spans]
        if len(missing) == len(teachers) or (missing and on_failure == "exclude"):
            result.excluded[dv.doc_id] = missing
        if len(missing) < len(teachers):
            usable.append(dv)
    per_doc: dict[str, list[tuple[TokenSpan, Decision]]] = {dv.doc_id: [] for dv in usable}
    counted = {dv.doc_id for dv in usable if dv.doc_id not in result.excluded}
    for part in parts:
        found, fitted = _part_candidates(usable, part, result.counts, counted)
        result.fitted.append(fitted)
        for doc_id, candidates in found.items():
            per_doc[doc_id].extend(candidates)
    for doc_id, candidates in per_doc.items():
        result.spans[doc_id] = _merge(candidates, result.counts if doc_id in counted else Counter())
    result.counts = +result.counts
    return result


def make_doc(
    base: Doc,
    doc_id: str,
    spans: Iterable[TokenSpan],
    labels: Sequence[str] | None = None,
    missing: Sequence[tuple[int, int]] = (),
) -> Doc:
    """A fresh Doc with ``base``'s tokens, ``spans`` as its entities and its doc id.

    With ``labels``, the doc also records ``base``'s corpus and that it is annotated for
    ``labels`` (the labels the plan decided), so a student learns every one of them from it.
    ``missing`` token runs (outside ``spans``) get no annotation at all (see :mod:`.uncertain`).
    """
    doc = tokens_copy(base)
    ents = []
    for start, end, label in spans:
        start, end = _strip_space(doc, start, end)
        if start < end:
            ents.append(Span(doc, start, end, label=label))
    doc.set_ents(ents, missing=[Span(doc, start, end) for start, end in missing], default="outside")
    if labels is not None:
        set_provenance(doc, corpus_of(base), labels)
    return set_doc_id(doc, doc_id)


def _strip_space(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """``start, end`` without leading or trailing whitespace tokens (an entity never starts or
    ends on a line break: spaCy's NER cannot predict it, and training on it fails)."""
    while start < end and not doc[start].text.strip():
        start += 1
    while end > start and not doc[end - 1].text.strip():
        end -= 1
    return start, end


def plan_labels(parts: Sequence[Part]) -> tuple[str, ...]:
    """The labels some part of the plan decides, in LABELS order."""
    return tuple(label for label in LABELS if any(label in part.labels for part in parts))


def to_docs(
    docs: Sequence[DocVotes],
    combined: Combined,
    labels: Sequence[str] | None = None,
    missing: dict[str, list[tuple[int, int]]] | None = None,
) -> list[Doc]:
    """Output Docs for the kept docs, in input order (``labels``, ``missing``: see :func:`make_doc`)."""
    kept = set(combined.kept)
    missing = missing or {}
    return [
        make_doc(dv.base, dv.doc_id, combined.spans[dv.doc_id], labels, missing.get(dv.doc_id, ()))
        for dv in docs
        if dv.doc_id in kept and dv.base is not None
    ]
