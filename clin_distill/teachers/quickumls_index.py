"""A QuickUMLS index built from the open vocabularies, so the QuickUMLS teacher works offline.

QuickUMLS (Soldaini & Goharian 2016) matches text against a term list *approximately*: every
window of up to ``window`` tokens is compared with the terms by character-trigram similarity
(Jaccard, threshold 0.85 in ``configs/teachers/quickumls.cfg``), so it finds inflected,
misspelled and reordered variants the exact EntityRuler of the open-vocabulary teacher misses,
and makes different mistakes: a second teacher whose disagreements the combination step can
weigh. Its usual index is built from a licensed UMLS release (``MRCONSO.RRF``, ``MRSTY.RRF``);
this module writes those two files, in the release's format, from the open-vocabulary
patterns (``training/patterns/open_vocab.jsonl``), then runs QuickUMLS's own installer code.

Concepts are the patterns' ids (DrugBank, Disease Ontology, HPO, ICD-10-CM codes), prefixed by
the label, and each label is one UMLS semantic type, mapped back by the teacher config's
``semtype_labels``: MEDICATION → T121 (Pharmacologic Substance), DISEASE → T047 (Disease or
Syndrome), SYMPTOM → T184 (Sign or Symptom). Token-pattern entries (lists) and terms shorter
than ``min_chars`` are left out (QuickUMLS matches strings; short terms only add noise at
trigram level).
"""

from __future__ import annotations

import json
import shutil
from argparse import Namespace
from collections import Counter
from pathlib import Path

from ..labels import DISEASE, MEDICATION, SYMPTOM

SEMANTIC_TYPES: dict[str, tuple[str, str]] = {
    MEDICATION: ("T121", "Pharmacologic Substance"),
    DISEASE: ("T047", "Disease or Syndrome"),
    SYMPTOM: ("T184", "Sign or Symptom"),
}
MIN_CHARS = 4


def write_rrf(patterns: Path, out_dir: Path, min_chars: int = MIN_CHARS) -> Counter:
    """Write ``MRCONSO.RRF`` and ``MRSTY.RRF`` for the string patterns of ``patterns`` (JSONL of
    ``{"label", "pattern", "id"}``); returns terms written per label and what was left out."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: Counter = Counter()
    concepts: dict[str, str] = {}
    with (out_dir / "MRCONSO.RRF").open("w", encoding="utf8") as conso:
        for line in patterns.read_text(encoding="utf8").splitlines():
            entry = json.loads(line)
            label, term = entry["label"], entry["pattern"]
            if label not in SEMANTIC_TYPES:
                raise ValueError(f"{patterns}: label {label!r} has no semantic type")
            if not isinstance(term, str):
                counts["token patterns left out"] += 1
                continue
            term = " ".join(term.split())
            if len(term) < min_chars or "|" in term:
                counts[f"terms shorter than {min_chars} characters or with '|' left out"] += 1
                continue
            cui = f"{label}:{entry.get('id') or term}".replace("|", "/")
            concepts[cui] = label
            n = counts[label]
            counts[label] += 1
            fields = [
                cui,
                "ENG",
                "P",
                f"L{n}",
                "PF",
                f"S{n}",
                "Y",
                f"A{n}",
                "",
                "",
                "",
                "OPENVOCAB",
                "PT",
                "",
            ]
            conso.write("|".join([*fields, term, "0", "N", ""]) + "\n")
    with (out_dir / "MRSTY.RRF").open("w", encoding="utf8") as sty:
        for cui, label in concepts.items():
            tui, name = SEMANTIC_TYPES[label]
            sty.write("|".join([cui, tui, "", name, "", ""]) + "\n")
    return counts


def build_index(rrf_dir: Path, dest: Path) -> None:
    """Run QuickUMLS's installer on ``rrf_dir`` into ``dest`` (emptied first): lower-cased terms,
    English, the unqlite backend, as ``python -m quickumls.install -L`` would."""
    from quickumls.install import extract_from_mrconso, parse_and_encode_ngrams

    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    opts = Namespace(lowercase=True, normalize_unicode=False, language="ENG", database_backend="unqlite")
    (dest / "lowercase.flag").touch()
    (dest / "language.flag").write_text(opts.language)
    (dest / "database_backend.flag").write_text(opts.database_backend)
    terms = extract_from_mrconso(str(rrf_dir / "MRCONSO.RRF"), str(rrf_dir / "MRSTY.RRF"), opts)
    parse_and_encode_ngrams(
        terms, str(dest / "umls-simstring.db"), str(dest / "cui-semtypes.db"), opts.database_backend
    )
