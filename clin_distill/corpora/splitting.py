"""Seeded splits for corpora without an official one (or without a dev split)."""

from __future__ import annotations

import random
from collections.abc import Iterable

from .reading import CorpusError


def carve_dev(ids: Iterable[str], seed: int, fraction: float) -> dict[str, list[str]]:
    """Split official training ids into train and dev: sort, shuffle with ``random.Random(seed)``,
    the first ``round(fraction * n)`` become dev."""
    if not 0 < fraction < 1:
        raise CorpusError(f"dev fraction must be between 0 and 1, got {fraction}")
    ordered = sorted(set(ids))
    random.Random(seed).shuffle(ordered)
    n_dev = round(fraction * len(ordered))
    return {"train": sorted(ordered[n_dev:]), "dev": sorted(ordered[:n_dev])}


def seeded_split(
    ids: Iterable[str], seed: int, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
) -> dict[str, list[str]]:
    """Sort ``ids``, shuffle them with ``random.Random(seed)`` and cut train/dev/test by ``fractions``
    (train and dev sizes rounded; test takes the rest)."""
    ordered = sorted(set(ids))
    random.Random(seed).shuffle(ordered)
    n_train = round(fractions[0] * len(ordered))
    n_dev = round(fractions[1] * len(ordered))
    return {
        "train": sorted(ordered[:n_train]),
        "dev": sorted(ordered[n_train : n_train + n_dev]),
        "test": sorted(ordered[n_train + n_dev :]),
    }
