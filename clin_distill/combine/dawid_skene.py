"""Gold-free Dawid–Skene EM over span votes.

Items are clusters (see :mod:`.clusters`). Each teacher that labelled the doc gives one
observation per item: the label it proposed there, or ``O`` (no span) if it was silent.
A teacher that did not label the doc gives none. The latent class of an item is a label or
``O``. EM estimates class priors and one confusion matrix per teacher
(``P(observed | true)``), with additive smoothing; it starts from each item's vote shares
and stops when no posterior moves more than ``tol``. An item is emitted with its most
probable class among ``O`` and the labels some teacher proposed there (a label nobody
proposed has no boundary), unless that is ``O``; ties follow ``LABELS``, ``O`` last.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..labels import LABELS
from .strategies import Decision, Item, Strategy, Votes

NONE = "O"


class DawidSkene(Strategy):
    """The Dawid–Skene strategy: fit on the items it labels, then decide each (module docstring)."""

    name = "dawid_skene"

    def __init__(
        self,
        labels: Sequence[str] = LABELS,
        max_iter: int = 500,
        tol: float = 1e-6,
        smoothing: float = 0.01,
    ) -> None:
        self.classes: tuple[str, ...] = (*labels, NONE)
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing
        self.teachers: tuple[str, ...] = ()
        k = len(self.classes)
        self.prior = np.full(k, 1 / k)
        self.confusion = np.zeros((0, k, k))
        self.n_items = 0
        self.n_iter = 0
        self.converged = False

    def _observations(self, items: Sequence[Item]) -> np.ndarray:
        """One-hot observations, shape (items, teachers, classes); all-zero where missing."""
        index = {c: i for i, c in enumerate(self.classes)}
        teacher_index = {t: i for i, t in enumerate(self.teachers)}
        obs = np.zeros((len(items), len(self.teachers), len(self.classes)))
        for i, (votes, teachers) in enumerate(items):
            for teacher in teachers:
                if teacher in teacher_index:
                    obs[i, teacher_index[teacher], index[votes.get(teacher, NONE)]] = 1.0
        return obs

    def _posterior(self, obs: np.ndarray) -> np.ndarray:
        log_post = np.log(self.prior)[None, :] + np.einsum("itl,tkl->ik", obs, np.log(self.confusion))
        log_post -= log_post.max(axis=1, keepdims=True)
        post = np.exp(log_post)
        return post / post.sum(axis=1, keepdims=True)

    def _m_step(self, post: np.ndarray, obs: np.ndarray) -> None:
        k = len(self.classes)
        self.prior = (post.sum(axis=0) + self.smoothing) / (len(post) + k * self.smoothing)
        counts = np.einsum("ik,itl->tkl", post, obs) + self.smoothing
        self.confusion = counts / counts.sum(axis=2, keepdims=True)

    def fit(self, items: Sequence[Item]) -> DawidSkene:
        """Estimate priors and confusions by EM on ``items`` (labels outside the classes are an error)."""
        for votes, _ in items:
            unknown = set(votes.values()) - set(self.classes)
            if unknown:
                raise ValueError(f"Dawid–Skene got labels outside {self.classes}: {sorted(unknown)}")
        self.teachers = tuple(dict.fromkeys(t for _, teachers in items for t in teachers))
        obs = self._observations(items)
        self.n_items = len(items)
        post = obs.sum(axis=1)
        post = post / np.maximum(post.sum(axis=1, keepdims=True), 1e-12)
        for n_iter in range(1, self.max_iter + 1):
            self.n_iter = n_iter
            self._m_step(post, obs)
            new = self._posterior(obs)
            delta = float(np.abs(new - post).max()) if len(new) else 0.0
            post = new
            self.converged = delta < self.tol
            if self.converged:
                break
        self._m_step(post, obs)
        return self

    def posterior(self, votes: Votes, teachers: Sequence[str]) -> dict[str, float]:
        """P(true class | ``votes`` of the labelling ``teachers``), per class (the labels and ``O``)."""
        post = self._posterior(self._observations([(votes, teachers)]))[0]
        return {c: float(p) for c, p in zip(self.classes, post, strict=True)}

    def decide(self, votes: Votes, teachers: Sequence[str]) -> Decision | None:
        """The most probable of ``O`` and the proposed labels (ties: ``LABELS`` order, ``O`` last);
        None for ``O``."""
        if not votes or not self.teachers:
            return None
        post = self.posterior(votes, teachers)
        allowed = set(votes.values()) | {NONE}
        rank = {c: k for k, c in enumerate(self.classes)}
        label = max((c for c in self.classes if c in allowed), key=lambda c: (post[c], -rank[c]))
        if label == NONE:
            return None
        return Decision(label, post[label], sum(1 for v in votes.values() if v == label))

    def accuracy(self) -> dict[str, float]:
        """Each teacher's estimated probability of reporting the true class (prior-weighted)."""
        return {
            t: float(np.sum(self.prior * np.diag(self.confusion[i]))) for i, t in enumerate(self.teachers)
        }

    def describe(self) -> dict:
        """The fitted model for choice.json: classes, prior, each teacher's accuracy and confusion."""
        return {
            "name": self.name,
            "items": self.n_items,
            "iterations": self.n_iter,
            "converged": self.converged,
            "classes": list(self.classes),
            "prior": dict(zip(self.classes, map(float, self.prior), strict=True)),
            "accuracy": self.accuracy(),
            "confusion": {
                t: {
                    true: dict(zip(self.classes, map(float, self.confusion[i, k]), strict=True))
                    for k, true in enumerate(self.classes)
                }
                for i, t in enumerate(self.teachers)
            },
        }
