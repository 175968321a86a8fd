"""The shipped ConText (clin_distill_context) on a table of common clinical phrasings: negated,
historical, family, hypothetical and plain mentions. Docs are built with known entity spans (clinical
tokenizer), so this tests ConText itself, not the NER; every target's four flags are asserted exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

from clin_distill.runtime.assertion import ASSERTION_ATTRIBUTES, CONTEXT_NAME, add_assertion
from clin_distill.runtime.tokenizer import clinical_blank

D, S, M = "DISEASE", "SYMPTOM", "MEDICATION"
# (sentence, [(target, label, flags)]); flags: N negated, H historical, F family, Y hypothetical
TABLE = [
    # negated
    ("Chest x-ray is negative for pneumonia.", [("pneumonia", D, "N")]),
    ("The patient is negative for stroke/cva.", [("stroke", D, "N"), ("cva", D, "N")]),
    ("CXR negative for pneumonia.", [("pneumonia", D, "N")]),
    ("MRI was negative for stroke.", [("stroke", D, "N")]),
    ("Patient is negative for HIV.", [("HIV", D, "N")]),
    ("Blood cultures were negative for bacteremia.", [("bacteremia", D, "N")]),
    ("Urine culture was negative for E. coli infection.", [("E. coli infection", D, "N")]),
    ("Tested negative for COVID-19.", [("COVID-19", D, "N")]),
    ("Strep test: negative for pharyngitis.", [("pharyngitis", D, "N")]),
    ("Influenza screen negative.", [("Influenza", D, "N")]),
    ("COVID PCR negative.", [("COVID", D, "N")]),
    ("Patient denies chest pain.", [("chest pain", S, "N")]),
    ("She denies any fevers, chills or night sweats.", [("fevers", S, "N"), ("night sweats", S, "N")]),
    ("No fever.", [("fever", S, "N")]),
    ("No evidence of pulmonary embolism.", [("pulmonary embolism", D, "N")]),
    ("There is no sign of infection.", [("infection", D, "N")]),
    ("Without nausea or vomiting.", [("nausea", S, "N"), ("vomiting", S, "N")]),
    ("Pt w/o fever.", [("fever", S, "N")]),
    ("Pneumothorax was ruled out.", [("Pneumothorax", D, "N")]),
    ("Rules out pneumonia.", [("pneumonia", D, "N")]),
    ("Negative for chest pain and palpitations.", [("chest pain", S, "N"), ("palpitations", S, "N")]),
    ("He has not had any seizures.", [("seizures", S, "N")]),
    ("Patient does not have diabetes.", [("diabetes", D, "N")]),
    ("Abdomen soft, nontender, no rebound tenderness.", [("rebound tenderness", S, "N")]),
    ("Headache has resolved.", [("Headache", S, "N")]),
    ("Resolved: cellulitis.", [("cellulitis", D, "N")]),
    ("Free of seizures since March.", [("seizures", S, "N")]),
    ("Patient is not taking aspirin.", [("aspirin", M, "N")]),
    ("Troponin negative, no myocardial infarction.", [("myocardial infarction", D, "N")]),
    ("No h/o asthma.", [("asthma", D, "NH")]),
    # a negation stops at an affirming verb
    ("Denies shortness of breath; reports cough.", [("shortness of breath", S, "N"), ("cough", S, "")]),
    ("No chest pain, c/o dyspnea.", [("chest pain", S, "N"), ("dyspnea", S, "")]),
    ("Denies fever, complains of cough.", [("fever", S, "N"), ("cough", S, "")]),
    ("Negative for fever, positive for cough.", [("fever", S, "N"), ("cough", S, "")]),
    ("Denies nausea but endorses abdominal pain.", [("nausea", S, "N"), ("abdominal pain", S, "")]),
    ("Reports headache, denies fever.", [("headache", S, ""), ("fever", S, "N")]),
    # historical
    ("History of asthma.", [("asthma", D, "H")]),
    ("PMH: hypertension, hyperlipidemia.", [("hypertension", D, "H"), ("hyperlipidemia", D, "H")]),
    ("PSH: cholecystectomy for cholecystitis.", [("cholecystitis", D, "H")]),
    ("Past medical history significant for gout.", [("gout", D, "H")]),
    ("He has a h/o MI.", [("MI", D, "H")]),
    ("S/p appendectomy for appendicitis in 2010.", [("appendicitis", D, "H")]),
    ("Status post MI in 2019.", [("MI", D, "H")]),
    ("Previously treated for tuberculosis.", [("tuberculosis", D, "H")]),
    ("Formerly diagnosed with epilepsy.", [("epilepsy", D, "H")]),
    # family
    ("Mother had breast cancer.", [("breast cancer", D, "F")]),
    ("Family history of colon cancer.", [("colon cancer", D, "HF")]),
    ("His father has diabetes.", [("diabetes", D, "F")]),
    ("Brother died of a myocardial infarction at 50.", [("myocardial infarction", D, "F")]),
    ("FHx: sister with lupus.", [("lupus", D, "F")]),
    ("FHx: colon cancer.", [("colon cancer", D, "F")]),
    # hypothetical
    ("Return if fever develops.", [("fever", S, "Y")]),
    ("Call if chest pain recurs.", [("chest pain", S, "Y")]),
    ("Should she develop a rash, stop amoxicillin.", [("rash", S, "Y")]),
    ("Return to the ED for any shortness of breath.", [("shortness of breath", S, "Y")]),
    ("In case of nausea, take ondansetron.", [("nausea", S, "Y")]),
    ("In the event of bleeding, hold warfarin.", [("bleeding", S, "Y")]),
    # plain mentions (controls)
    ("Patient reports chest pain.", [("chest pain", S, "")]),
    ("Chest x-ray shows pneumonia.", [("pneumonia", D, "")]),
    ("Started metformin for diabetes.", [("metformin", M, ""), ("diabetes", D, "")]),
    ("Positive for influenza.", [("influenza", D, "")]),
    ("Influenza test positive.", [("Influenza", D, "")]),
    ("Blood cultures grew E. coli; sepsis likely.", [("sepsis", D, "")]),
    ("No fever. Cough since Monday.", [("fever", S, "N"), ("Cough", S, "")]),
    ("Not only fatigue but also weight loss.", [("weight loss", S, "")]),
    ("Patient denies smoking but has COPD.", [("COPD", D, "")]),
    ("Fever, not improving with acetaminophen.", [("Fever", S, "")]),
    ("Gram stain negative rods; pneumonia confirmed.", [("pneumonia", D, "")]),
    ("Continue lisinopril for hypertension.", [("lisinopril", M, ""), ("hypertension", D, "")]),
    ("Pt with fever, denies chills.", [("fever", S, ""), ("chills", S, "N")]),
]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return add_assertion(clinical_blank(), after=None)


def annotate(nlp: Language, text: str, targets: list[tuple[str, str, str]]):
    doc = nlp.make_doc(text)
    ents, start = [], 0
    for target, label, _ in targets:
        start = text.index(target, start)
        ents.append(doc.char_span(start, start + len(target), label=label))
        assert ents[-1] is not None, f"{target!r} is not on token boundaries"
        start += len(target)
    doc.ents = ents
    return nlp(doc)


def expected_flags(flags: str) -> dict[str, bool]:
    return dict(
        zip(ASSERTION_ATTRIBUTES, ("N" in flags, "H" in flags, "F" in flags, "Y" in flags), strict=True)
    )


def test_table_size():
    assert len(TABLE) >= 40 and sum(len(targets) for _, targets in TABLE) >= 80


@pytest.mark.parametrize(("text", "targets"), TABLE, ids=[text for text, _ in TABLE])
def test_shipped_context_on_the_table(nlp: Language, text: str, targets):
    doc = annotate(nlp, text, targets)
    got = [(e.text, {attr: getattr(e._, attr) for attr in ASSERTION_ATTRIBUTES}) for e in doc.ents]
    assert got == [(target, expected_flags(flags)) for target, _, flags in targets]


def test_rules_survive_save_and_load(nlp: Language, tmp_path: Path):
    nlp.to_disk(tmp_path / "assertion")
    loaded = spacy.load(tmp_path / "assertion")
    assert loaded.config["components"][CONTEXT_NAME]["clinical_rules"] == "v1"
    for text, targets in TABLE[:3]:
        doc = annotate(loaded, text, targets)
        assert [e._.is_negated for e in doc.ents] == [True] * len(targets)


def test_unknown_rule_version_is_an_error():
    with pytest.raises(ValueError, match="unknown clinical_rules 'v9'"):
        clinical_blank().add_pipe("clin_distill_context", config={"clinical_rules": "v9"})


def test_saved_pipeline_loads_through_entry_points_alone(nlp: Language, tmp_path: Path):
    """spacy.load in a fresh interpreter finds clin_distill_context and the tokenizer by entry point."""
    nlp.to_disk(tmp_path / "assertion")
    code = (
        "import spacy\n"
        f"nlp = spacy.load({str(tmp_path / 'assertion')!r})\n"
        "doc = nlp.make_doc('Chest x-ray is negative for pneumonia.')\n"
        "doc.ents = [doc.char_span(28, 37, label='DISEASE')]\n"
        "print(nlp(doc).ents[0]._.is_negated)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert out.stdout.strip() == "True"
