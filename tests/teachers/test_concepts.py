import srsly

from clin_distill.teachers.build import build_pattern_file
from clin_distill.teachers.concepts import harmonise_concepts
from clin_distill.teachers.sources import Source
from clin_distill.teachers.terms import Term

HPO = "Human Phenotype Ontology"
TERMS = [
    Term("Renal insufficiency", "SYMPTOM", "HP:0000083", HPO),
    Term("Renal failure", "SYMPTOM", "HP:0000083", HPO),
    Term("Seizure", "SYMPTOM", "HP:0001250", HPO),
    Term("Epileptic seizure", "SYMPTOM", "HP:0001250", HPO),
    Term("Headache", "SYMPTOM", "HP:0002315", HPO),
    Term("Neoplasm", "DISEASE", "HP:0002664", HPO),
    Term("renal  failure", "DISEASE", "DOID:1074", "Disease Ontology"),
    Term("Epileptic seizure", "DISEASE", "ICD10CM:G40.909", "ICD-10-CM"),
    Term("Seizure", "SYMPTOM", "ICD10CM:R56.9", "ICD-10-CM"),
]


def test_a_phenotype_named_a_disease_elsewhere_becomes_a_disease_unless_icd_calls_it_a_symptom():
    out, n = harmonise_concepts(TERMS, [HPO])
    assert n == 1
    assert [(t.text, t.label) for t in out if t.source == HPO] == [
        ("Renal insufficiency", "DISEASE"),
        ("Renal failure", "DISEASE"),
        ("Seizure", "SYMPTOM"),
        ("Epileptic seizure", "SYMPTOM"),
        ("Headache", "SYMPTOM"),
        ("Neoplasm", "DISEASE"),
    ]
    assert out[6:] == TERMS[6:]


def test_build_records_the_relabelled_concepts(tmp_path):
    meta = build_pattern_file(
        tmp_path / "p.jsonl",
        [(iter(TERMS), Source("s", "p", "0", "x", "l", "f"))],
        "p",
        relabel_concepts_of=[HPO],
    )
    assert meta["concepts_relabelled_disease"] == 1
    labels = {p["pattern"]: p["label"] for p in srsly.read_jsonl(tmp_path / "p.jsonl")}
    assert labels["renal insufficiency"] == labels["renal failure"] == "DISEASE"
    assert labels["seizure"] == labels["headache"] == "SYMPTOM"
