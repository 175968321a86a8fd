from clin_distill.teachers.terms import (
    Term,
    hyphen_variants,
    plural,
    possessive_variants,
    select_terms,
    stop_reason,
    to_pattern,
)


def test_stop_rule_drops_short_terms_and_stop_words():
    assert stop_reason("MS") == "short"
    assert stop_reason("PT") == "short"
    assert stop_reason("ALL") == "stop_word"
    assert stop_reason("same") == "stop_word"
    assert stop_reason("all cause mortality") is None
    assert stop_reason("HIV") is None
    assert stop_reason("asthma") is None


def test_acronyms_match_exact_spelling_other_terms_lowercase():
    assert to_pattern(Term("AIDS", "DISEASE", "x", "s")) == {
        "label": "DISEASE",
        "pattern": [{"ORTH": "AIDS"}],
        "id": "x",
    }
    assert to_pattern(Term("Breast Cancer", "DISEASE", "y", "s"))["pattern"] == "breast cancer"
    cs = Term("Dopa", "MEDICATION", "z", "s", case_sensitive=True)
    assert to_pattern(cs)["pattern"] == [{"ORTH": "Dopa"}]


def test_plurals():
    assert plural("tumor") == "tumors"
    assert plural("deficiency") == "deficiencies"
    assert plural("metastasis") == "metastases"
    assert plural("rash") == "rashes"
    assert plural("diabetes") is None
    assert plural("t2") is None


def test_hyphen_variants():
    assert hyphen_variants("ataxia telangiectasia") == ["ataxia-telangiectasia"]
    assert hyphen_variants("wiskott-aldrich syndrome") == ["wiskott aldrich syndrome"]
    assert hyphen_variants("type 2 diabetes") == []


def test_select_terms_priority_variants_and_stats():
    terms = [
        Term("Fever", "SYMPTOM", "HP:1", "hpo"),
        Term("fever", "DISEASE", "DOID:1", "do"),
        Term("breast tumor", "DISEASE", "DOID:2", "do"),
        Term("PT", "DISEASE", "DOID:3", "do"),
        Term("aspirin", "MEDICATION", "DB1", "drugs"),
    ]
    kept, stats = select_terms(terms)
    by_text = {t.text.lower(): t for t in kept}
    assert by_text["fever"].label == "DISEASE" and by_text["fever"].id == "DOID:1"
    assert by_text["fevers"].label == "DISEASE"
    assert "breast tumors" in by_text and "breast-tumor" in by_text
    assert "aspirins" not in by_text  # no plurals for MEDICATION by default
    assert "pt" not in by_text
    assert stats.dropped == {"short": 1}
    assert stats.conflicts == 2  # "fever" and its plural "fevers"


def test_possessive_eponyms_get_plain_and_apostrophe_variants():
    assert possessive_variants("huntington's disease") == [
        "huntington disease",
        "huntingtons disease",
        "huntington’s disease",
    ]
    assert possessive_variants("bowen’s disease") == ["bowen disease", "bowens disease", "bowen's disease"]
    assert possessive_variants("crohn disease") == []
    kept, _ = select_terms([Term("Addison's disease", "DISEASE", "DOID:13166", "s")], plurals=())
    assert sorted(t.text for t in kept) == [
        "Addison's disease",
        "addison disease",
        "addisons disease",
        "addison’s disease",
    ]
    kept, _ = select_terms([Term("Addison's disease", "DISEASE", "d", "s")], plurals=(), possessives=False)
    assert [t.text for t in kept] == ["Addison's disease"]
