"""MACCROBAT (Caufield et al. 2019; CC BY 4.0): clinical case reports in brat standoff.

Medication → MEDICATION, Disease_disorder → DISEASE, Sign_symptom → SYMPTOM; the
other 38 entity types are ignored (``configs/labels/maccrobat.json``). There is no
official split: document names (PubMed ids) are sorted, shuffled with
``random.Random(seed)`` and cut 70/15/15 into train/dev/test
(:func:`clin_distill.corpora.splitting.seeded_split`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from .brat import brat_ids, read_brat_dir
from .raw import RawDoc
from .splitting import seeded_split

FOLDER = "MACCROBAT2020"
FRACTIONS = (0.7, 0.15, 0.15)
SPLIT_RULE = "sorted PMIDs shuffled with random.Random(seed), cut 70/15/15"


def read_splits(asset_dir: Path, seed: int) -> dict[str, Iterator[RawDoc]]:
    """Seeded 70/15/15 splits of the MACCROBAT brat folder in ``asset_dir``."""
    folder = asset_dir / FOLDER
    split_ids = seeded_split(brat_ids(folder), seed, FRACTIONS)
    read = partial(read_brat_dir, folder)
    return {split: read(ids) for split, ids in split_ids.items()}
