"""NCBI Disease corpus (Doğan et al. 2014; public domain): PubTator files with the official splits.

All four mention types (SpecificDisease, DiseaseClass, Modifier, CompositeMention)
map to DISEASE (``configs/labels/ncbi_disease.json``). Upstream quirks: PMID
8528200 appears twice, identically, in the training file; the second copy is
skipped and counted as ``duplicate_id``. One mention (PMID 10923035, 711-761) has
trailing spaces in its mention column; it matches after whitespace normalisation
and is counted as ``surface_whitespace``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .pubtator import read_pubtator
from .raw import RawDoc

FILES = {
    "train": "NCBItrainset_corpus.txt",
    "dev": "NCBIdevelopset_corpus.txt",
    "test": "NCBItestset_corpus.txt",
}
SPLIT_RULE = "official NCBI Disease train/develop/test files"


def read_splits(asset_dir: Path, seed: int) -> dict[str, Iterator[RawDoc]]:
    """The official train/dev/test files (``seed`` is unused: the split is fixed upstream)."""
    return {split: read_pubtator(asset_dir / name) for split, name in FILES.items()}
