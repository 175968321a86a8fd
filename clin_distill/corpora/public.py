"""The public gold corpora converted by the ``convert`` step, and how to convert one.

Each dataset module exposes ``read_splits(asset_dir, seed, **options)`` returning
``{split: iterable of RawDoc}``, and ``SPLIT_RULE`` (one line, recorded in stats.json).
Its assets live in ``<assets>/<dataset>/``, its label map in ``<label_maps>/<dataset>.json``.
"""

from __future__ import annotations

import importlib
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..runtime.tokenizer import clinical_blank
from .convert import convert_splits
from .label_map import LabelMap
from .reading import CorpusError
from .stats import CorpusStats

DATASETS: tuple[str, ...] = ("ncbi_disease", "bc5cdr", "maccrobat")
# Credentialed gold corpora a user may add to the pool; each has its own convert step
PRIVATE_DATASETS: tuple[str, ...] = ("n2c2",)


def check_datasets(names: Sequence[str], known: tuple[str, ...] = DATASETS + PRIVATE_DATASETS) -> list[str]:
    """Dataset names, validated and de-duplicated in order; CorpusError for an unknown one or none."""
    if isinstance(names, str):
        raise TypeError(
            "names is a list of datasets; a script parses its text with clin_distill.cli.comma_list"
        )
    out = list(dict.fromkeys(names))
    unknown = [n for n in out if n not in known]
    if unknown:
        raise CorpusError(f"unknown datasets {unknown}; known: {list(known)}")
    if not out:
        raise CorpusError("no datasets given")
    return out


def convert_dataset(
    name: str,
    assets_dir: str | Path,
    out_dir: str | Path,
    label_maps_dir: str | Path,
    seed: int,
    max_docs: int = 0,
    **options: Any,
) -> CorpusStats:
    """Convert ``<assets_dir>/<name>`` into ``<out_dir>/<name>/{train,dev,test}.spacy`` + stats.

    ``max_docs`` > 0 keeps only the first documents of each split (small smoke runs).
    """
    if name not in DATASETS:
        raise CorpusError(f"unknown dataset {name!r}; known: {list(DATASETS)}")
    asset_dir = Path(assets_dir) / name
    if not asset_dir.is_dir():
        raise CorpusError(
            f"{asset_dir}: asset folder for dataset {name} is missing "
            "(run the fetch-assets step, or leave it out of --datasets)"
        )
    map_path = Path(label_maps_dir) / f"{name}.json"
    if not map_path.is_file():
        raise CorpusError(f"{map_path}: label map for dataset {name} is missing")
    label_map = LabelMap.load(map_path)
    module = importlib.import_module(f".{name}", __package__)
    splits = module.read_splits(asset_dir, seed, **options)
    if max_docs > 0:
        splits = {split: itertools.islice(docs, max_docs) for split, docs in splits.items()}
    info = {"label_map": str(map_path), "seed": seed, "split_rule": module.SPLIT_RULE, "max_docs": max_docs}
    return convert_splits(clinical_blank(), splits, label_map, Path(out_dir) / name, name, info)
