import json
import subprocess
import sys
from pathlib import Path

import pytest
import srsly

from clin_distill.teachers.build import build_pattern_file
from clin_distill.teachers.licensed import licensed_sources, rxnorm_terms, snomed_terms
from clin_distill.teachers.pipeline import assemble_teacher

from .conftest import CONFIGS

SCRIPT = Path(__file__).parents[2] / "scripts" / "build_licensed_patterns.py"

# RXNCONSO.RRF: RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF|
RRF_ROWS = [
    "1191|ENG||||||1217960|1217960|1191||RXNORM|IN|1191|aspirin||N|4096|",
    "202433|ENG||||||1193357|1193357|202433||RXNORM|BN|202433|Tylenol||N|4096|",
    "161|ENG||||||1178263|1178263|161||RXNORM|IN|161|acetaminophen||N|4096|",
    "161|ENG||||||2837294|2837294|161||RXNORM|SY|161|APAP||N|4096|",
    "198440|ENG||||||2428513|2428513|198440||RXNORM|SCD|198440|acetaminophen 500 MG Oral Tablet||N|4096|",
    "1191|ENG||||||3142601|3142601|1191||RXNORM|TMSY|1191|ASA||Y||",  # suppressed
    "1191|ENG||||||1000001|D001241|D001241||MSH|MH|D001241|Aspirin Tablets||N||",  # not SAB=RXNORM
    "1191|ENG||||||3000001|3000001|1191||RXNORM|DF|1191|Oral Tablet||N||",  # TTY not used
    "1191|SPA||||||3000002|3000002|1191||RXNORM|IN|1191|aspirina||N||",  # not English
]

CONCEPTS = [
    "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId",
    "195967001\t20020131\t1\t900000000000207008\t900000000000074008",
    "25064002\t20020131\t1\t900000000000207008\t900000000000074008",
    "418799008\t20060131\t1\t900000000000207008\t900000000000074008",
    "365853002\t20020131\t1\t900000000000207008\t900000000000074008",
    "190000001\t20020131\t0\t900000000000207008\t900000000000074008",
]
DESCRIPTIONS = [
    "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId",
    "301485011\t20170731\t1\t900000000000207008\t195967001\ten\t900000000000003001\tAsthma (disorder)"
    "\t900000000000448009",
    "301485012\t20170731\t1\t900000000000207008\t195967001\ten\t900000000000013009\tBronchial asthma"
    "\t900000000000448009",
    "301485013\t20170731\t0\t900000000000207008\t195967001\ten\t900000000000013009\tAsthmatic disease"
    "\t900000000000448009",
    "301485014\t20170731\t1\t900000000000207008\t195967001\ten\t900000000000013009\tBHR\t900000000000017005",
    "41990019\t20170731\t1\t900000000000207008\t25064002\ten\t900000000000003001\tHeadache (finding)"
    "\t900000000000448009",
    "41990020\t20170731\t1\t900000000000207008\t25064002\ten\t900000000000013009\tCephalalgia"
    "\t900000000000448009",
    "2470000011\t20170731\t1\t900000000000207008\t418799008\ten\t900000000000003001\t"
    "Finding reported by subject or history provider (finding)\t900000000000448009",
    "2470000012\t20170731\t1\t900000000000207008\t365853002\ten\t900000000000003001\t"
    "Imaging finding (finding)\t900000000000448009",
    "2470000013\t20170731\t1\t900000000000207008\t190000001\ten\t900000000000003001\t"
    "Retired disease (disorder)\t900000000000448009",
]
RELATIONSHIPS = [
    "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId"
    "\tcharacteristicTypeId\tmodifierId",
    "100000028\t20020131\t1\t900000000000207008\t25064002\t418799008\t0\t116680003"
    "\t900000000000011006\t900000000000451002",
]


@pytest.fixture
def rxnorm_dir(tmp_path):
    folder = tmp_path / "RxNorm_full_01062025" / "rrf"
    folder.mkdir(parents=True)
    (folder / "RXNCONSO.RRF").write_text("\n".join(RRF_ROWS) + "\n", encoding="utf8")
    return tmp_path / "RxNorm_full_01062025"


