"""Decision rules: given one cluster's votes, emit a label or nothing.

Every rule sees ``votes`` (teacher → the label it proposed in the cluster) and
``teachers`` (the teachers that labelled the doc, the voters and the silent ones).
Label ties are broken by the most votes, then the order of ``LABELS``.

- ``union``: emit the plurality label whenever any teacher proposed a span.
- ``intersection``: emit only if every teacher proposed a span and all agree on its label.
- ``k-of-n`` (``vote``): emit the plurality label if at least ``k`` teachers proposed it;
  ``vote`` without ``k`` is a strict majority, ``k = n // 2 + 1``.
- ``weighted``: each vote for label L adds the teacher's weight for L, the smoothed log-odds
  of its lenient precision on gold dev, ``log((tp + 1) / (fp + 1))``; the highest-scoring
  label is emitted if its score is above 0 (silent teachers add nothing).
- ``dawid_skene``: see :mod:`.dawid_skene`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from ..labels import LABELS
from ..metrics.spans import score_docs
from .clusters import label_rank

Votes = Mapping[str, str]
Item = tuple[Votes, Sequence[str]]
Weights = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Decision:
    """A strategy's output for one cluster: the label, its score and the votes for it."""

    label: str
    score: float
    votes: int


def plurality(votes: Votes) -> list[tuple[str, int]]:
    """Labels with their vote counts, best first (ties: order of ``LABELS``)."""
    return sorted(Counter(votes.values()).items(), key=lambda kv: (-kv[1], label_rank(kv[0])))


class Strategy:
    """Base class. ``fit`` returns the rule ready to decide (stateless rules return themselves)."""

    name = "strategy"

    def fit(self, items: Sequence[Item]) -> Strategy:
        """Learn from the items this strategy will decide (a stateless rule returns itself)."""
        return self

    def decide(self, votes: Votes, teachers: Sequence[str]) -> Decision | None:
        """The decision for one cluster's votes (teacher → label) among the labelling teachers; None: drop."""
        raise NotImplementedError

    def describe(self) -> dict:
        """The strategy and its parameters, for choice.json."""
        return {"name": self.name}


class Union(Strategy):
    """Any teacher's proposal is kept (the most voted label)."""

    name = "union"

    def decide(self, votes: Votes, teachers: Sequence[str]) -> Decision | None:
        """The most voted label, whatever the number of votes."""
        if not votes:
            return None
        label, n = plurality(votes)[0]
        return Decision(label, n / max(len(teachers), 1), n)


class Intersection(Strategy):
    """Kept only if every labelling teacher proposed the same label."""

    name = "intersection"

    def decide(self, votes: Votes, teachers: Sequence[str]) -> Decision | None:
        """The label if every labelling teacher proposed it, else None."""
        labels = set(votes.values())
        if not teachers or len(labels) != 1 or any(t not in votes for t in teachers):
            return None
        return Decision(labels.pop(), 1.0, len(votes))


class KOfN(Strategy):
    """At least ``k`` votes for the plurality label; ``k=None`` is a strict majority of the teachers."""

    def __init__(self, k: int | None = None) -> None:
        if k is not None and k < 1:
            raise ValueError(f"k-of-n vote needs k >= 1, got {k}")
        self.k = k
        self.name = "vote" if k is None else f"{k}-of-n"

    def needed(self, n_teachers: int) -> int:
        """Votes needed among ``n_teachers`` (a strict majority unless ``k`` is set)."""
        return n_teachers // 2 + 1 if self.k is None else self.k

    def decide(self, votes: Votes, teachers: Sequence[str]) -> Decision | None:
        """The most voted label if it has the votes needed, else None."""
        if not votes:
            return None
        label, n = plurality(votes)[0]
        if n < self.needed(len(teachers)):
            return None
        return Decision(label, n / max(len(teachers), 1), n)

    def describe(self) -> dict:
        """The strategy and its ``k``."""
        return {"name": self.name, "k": self.k if self.k is not None else "majority (n // 2 + 1)"}


class Weighted(Strategy):
    """Votes weighted per teacher and label (e.g. from :func:`estimate_weights`), kept above a threshold."""

    name = "weighted"

    def __init__(self, weights: Weights, threshold: float = 0.0) -> None:
        self.weights = weights
        self.threshold = threshold

    def decide(self, votes: Votes, teachers: Sequence[str]) -> Decision | None:
        """The label with the highest summed weight, if above the threshold."""
        scores: dict[str, float] = {}
        counts = Counter(votes.values())
        for teacher, label in votes.items():
            scores[label] = scores.get(label, 0.0) + self.weights.get(teacher, {}).get(label, 0.0)
        if not scores:
            return None
        label = min(scores, key=lambda lab: (-scores[lab], -counts[lab], label_rank(lab)))
        if scores[label] <= self.threshold:
            return None
        return Decision(label, scores[label], counts[label])

    def describe(self) -> dict:
        """The strategy, its threshold and weights."""
        return {"name": self.name, "threshold": self.threshold, "weights": self.weights}


def estimate_weights(
    teacher_docs: Mapping[str, Iterable[Doc]], gold_docs: Sequence[Doc], labels: Sequence[str] = LABELS
) -> Weights:
    """Per teacher and label, ``log((tp + 1) / (fp + 1))`` from lenient matches on gold."""
    weights: Weights = {}
    for teacher, docs in teacher_docs.items():
        lenient = score_docs(docs, gold_docs, labels)["lenient"]
        weights[teacher] = {
            label: math.log((lenient[label]["tp"] + 1) / (lenient[label]["fp"] + 1)) for label in labels
        }
    return weights
