"""A QuickUMLS index built from open-vocabulary patterns: the RRF rows, and approximate matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clin_distill.teachers.pipeline import assemble_teacher, quickumls_overrides
from clin_distill.teachers.quickumls_index import build_index, write_rrf

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "teachers"
PATTERNS = [
    {"label": "DISEASE", "pattern": "essential hypertension", "id": "DOID:10825"},
    {"label": "DISEASE", "pattern": "migraine", "id": "DOID:6364"},
    {"label": "SYMPTOM", "pattern": "headache", "id": "HP:0002315"},
    {"label": "MEDICATION", "pattern": "metformin hydrochloride", "id": "DB00331"},
    {"label": "MEDICATION", "pattern": "ibu", "id": "short"},
    {"label": "SYMPTOM", "pattern": [{"LOWER": "pain"}], "id": "token-pattern"},
]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("quickumls")
    patterns = root / "open_vocab.jsonl"
    patterns.write_text("".join(json.dumps(p) + "\n" for p in PATTERNS))
    counts = write_rrf(patterns, root / "rrf")
    assert counts == {
        "DISEASE": 2,
        "SYMPTOM": 1,
        "MEDICATION": 1,
        "token patterns left out": 1,
        "terms shorter than 4 characters or with '|' left out": 1,
    }
    build_index(root / "rrf", root / "index")
    return root


def test_rrf_rows_follow_the_umls_release_format(index: Path):
    conso = (index / "rrf" / "MRCONSO.RRF").read_text().splitlines()
    first = conso[0].split("|")
    assert len(first) == 18 and first[0] == "DISEASE:DOID:10825" and first[1] == "ENG" and first[6] == "Y"
    assert first[14] == "essential hypertension"
    sty = {
        line.split("|")[0]: line.split("|")[1]
        for line in (index / "rrf" / "MRSTY.RRF").read_text().splitlines()
    }
    assert sty == {
        "DISEASE:DOID:10825": "T047",
        "DISEASE:DOID:6364": "T047",
        "SYMPTOM:HP:0002315": "T184",
        "MEDICATION:DB00331": "T121",
    }


def test_quickumls_teacher_matches_variants_the_exact_ruler_would_miss(index: Path):
    overrides = quickumls_overrides(CONFIGS / "quickumls.cfg", str(index / "index"), 0.7)
    nlp = assemble_teacher(CONFIGS / "quickumls.cfg", overrides)
    doc = nlp("Essential hypertensions and migraines ; started metformin hydrochlorid for headaches .")
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("Essential hypertensions", "DISEASE") in found
    assert ("metformin hydrochlorid", "MEDICATION") in found
    assert any(label == "SYMPTOM" and text.startswith("headache") for text, label in found)
