"""A UTF-8 byte-order mark at the start of a file is not text, in every reader: ids, first tokens
and offsets come out as they would without it (brat offsets that counted it are detected)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import bioc
import pytest

from clin_distill.corpora import CorpusError, LabelMap, read_notes
from clin_distill.corpora.bioc_xml import read_bioc
from clin_distill.corpora.brat import read_brat_pair
from clin_distill.corpora.convert import build_doc
from clin_distill.corpora.medalign import read_medalign
from clin_distill.corpora.pubtator import read_pubtator
from clin_distill.corpora.stats import SplitStats
from clin_distill.docio import get_doc_id, read_docbin
from clin_distill.runtime.tokenizer import clinical_blank

from .conftest import REPO, run_script

BOM = b"\xef\xbb\xbf"
NOTE = "Fever and cough since Monday.\nStarted amoxicillin 500mg TID.\n"


def with_bom(text: str) -> bytes:
    return BOM + text.encode("utf-8")


def csv_text(rows: list[list]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue()


def test_txt_note_first_token_is_the_word(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "n1.txt").write_bytes(with_bom(NOTE))
    assert list(read_notes(folder)) == [("n1", NOTE)]
    out = tmp_path / "notes.spacy"
    assert run_script("convert_notes", [folder, out]).exit_code == 0
    (doc,) = read_docbin(out)
    assert doc.text == NOTE and doc[0].text == "Fever"


def test_csv_id_column_is_found(tmp_path: Path):
    path = tmp_path / "notes.csv"
    path.write_bytes(with_bom(csv_text([["id", "text"], ["n1", NOTE], ["n2", "Cough."]])))
    assert list(read_notes(path)) == [("n1", NOTE), ("n2", "Cough.")]
    out = tmp_path / "notes.spacy"
    result = run_script("convert_notes", [path, out])
    assert result.exit_code == 0 and "no id column" not in result.output
    assert [get_doc_id(d) for d in read_docbin(out)] == ["n1", "n2"]


def test_jsonl_first_line_is_a_record(tmp_path: Path):
    path = tmp_path / "notes.jsonl"
    path.write_bytes(with_bom(json.dumps({"id": "n1", "text": NOTE}) + "\n"))
    assert list(read_notes(path)) == [("n1", NOTE)]


def test_medalign_notes_and_annotations(tmp_path: Path):
    notes = tmp_path / "notes.csv"
    notes.write_bytes(with_bom(csv_text([["note_id", "note_text"], ["n1", NOTE]])))
    start = NOTE.index("amoxicillin")
    rows = [["note_id", "start", "end", "label", "text"], ["n1", start, start + 11, "Drug", "amoxicillin"]]
    for ann_path in (tmp_path / "ann.csv", tmp_path / "ann.jsonl"):
        if ann_path.suffix == ".csv":
            ann_path.write_bytes(with_bom(csv_text(rows)))
        else:
            ann_path.write_bytes(with_bom(json.dumps(dict(zip(rows[0], rows[1], strict=True))) + "\n"))
        (raw,) = read_medalign(notes, ann_path)
        assert (raw.doc_id, raw.text) == ("n1", NOTE)
        assert [(s.start, s.end, s.label) for s in raw.spans] == [(start, start + 11, "Drug")]


def brat_pair(tmp_path: Path, txt: bytes, ann: str) -> tuple[Path, Path]:
    (tmp_path / "r1.txt").write_bytes(txt)
    (tmp_path / "r1.ann").write_bytes(ann.encode("utf-8"))
    return tmp_path / "r1.txt", tmp_path / "r1.ann"


def t_lines(text: str, shift: int = 0) -> str:
    fever, cough, amox = (text.index(w) + shift for w in ("Fever", "cough", "amoxicillin"))
    return (
        f"T1\tSign_symptom {fever} {fever + 5}\tFever\n"
        f"T2\tSign_symptom {fever} {fever + 5};{cough} {cough + 5}\tFever cough\n"
        f"T3\tMedication {amox} {amox + 11}\tamoxicillin\n"
    )


@pytest.mark.parametrize(("shift", "events"), [(0, {}), (1, {"bom_counted_in_offsets": 1})])
def test_brat_offsets_with_and_without_the_bom_counted(tmp_path: Path, shift: int, events: dict):
    """Offsets written against the text after the BOM, or (brat's server) counting it as character 0."""
    raw = read_brat_pair(*brat_pair(tmp_path, with_bom(NOTE), t_lines(NOTE, shift)))
    assert raw.text == NOTE
    assert [raw.text[s.start : s.end] for s in raw.spans] == ["Fever", "Fever", "amoxicillin"]
    assert raw.events == Counter({**events, "discontinuous_first_fragment": 1})
    label_map = LabelMap.load(REPO / "configs" / "labels" / "maccrobat.json")
    doc = build_doc(clinical_blank(), raw, label_map, SplitStats())
    assert [(e.text, e.label_) for e in doc.ents] == [("Fever", "SYMPTOM"), ("amoxicillin", "MEDICATION")]
    assert doc[0].text == "Fever"


def test_brat_without_bom_is_never_shifted(tmp_path: Path):
    with pytest.raises(CorpusError, match=r"r1\.ann:1 \(doc r1\): span 1-6 does not match"):
        read_brat_pair(*brat_pair(tmp_path, NOTE.encode(), t_lines(NOTE, 1)))


def test_brat_offsets_matching_neither_way_are_an_error(tmp_path: Path):
    with pytest.raises(CorpusError, match=r"r1\.ann:1 \(doc r1\): span 2-7 does not match"):
        read_brat_pair(*brat_pair(tmp_path, with_bom(NOTE), t_lines(NOTE, 2)))


def test_brat_ann_with_bom_keeps_its_first_line(tmp_path: Path):
    txt, ann = brat_pair(tmp_path, NOTE.encode(), "")
    ann.write_bytes(with_bom(t_lines(NOTE)))
    assert [s.line for s in read_brat_pair(txt, ann).spans] == [1, 2, 3]


def test_pubtator_first_pmid_and_offsets(tmp_path: Path):
    title, abstract = "Naloxone reverses clonidine.", "Hypotension followed."
    text = f"{title} {abstract}"
    start = text.index("Hypotension")
    lines = [
        f"123|t|{title}",
        f"123|a|{abstract}",
        "123\t0\t8\tNaloxone\tChemical\tD009270",
        f"123\t{start}\t{start + 11}\tHypotension\tDisease\tD007022",
    ]
    path = tmp_path / "x.PubTator.txt"
    path.write_bytes(with_bom("\n".join(lines) + "\n"))
    (raw,) = read_pubtator(path)
    assert raw.doc_id == "123" and raw.text == text
    assert [text[s.start : s.end] for s in raw.spans] == ["Naloxone", "Hypotension"]


def test_bioc_xml_offsets(tmp_path: Path):
    text = "Cisplatin caused ototoxicity."
    collection = bioc.BioCCollection()
    document = bioc.BioCDocument()
    document.id = "42"
    passage = bioc.BioCPassage()
    passage.offset, passage.text = 0, text
    ann = bioc.BioCAnnotation()
    ann.id, ann.text, ann.infons["type"] = "1", "ototoxicity", "Disease"
    ann.add_location(bioc.BioCLocation(text.index("oto"), 11))
    passage.add_annotation(ann)
    document.add_passage(passage)
    collection.add_document(document)
    path = tmp_path / "x.BioC.xml"
    path.write_bytes(with_bom(bioc.biocxml.dumps(collection)))
    (raw,) = read_bioc(path)
    assert (raw.doc_id, raw.text) == ("42", text)
    assert [text[s.start : s.end] for s in raw.spans] == ["ototoxicity"]


def test_utf16_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "notes.csv"
    path.write_bytes("id,text\nn1,Fever\n".encode("utf-16"))
    with pytest.raises(
        CorpusError, match=r"notes\.csv: UTF-16 file \(byte-order mark ff fe\); save it as UTF-8"
    ):
        list(read_notes(path))


def test_a_bom_inside_a_note_is_its_own_token():
    """A BOM in the middle of text (concatenated files) does not glue onto the next word."""
    doc = clinical_blank()("Cough.\n\ufeffFever today.")
    assert [t.text for t in doc] == ["Cough", ".", "\n", "\ufeff", "Fever", "today", "."]
