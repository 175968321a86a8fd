"""n2c2 2018 Track 2 (medication and adverse drug events; credentialed, user-supplied brat release).

Layout: ``<n2c2_dir>/train/`` and ``<n2c2_dir>/test/``, each with ``NAME.txt`` +
``NAME.ann``. The official test set is kept; dev is carved from train with
:func:`clin_distill.corpora.splitting.carve_dev` (seeded). Default mapping
(``configs/labels/n2c2.json``): Drug → MEDICATION, Reason → DISEASE,
ADE → SYMPTOM; Strength, Form, Dosage, Frequency, Route and Duration are ignored.
Reason and ADE are roles, not semantic types (a Reason can be a symptom, an ADE
a disease), so the mapping is an approximation; edit the label map to change it.
"""

from __future__ import annotations

from pathlib import Path

from ..runtime.tokenizer import clinical_blank
from .brat import brat_ids, read_brat_dir
from .convert import convert_splits
from .label_map import LabelMap
from .splitting import carve_dev
from .stats import CorpusStats

DEV_FRACTION = 0.1


def convert_n2c2(
    n2c2_dir: Path, out_dir: Path, label_map_path: Path, seed: int, dev_fraction: float = DEV_FRACTION
) -> CorpusStats:
    """Write ``out_dir/{train,dev,test}.spacy`` and stats from a local n2c2 2018 Track 2 release."""
    label_map = LabelMap.load(label_map_path)
    train, test = n2c2_dir / "train", n2c2_dir / "test"
    split_ids = {**carve_dev(brat_ids(train), seed, dev_fraction), "test": brat_ids(test)}
    splits = {
        split: read_brat_dir(test if split == "test" else train, ids) for split, ids in split_ids.items()
    }
    info = {
        "label_map": str(label_map_path),
        "seed": seed,
        "split_rule": f"official test; dev = {dev_fraction:.0%} of official train, seeded shuffle",
    }
    return convert_splits(clinical_blank(), splits, label_map, out_dir, "n2c2", info)
