"""BC5CDR, the BioCreative V Chemical Disease Relation corpus (Li et al. 2016; public domain).

Official train/dev/test files, read from PubTator (default) or BioC XML. Disease
→ DISEASE; Chemical → MEDICATION (``configs/labels/bc5cdr.json``).

Why Chemical is a fair proxy for MEDICATION: the corpus was built to study
chemical-induced disease, so its abstracts are dominated by drugs given to
patients or animals (clonidine, cisplatin, haloperidol...), annotated with MeSH
chemical ids, with the same span conventions a clinical drug annotator uses
(names, brand names, abbreviations; no dose or route).

Its limits: Chemical also covers substances that are not medications (toxins,
metabolites, ions, endogenous compounds such as dopamine or calcium,
experimental agents, drug classes), so recall of a clinical MEDICATION model
measured on BC5CDR is understated and its precision overstated for clinical
use; the text is PubMed abstracts, not clinical notes; and BC5CDR has no
SYMPTOM label (symptoms are annotated as Disease).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .bioc_xml import read_bioc
from .pubtator import read_pubtator
from .raw import RawDoc
from .reading import CorpusError

FOLDER = "CDR.Corpus.v010516"
STEMS = {"train": "CDR_TrainingSet", "dev": "CDR_DevelopmentSet", "test": "CDR_TestSet"}
SPLIT_RULE = "official BC5CDR training/development/test files"
READERS = {"pubtator": (read_pubtator, ".PubTator.txt"), "bioc": (read_bioc, ".BioC.xml")}


def read_splits(asset_dir: Path, seed: int, fmt: str = "pubtator") -> dict[str, Iterator[RawDoc]]:
    """The official splits from the ``fmt`` ("pubtator" or "bioc") files (``seed`` is unused)."""
    if fmt not in READERS:
        raise CorpusError(f"unknown BC5CDR format {fmt!r}; use one of {sorted(READERS)}")
    reader, suffix = READERS[fmt]
    paths = {split: asset_dir / FOLDER / f"{stem}{suffix}" for split, stem in STEMS.items()}
    for path in paths.values():
        if not path.is_file():
            raise CorpusError(f"{path}: BC5CDR {fmt} file is missing")
    return {split: reader(path) for split, path in paths.items()}
