"""The one clinical tokenizer: where it splits, what it keeps whole, that gold readers, teachers, students
and the LLM grounding agree on it, and that it loads from its entry point without importing clin_distill."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.util import load_config

from clin_distill.corpora import LabelMap, RawDoc, RawSpan
from clin_distill.corpora.convert import build_doc
from clin_distill.corpora.stats import SplitStats
from clin_distill.llm.grounding import ground
from clin_distill.runtime.tokenizer import NAME, clinical_blank
from clin_distill.teachers.pipeline import assemble_teacher

from .conftest import REPO

SPLIT = [
    ("lisinopril;metformin;atorvastatin", ["lisinopril", ";", "metformin", ";", "atorvastatin"]),
    ("amoxicillin(Amoxil)", ["amoxicillin", "(", "Amoxil", ")"]),
    ("HCTZ+lisinopril", ["HCTZ", "+", "lisinopril"]),
    ("aspirin[ASA]", ["aspirin", "[", "ASA", "]"]),
    ("ranitidine(Zantac),metoprolol", ["ranitidine", "(", "Zantac", ")", ",", "metoprolol"]),
    ("HTN,DM,CKD", ["HTN", ",", "DM", ",", "CKD"]),
    ("aspirin,81mg", ["aspirin", ",", "81", "mg"]),
    ("stroke/cva", ["stroke", "/", "cva"]),
    ("HTN&DM", ["HTN", "&", "DM"]),
    ("WBC|12.3|H", ["WBC", "|", "12.3", "|", "H"]),
    ("Na=140", ["Na", "=", "140"]),
    ("BP=120/80", ["BP", "=", "120/80"]),
    ("500mg", ["500", "mg"]),
    ("Dx:pneumonia", ["Dx", ":", "pneumonia"]),
    ("\ufeffFever", ["\ufeff", "Fever"]),
]
WHOLE = [
    "2.5",
    "0.125",
    "1,000",
    "01/02/2023",
    "120/80",
    "10:30",
    "x2",
    "q6h",
    "HbA1c",
    "T2DM",
    "B12",
    "K+",
    "s/p",
    "S/P",
    "S/p",
    "h/o",
    "c/o",
    "w/o",
    "n/v",
    "y/o",
    "r/o",
    "f/u",
    "d/c",
]


def tokens(text: str) -> list[str]:
    return [t.text for t in clinical_blank()(text)]


@pytest.mark.parametrize(("text", "expected"), SPLIT)
def test_clinical_splits(text: str, expected: list[str]):
    assert tokens(text) == expected


@pytest.mark.parametrize("text", WHOLE)
def test_kept_whole(text: str):
    assert tokens(f"({text}).") == ["(", text, ")", "."]


def test_ranges_and_sentences_as_in_spacy():
    """Decision: ranges split at the hyphen as spaCy always did; ordinary prose tokenizes as before."""
    assert tokens("WBC 4.0-11.0, dose 3-5 mg") == [
        "WBC",
        "4.0",
        "-",
        "11.0",
        ",",
        "dose",
        "3",
        "-",
        "5",
        "mg",
    ]
    prose = "Pt is a 67 y/o M s/p CABG who denies chest pain, SOB or fever. Started metformin 500 mg BID."
    changed = [t for t in tokens(prose) if t not in [t.text for t in spacy.blank("en")(prose)]]
    assert changed == ["y/o", "s/p"]


NOTE = (
    "Home meds: lisinopril;metformin;atorvastatin. Allergy: amoxicillin(Amoxil). "
    "Now HCTZ+lisinopril and aspirin/clopidogrel. PMH: HTN,DM,CKD."
)
MENTIONS = [
    ("lisinopril", "Drug"),
    ("metformin", "Drug"),
    ("atorvastatin", "Drug"),
    ("amoxicillin", "Drug"),
    ("Amoxil", "Drug"),
    ("HCTZ", "Drug"),
    ("lisinopril", "Drug"),
    ("aspirin", "Drug"),
    ("clopidogrel", "Drug"),
    ("HTN", "Reason"),
    ("DM", "Reason"),
    ("CKD", "Reason"),
]


def gold_spans() -> list[RawSpan]:
    spans, start = [], 0
    for i, (word, label) in enumerate(MENTIONS, 1):
        start = NOTE.index(word, start)
        spans.append(RawSpan(start, start + len(word), label, i))
        start += len(word)
    return spans


def test_twelve_gold_mentions_stay_twelve_entities():
    label_map = LabelMap.load(REPO / "configs" / "labels" / "n2c2.json")
    raw = RawDoc("n1", NOTE, gold_spans(), "notes.ann")
    stats = SplitStats()
    doc = build_doc(clinical_blank(), raw, label_map, stats)
    assert [e.text for e in doc.ents] == [word for word, _ in MENTIONS]
    assert sum(stats.misaligned.values()) == 0 and sum(stats.overlap_removed.values()) == 0
    old = SplitStats()
    merged = build_doc(spacy.blank("en"), raw, label_map, old)  # spaCy's own tokenizer merged them
    assert [e.text for e in merged.ents][:3] == [
        "lisinopril;metformin;atorvastatin",
        "amoxicillin(Amoxil",
        "HCTZ+lisinopril",
    ]
    assert len(merged.ents) == 8 and sum(old.misaligned.values()) == 7


def test_llm_grounding_finds_the_mentions_on_clinical_tokens():
    """clin_distill.llm.grounding accepts a mention only on whole tokens: with these tokens it is found."""
    mentions = [(w, "MEDICATION") for w, label in MENTIONS if label == "Drug"]
    found = ground(clinical_blank()(NOTE), mentions)
    assert sorted(NOTE[s:e] for s, e, _ in found.spans) == sorted(w for w, _ in mentions)
    assert found.counts == {}
    assert ground(spacy.blank("en")(NOTE), mentions).counts["unfound"] == 6  # all but aspirin, clopidogrel


def test_open_vocab_teacher_tokenizes_patterns_and_notes_alike(tmp_path: Path):
    patterns = tmp_path / "open_vocab.jsonl"
    words = ["lisinopril", "metformin", "atorvastatin", "amoxicillin", "hctz", "clopidogrel"]
    patterns.write_text("".join(f'{{"label": "MEDICATION", "pattern": "{w}"}}\n' for w in words))
    teacher = assemble_teacher(
        REPO / "configs" / "teachers" / "open_vocab.cfg", {"paths.patterns": str(patterns)}
    )
    doc = teacher(clinical_blank()(NOTE))
    assert [e.text for e in doc.ents] == [
        "lisinopril",
        "metformin",
        "atorvastatin",
        "amoxicillin",
        "Amoxil",  # the bracketed short form, labelled by the teacher's abbreviation component
        "HCTZ",
        "lisinopril",
        "clopidogrel",
    ]
    assert [e.text for e in teacher(spacy.blank("en")(NOTE)).ents] == ["clopidogrel"]


def test_every_config_names_the_clinical_tokenizer():
    paths = [REPO / "configs" / "student_trf.cfg", REPO / "configs" / "student_cnn.cfg"]
    paths += sorted((REPO / "configs" / "teachers").glob("*.cfg"))
    assert len(paths) == 10
    for path in paths:
        assert load_config(path, interpolate=False)["nlp"]["tokenizer"] == {"@tokenizers": NAME}, path


def test_saved_pipeline_round_trips(tmp_path: Path):
    nlp = clinical_blank()
    nlp.to_disk(tmp_path / "blank")
    loaded = spacy.load(tmp_path / "blank")
    again = spacy.blank("en").from_bytes(nlp.to_bytes())
    for other in (loaded, again):
        assert [t.text for t in other(NOTE)] == [t.text for t in nlp(NOTE)]


def test_entry_point_loads_it_without_importing_clin_distill_first(tmp_path: Path):
    code = (
        "import sys, spacy\n"
        f"nlp = spacy.blank('en', config={{'nlp': {{'tokenizer': {{'@tokenizers': {NAME!r}}}}}}})\n"
        "print([t.text for t in nlp('HCTZ+lisinopril')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert out.stdout.strip() == "['HCTZ', '+', 'lisinopril']"