def _write_rf2(tmp_path, relationships=True):
    term = tmp_path / "SnomedCT_InternationalRF2" / "Snapshot" / "Terminology"
    term.mkdir(parents=True)
    (term / "sct2_Concept_Snapshot_INT_20250101.txt").write_text("\n".join(CONCEPTS) + "\n")
    (term / "sct2_Description_Snapshot-en_INT_20250101.txt").write_text("\n".join(DESCRIPTIONS) + "\n")
    if relationships:
        (term / "sct2_Relationship_Snapshot_INT_20250101.txt").write_text("\n".join(RELATIONSHIPS) + "\n")
    return tmp_path / "SnomedCT_InternationalRF2"


def test_rxnorm_keeps_documented_ttys_of_unsuppressed_english_rxnorm_rows(rxnorm_dir):
    stream, source = rxnorm_terms(rxnorm_dir / "rrf" / "RXNCONSO.RRF")
    terms = {(t.text, t.id) for t in stream}
    assert terms == {
        ("aspirin", "1191"),
        ("Tylenol", "202433"),
        ("acetaminophen", "161"),
        ("APAP", "161"),
        ("acetaminophen 500 MG Oral Tablet", "198440"),
    }
    assert source.terms == {"MEDICATION": 5}


def test_rxnorm_rejects_malformed_rows(tmp_path):
    bad = tmp_path / "RXNCONSO.RRF"
    bad.write_text("1191|ENG|aspirin\n")
    with pytest.raises(ValueError, match="RXNCONSO.RRF:1"):
        list(rxnorm_terms(bad)[0])


def test_snomed_active_disorders_and_symptom_subset(tmp_path):
    stream, source = snomed_terms(_write_rf2(tmp_path))
    terms = {(t.text, t.label, t.id, t.case_sensitive) for t in stream}
    assert terms == {
        ("Asthma", "DISEASE", "195967001", False),
        ("Bronchial asthma", "DISEASE", "195967001", False),
        ("BHR", "DISEASE", "195967001", True),
        ("Headache", "SYMPTOM", "25064002", False),
        ("Cephalalgia", "SYMPTOM", "25064002", False),
        ("Finding reported by subject or history provider", "SYMPTOM", "418799008", False),
    }
    assert "418799008" in source.notes


def test_snomed_without_relationships_makes_no_symptoms(tmp_path):
    stream, source = snomed_terms(_write_rf2(tmp_path, relationships=False))
    assert {t.label for t in stream} == {"DISEASE"}
    assert "skipped" in source.notes


def test_licensed_pattern_file_and_meta(tmp_path, rxnorm_dir):
    out = tmp_path / "patterns" / "licensed.jsonl"
    meta = build_pattern_file(out, licensed_sources(rxnorm_dir, _write_rf2(tmp_path)), name="licensed")
    patterns = list(srsly.read_jsonl(out))
    assert {"label": "MEDICATION", "pattern": "tylenol", "id": "202433"} in patterns
    assert {"label": "MEDICATION", "pattern": [{"ORTH": "APAP"}], "id": "161"} in patterns
    assert {"label": "DISEASE", "pattern": "bronchial asthma", "id": "195967001"} in patterns
    assert {"label": "SYMPTOM", "pattern": "headaches", "id": "25064002"} in patterns
    saved = json.loads((tmp_path / "patterns" / "licensed.meta.json").read_text())
    assert saved == meta
    assert [s["name"] for s in meta["sources"]] == ["RxNorm", "SNOMED CT"]


def test_build_script_fails_clearly_without_releases(tmp_path):
    out = tmp_path / "licensed.jsonl"
    cmd = [sys.executable, str(SCRIPT), str(out), "--rxnorm-dir", "", "--snomed-dir", ""]
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 1
    assert "no licensed release given" in result.stdout + result.stderr
    assert not out.exists()


def test_licensed_teacher_labels_with_release_ids(tmp_path, rxnorm_dir):
    out = tmp_path / "licensed.jsonl"
    build_pattern_file(out, licensed_sources(rxnorm_dir, _write_rf2(tmp_path)), name="licensed")
    nlp = assemble_teacher(CONFIGS / "licensed.cfg", {"paths.patterns": str(out)})
    doc = nlp("Bronchial asthma and headaches; took APAP, not apap, and Tylenol.")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("Bronchial asthma", "DISEASE", "195967001"),
        ("headaches", "SYMPTOM", "25064002"),
        ("APAP", "MEDICATION", "161"),
        ("Tylenol", "MEDICATION", "202433"),
    ]
    assert nlp.meta["clin_distill_teacher"]["vocabulary"]["name"] == "licensed"
