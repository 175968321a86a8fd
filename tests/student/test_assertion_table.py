"""The shipped ConText (clin_distill_context) on a table of common clinical phrasings: negated,
historical, family, hypothetical and plain mentions. Docs are built with known entity spans (clinical
tokenizer), so this tests ConText itself, not the NER; every target's four flags are asserted exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
import srsly
from spacy.language import Language

from clin_distill.runtime.assertion import ASSERTION_ATTRIBUTES, CONTEXT_NAME, add_assertion, read_rule_set
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
# clinical_rules v2: notes as clinicians write them (issue "Notes as clinicians write them")
NOTE_KINDS = [
    # a scope ends at a clause end: semicolon, line break, dash, a comma or colon before a new predicate
    ("Denies chest pain; started on metformin.", [("chest pain", S, "N"), ("metformin", M, "")]),
    ("No rash - takes aspirin daily.", [("rash", S, "N"), ("aspirin", M, "")]),
    ("Patient denies SOB\nHas HTN", [("SOB", S, "N"), ("HTN", D, "")]),
    (
        "No fever, on lisinopril for hypertension.",
        [("fever", S, "N"), ("lisinopril", M, ""), ("hypertension", D, "")],
    ),
    ("Denies nausea, takes omeprazole.", [("nausea", S, "N"), ("omeprazole", M, "")]),
    ("No chest pain, started atorvastatin.", [("chest pain", S, "N"), ("atorvastatin", M, "")]),
    ("Denies dizziness, has diabetes.", [("dizziness", S, "N"), ("diabetes", D, "")]),
    ("No cough: taking albuterol as needed.", [("cough", S, "N"), ("albuterol", M, "")]),
    (
        "No fever\nStarted amoxicillin for otitis media.",
        [("fever", S, "N"), ("amoxicillin", M, ""), ("otitis media", D, "")],
    ),
    ("Denies palpitations - on metoprolol.", [("palpitations", S, "N"), ("metoprolol", M, "")]),
    ("No vomiting; continues ondansetron.", [("vomiting", S, "N"), ("ondansetron", M, "")]),
    ("No edema\nTakes furosemide daily.", [("edema", S, "N"), ("furosemide", M, "")]),
    ("Negative for chills; has anemia.", [("chills", S, "N"), ("anemia", D, "")]),
    ("Pt denies SOB.\nHas HTN.", [("SOB", S, "N"), ("HTN", D, "")]),
    ("No diarrhea - started on loperamide.", [("diarrhea", S, "N"), ("loperamide", M, "")]),
    ("Negative for chest pain\nPositive for palpitations", [("chest pain", S, "N"), ("palpitations", S, "")]),
    ("No hx of stroke; on aspirin.", [("stroke", D, "NH"), ("aspirin", M, "")]),
    ("Denies fever, chills, has cough.", [("fever", S, "N"), ("chills", S, "N"), ("cough", S, "")]),
    ("No wheezing, uses albuterol daily.", [("wheezing", S, "N"), ("albuterol", M, "")]),
    # a section header's colon does not swallow the negation after it
    ("ROS: No fever, chills or cough.", [("fever", S, "N"), ("chills", S, "N"), ("cough", S, "N")]),
    ("RECOMMENDATION: No further chest pain", [("chest pain", S, "N")]),
    ("ASSESSMENT: No evidence of pneumonia.", [("pneumonia", D, "N")]),
    ("HPI: Denies fever or chills.", [("fever", S, "N"), ("chills", S, "N")]),
    ("Neuro: No seizures.", [("seizures", S, "N")]),
    ("GI: no nausea, no diarrhea.", [("nausea", S, "N"), ("diarrhea", S, "N")]),
    ("Skin:\nNo rash.", [("rash", S, "N")]),
    ("ROS:\n- No headache\n- No dysuria", [("headache", S, "N"), ("dysuria", S, "N")]),
    ("CARDIAC: No murmurs.", [("murmurs", S, "N")]),
    ("IMPRESSION: No acute fracture.", [("fracture", D, "N")]),
    ("PLAN: Start metformin for diabetes.", [("metformin", M, ""), ("diabetes", D, "")]),
    ("CHIEF COMPLAINT: Chest pain.", [("Chest pain", S, "")]),
    # pseudo-negation: "no change in", "no increase in", "not only" do not negate the finding
    ("No increase in edema.", [("edema", S, "")]),
    ("No change in chest pain.", [("chest pain", S, "")]),
    ("No significant change in the size of the tumor.", [("tumor", D, "")]),
    ("Not only fatigue but also weight loss.", [("fatigue", S, ""), ("weight loss", S, "")]),
    ("No increase in seizure frequency.", [("seizure", S, "")]),
    ("There has been no change in his hypertension.", [("hypertension", D, "")]),
    ("No worsening of dyspnea.", [("dyspnea", S, "")]),
    ("No interval change in the pleural effusion.", [("pleural effusion", D, "")]),
    ("No decrease in pain.", [("pain", S, "")]),
    # lists and clause ends across categories
    ("Denies:\n- fever\n- chills\nHas cough.", [("fever", S, "N"), ("chills", S, "N"), ("cough", S, "")]),
    ("Fever: no\nCough: yes", [("Fever", S, "N"), ("Cough", S, "")]),
    ("Nausea: none.", [("Nausea", S, "N")]),
    ("PMH:\n- HTN\n- DM2", [("HTN", D, "H"), ("DM2", D, "H")]),
    ("History of asthma; on albuterol.", [("asthma", D, "H"), ("albuterol", M, "")]),
    ("Mother had breast cancer; patient has diabetes.", [("breast cancer", D, "F"), ("diabetes", D, "")]),
    ("No x-ray evidence of pneumonia.", [("pneumonia", D, "N")]),
    ("Return if fever develops; continue metformin.", [("fever", S, "Y"), ("metformin", M, "")]),
]
TABLE += NOTE_KINDS


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
    assert len(TABLE) >= 118 and sum(len(targets) for _, targets in TABLE) >= 169
    assert len(NOTE_KINDS) >= 36


@pytest.mark.parametrize(("text", "targets"), TABLE, ids=[text for text, _ in TABLE])
def test_shipped_context_on_the_table(nlp: Language, text: str, targets):
    doc = annotate(nlp, text, targets)
    got = [(e.text, {attr: getattr(e._, attr) for attr in ASSERTION_ATTRIBUTES}) for e in doc.ents]
    assert got == [(target, expected_flags(flags)) for target, _, flags in targets]


def test_rules_survive_save_and_load(nlp: Language, tmp_path: Path):
    nlp.to_disk(tmp_path / "assertion")
    loaded = spacy.load(tmp_path / "assertion")
    assert loaded.config["components"][CONTEXT_NAME]["clinical_rules"] == "v2"
    assert (tmp_path / "assertion" / CONTEXT_NAME / "clinical_rules.json").is_file()
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


def test_rule_set_v1_is_kept_as_released():
    """v1 is never edited: a pipeline that names it keeps its behaviour, v2 holds the fixes."""
    v1 = clinical_blank()
    v1.add_pipe("sentencizer")
    v1.add_pipe("clin_distill_context", config={"clinical_rules": "v1"})
    doc = annotate(
        v1, "Denies chest pain; started on metformin.", [("chest pain", S, ""), ("metformin", M, "")]
    )
    assert [e._.is_negated for e in doc.ents] == [True, True]
    assert (
        len(read_rule_set("v1")["context_rules"]) == 14 and read_rule_set("v1")["default_rules_dropped"] == []
    )


def test_a_saved_pipeline_reads_its_rules_from_its_own_folder(nlp: Language, tmp_path: Path):
    nlp.to_disk(tmp_path / "assertion")
    saved = tmp_path / "assertion" / CONTEXT_NAME / "clinical_rules.json"
    rules = srsly.read_json(saved)
    rules["context_rules"] = [r for r in rules["context_rules"] if r["literal"] != ";"]
    srsly.write_json(saved, rules)  # a rule set that differs from the resource: the folder's is used
    loaded = spacy.load(tmp_path / "assertion")
    doc = annotate(
        loaded, "Denies chest pain; started on metformin.", [("chest pain", S, ""), ("metformin", M, "")]
    )
    assert [e._.is_negated for e in doc.ents] == [True, True]
