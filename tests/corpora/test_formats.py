"""Readers and CLIs on small fixture files written in each real format, and bad-input handling."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import bioc
import pytest
import spacy

from clin_distill.corpora import CorpusError, LabelMap, read_notes
from clin_distill.corpora.bioc_xml import read_bioc
from clin_distill.corpora.brat import read_brat_pair
from clin_distill.corpora.convert import build_doc, convert_splits
from clin_distill.corpora.medalign import read_medalign
from clin_distill.corpora.pubtator import read_pubtator
from clin_distill.corpora.raw import RawDoc, RawSpan
from clin_distill.corpora.stats import SplitStats
from clin_distill.docio import get_doc_id, read_docbin

from .conftest import REPO, run_script

SECRET = "Pt John Roe"  # stands in for PHI: must never appear in an error message
NOTE = (
    f"{SECRET} admitted with pneumonia.\n"
    "Started on amoxicillin 500 mg PO TID for pneumonia.\n"
    "Developed a diffuse\nrash after two days; amoxicillin stopped.\n"
)
LABEL_MAPS = REPO / "configs" / "labels"


def assert_clean_failure(result, *needles: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and SECRET not in result.output
    flat = " ".join(result.output.split())  # wasabi wraps long messages at 80 columns
    for needle in needles:
        assert needle in flat


def t_line(tid: str, label: str, text: str, phrase: str, nth: int = 0) -> str:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return f"{tid}\t{label} {start} {start + len(phrase)}\t{phrase}"


def n2c2_ann(text: str) -> str:
    """A .ann in the n2c2 2018 Track 2 style: entities, a line-broken ADE, relations."""
    rash = text.index("diffuse\nrash")
    lines = [
        t_line("T1", "Reason", text, "pneumonia"),
        t_line("T2", "Drug", text, "amoxicillin"),
        t_line("T3", "Strength", text, "500 mg"),
        t_line("T4", "Route", text, "PO"),
        t_line("T5", "Frequency", text, "TID"),
        t_line("T6", "Reason", text, "pneumonia", nth=1),
        f"T7\tADE {rash} {rash + 7};{rash + 8} {rash + 12}\tdiffuse rash",
        t_line("T8", "Drug", text, "amoxicillin", nth=1),
        "R1\tStrength-Drug Arg1:T3 Arg2:T2",
        "R2\tReason-Drug Arg1:T6 Arg2:T2",
        "R3\tADE-Drug Arg1:T7 Arg2:T8",
    ]
    return "\n".join(lines) + "\n"


def write_brat(folder: Path, name: str, text: str, ann: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_bytes(text.encode("utf8"))
    (folder / f"{name}.ann").write_bytes(ann.encode("utf8"))


@pytest.fixture
def n2c2_dir(tmp_path: Path) -> Path:
    root = tmp_path / "n2c2"
    for i in range(5):
        write_brat(root / "train", f"10{i}035", NOTE, n2c2_ann(NOTE))
    for i in range(2):
        write_brat(root / "test", f"20{i}035", NOTE, n2c2_ann(NOTE))
    return root


def test_n2c2_cli(n2c2_dir: Path, tmp_path: Path):
    out = tmp_path / "corpus" / "n2c2"
    args = [n2c2_dir, out, "--label-map", LABEL_MAPS / "n2c2.json", "--seed", 13, "--dev-fraction", 0.2]
    result = run_script("convert_n2c2", args)
    assert result.exit_code == 0, result.output
    docs = {split: read_docbin(out / f"{split}.spacy") for split in ("train", "dev", "test")}
    assert [len(docs[s]) for s in ("train", "dev", "test")] == [4, 1, 2]
    assert {get_doc_id(d) for d in docs["test"]} == {"200035", "201035"}
    ents = [(e.text, e.label_) for e in docs["test"][0].ents]
    assert ents == [
        ("pneumonia", "DISEASE"),
        ("amoxicillin", "MEDICATION"),
        ("pneumonia", "DISEASE"),
        ("diffuse\nrash", "SYMPTOM"),
        ("amoxicillin", "MEDICATION"),
    ]
    stats = json.loads((out / "stats.json").read_text())
    test = stats["splits"]["test"]
    assert test["ignored_spans"] == {"Frequency": 2, "Route": 2, "Strength": 2}
    assert test["events"] == {"discontinuous_joined": 2}
    assert test["spans"] == {"MEDICATION": 4, "DISEASE": 4, "SYMPTOM": 2}
    # The dev carve-out depends only on the seed.
    again = run_script("convert_n2c2", [*args[:5], 13, "--dev-fraction", 0.2])
    assert again.exit_code == 0
    assert [get_doc_id(d) for d in read_docbin(out / "dev.spacy")] == [get_doc_id(docs["dev"][0])]


def test_n2c2_cli_errors(n2c2_dir: Path, tmp_path: Path):
    label_map = LABEL_MAPS / "n2c2.json"
    result = run_script("convert_n2c2", ["", tmp_path / "out", "--label-map", label_map])
    assert_clean_failure(result, "vars.n2c2_dir")
    (n2c2_dir / "test" / "200035.ann").unlink()
    result = run_script("convert_n2c2", [n2c2_dir, tmp_path / "out", "--label-map", label_map])
    assert_clean_failure(result, "200035")
    assert not (tmp_path / "out").exists()


def write_medalign(tmp_path: Path) -> tuple[Path, Path]:
    notes = tmp_path / "notes.csv"
    other = 'Daughter says "dizzy, weak".\nNo chest pain. Takes metformin.'
    with notes.open("w", newline="", encoding="utf8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["note_id", "person_id", "note_date", "note_title", "note_text"])
        writer.writerow(["n1", "p1", "2023-01-02", "progress note", NOTE])
        writer.writerow(["n2", "p1", "2023-01-05", "phone call", other])
        writer.writerow(["n3", "p2", "2023-02-01", "letter", "Unannotated letter."])
    annotations = tmp_path / "annotations.jsonl"
    records = [
        {
            "note_id": "n1",
            "start": NOTE.index("pneumonia"),
            "end": NOTE.index("pneumonia") + 9,
            "label": "DISEASE",
        },
        {
            "note_id": "n1",
            "start": NOTE.index("amoxicillin"),
            "end": NOTE.index("amoxicillin") + 11,
            "label": "MEDICATION",
            "text": "amoxicillin",
        },
        {"note_id": "n2", "start": other.index("dizzy"), "end": other.index("dizzy") + 5, "label": "Symptom"},
        {
            "note_id": "n2",
            "start": other.index("metformin"),
            "end": other.index("metformin") + 9,
            "label": "Drug",
        },
    ]
    annotations.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf8")
    return notes, annotations


def test_medalign_cli_writes_only_test(tmp_path: Path):
    notes, annotations = write_medalign(tmp_path)
    out = tmp_path / "corpus" / "medalign"
    result = run_script(
        "convert_medalign", [notes, annotations, out, "--label-map", LABEL_MAPS / "medalign.json"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["stats.json", "stats.md", "test.spacy"]
    docs = read_docbin(out / "test.spacy")
    assert [get_doc_id(d) for d in docs] == ["n1", "n2"]
    assert [(e.text, e.label_) for e in docs[1].ents] == [("dizzy", "SYMPTOM"), ("metformin", "MEDICATION")]
    stats = json.loads((out / "stats.json").read_text())
    assert stats["unannotated_notes_skipped"] == 1
    assert list(stats["splits"]) == ["test"]


def test_medalign_refuses_training_splits(tmp_path: Path):
    notes, annotations = write_medalign(tmp_path)
    with pytest.raises(CorpusError, match="data use agreement"):
        list(read_medalign(notes, annotations, split="train"))
    docs = list(read_medalign(notes, annotations))
    label_map = LabelMap.load(LABEL_MAPS / "medalign.json")
    with pytest.raises(CorpusError, match="evaluation-only"):
        convert_splits(
            spacy.blank("en"), {"train": docs}, label_map, tmp_path / "x", "medalign", evaluation_only=True
        )
    assert not (tmp_path / "x").exists()


def test_medalign_csv_annotations_and_bad_offsets(tmp_path: Path):
    notes, _ = write_medalign(tmp_path)
    annotations = tmp_path / "annotations.csv"
    start = NOTE.index("rash")
    rows = [["note_id", "start", "end", "label", "text"], ["n1", start, start + 4, "SYMPTOM", "rash"]]
    with annotations.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    docs = list(read_medalign(notes, annotations))
    assert [(s.start, s.end, s.label) for s in docs[0].spans] == [(start, start + 4, "SYMPTOM")]
    rows[1] = ["n1", start, start + 4, "SYMPTOM", "itch"]
    with annotations.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(CorpusError, match=r"annotations\.csv:2 \(doc n1\).*does not match") as err:
        list(read_medalign(notes, annotations))
    assert SECRET not in str(err.value)
    rows[1] = ["n9", 0, 4, "SYMPTOM", ""]
    with annotations.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(CorpusError, match="not in the notes file"):
        list(read_medalign(notes, annotations))


def test_read_notes_formats(tmp_path: Path):
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "b.txt").write_text("Second note.")
    (folder / "a.txt").write_text(NOTE)
    assert list(read_notes(folder)) == [("a", NOTE), ("b", "Second note.")]
    jsonl = tmp_path / "notes.jsonl"
    jsonl.write_text(
        json.dumps({"id": 7, "text": NOTE}) + "\n\n" + json.dumps({"id": "x", "text": "ok"}) + "\n"
    )
    assert list(read_notes(jsonl)) == [("7", NOTE), ("x", "ok")]
    table = tmp_path / "notes.csv"
    with table.open("w", newline="") as fh:
        csv.writer(fh).writerows([["mrn", "body"], ["1", NOTE], ["2", "short"]])
    assert list(read_notes(table, text_key="body")) == [("notes-1", NOTE), ("notes-2", "short")]
    assert list(read_notes(table, id_key="mrn", text_key="body"))[1] == ("2", "short")
    with pytest.raises(CorpusError, match="no text column"):
        list(read_notes(table))


def test_convert_notes_cli(tmp_path: Path):
    jsonl = tmp_path / "notes.jsonl"
    records = [{"id": "a", "text": NOTE}, {"id": "b", "text": "  \n"}, {"id": "c", "text": "Fever."}]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "notes.spacy"
    result = run_script("convert_notes", [jsonl, out])
    assert result.exit_code == 0, result.output
    assert "empty" in result.output
    docs = read_docbin(out)
    assert [get_doc_id(d) for d in docs] == ["a", "c"] and not docs[0].ents
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in [*records, {"id": "a", "text": "again"}]))
    assert_clean_failure(
        run_script("convert_notes", [jsonl, out]), "notes.jsonl:4 (doc a)", "duplicate doc id"
    )
    jsonl.write_bytes(b'{"id": "a", "text": "caf\xe9"}\n')
    assert_clean_failure(run_script("convert_notes", [jsonl, out]), "notes.jsonl:1", "invalid UTF-8")


def brat_doc(tmp_path: Path, ann: str, text: str = NOTE, name: str = "rec1") -> RawDoc:
    write_brat(tmp_path, name, text, ann)
    return read_brat_pair(tmp_path / f"{name}.txt", tmp_path / f"{name}.ann")


@pytest.mark.parametrize(
    ("ann", "message"),
    [
        (f"T1\tDrug 40 {len(NOTE) + 3}\tamoxicillin\n", r"rec1\.ann:1 \(doc rec1\): span 40-\d+ is outside"),
        ("T1\tDrug 0 11\tamoxicillin\n", r"rec1\.ann:1 \(doc rec1\): span 0-11 does not match"),
        (
            "R1\tx Arg1:T1 Arg2:T2\nT1\tDrug x y\tamoxicillin\n",
            r"rec1\.ann:2 \(doc rec1\): malformed offsets",
        ),
        ("T1\tDrug 0 3;10 12\tPt admitted\n", r"rec1\.ann:1 \(doc rec1\): fragments .* do not match"),
    ],
)
def test_brat_offset_errors_name_file_doc_and_line(tmp_path: Path, ann: str, message: str):
    with pytest.raises(CorpusError, match=message) as err:
        brat_doc(tmp_path, ann)
    assert SECRET not in str(err.value) and "amoxicillin" not in str(err.value)


def test_invalid_utf8_is_an_error_with_line(tmp_path: Path):
    (tmp_path / "rec1.txt").write_bytes(b"line one\nbad \xff byte\n")
    (tmp_path / "rec1.ann").write_bytes(b"")
    with pytest.raises(CorpusError, match=r"rec1\.txt:2: invalid UTF-8 at byte 13"):
        read_brat_pair(tmp_path / "rec1.txt", tmp_path / "rec1.ann")


def test_unknown_label_is_an_error(tmp_path: Path):
    raw = brat_doc(tmp_path, t_line("T1", "Drugg", NOTE, "amoxicillin") + "\n")
    label_map = LabelMap.load(LABEL_MAPS / "n2c2.json")
    with pytest.raises(CorpusError, match=r"rec1\.ann:1 \(doc rec1\): unknown label 'Drugg'"):
        build_doc(spacy.blank("en"), raw, label_map, SplitStats())


def test_label_map_validation(tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"map": {"Drug": "DRUG"}}))
    with pytest.raises(CorpusError, match="unknown target labels"):
        LabelMap.load(path)
    path.write_text("{not json")
    with pytest.raises(CorpusError, match="not a label map"):
        LabelMap.load(path)
    path.write_text(json.dumps({"map": {}, "ignore": ["Drug"]}))
    with pytest.raises(CorpusError, match="maps no source label") as err:
        LabelMap.load(path)
    assert "\n" not in str(err.value)


def test_label_map_names_the_labels_its_corpus_annotates():
    assert LabelMap.load(LABEL_MAPS / "ncbi_disease.json").labels == ("DISEASE",)
    assert LabelMap.load(LABEL_MAPS / "bc5cdr.json").labels == ("MEDICATION", "DISEASE")
    assert LabelMap.load(LABEL_MAPS / "maccrobat.json").labels == ("MEDICATION", "DISEASE", "SYMPTOM")


def test_empty_docs_and_duplicate_ids(tmp_path: Path):
    label_map = LabelMap.load(LABEL_MAPS / "n2c2.json")
    drug = RawSpan(NOTE.index("amoxicillin"), NOTE.index("amoxicillin") + 11, "Drug", 3)
    a = RawDoc("a", NOTE, [drug], "train.txt", 1)
    twin = RawDoc("a", NOTE, [drug], "train.txt", 9)
    splits = {
        "train": [a, RawDoc("e", " \n ", [], "train.txt", 5), twin],
        "test": [RawDoc("b", "Fever.", [], "t", 1)],
    }
    stats = convert_splits(spacy.blank("en"), splits, label_map, tmp_path / "ok", "fixture").to_dict()
    assert stats["splits"]["train"]["skipped_docs"] == {"duplicate_id": 1, "empty": 1}
    assert stats["splits"]["train"]["docs"] == 1
    changed = RawDoc("a", NOTE + "x", [drug], "test.txt", 7)
    with pytest.raises(
        CorpusError,
        match=r"train\.txt:1 \(doc a\): duplicate doc id with different content \(first seen at test\.txt:7",
    ):
        convert_splits(
            spacy.blank("en"), {"train": [a], "test": [changed]}, label_map, tmp_path / "bad", "fixture"
        )
    assert not (tmp_path / "bad").exists()


def test_alignment_and_overlap_policy():
    text = "Given metformin-XR for type 2 diabetes mellitus."
    spans = [
        RawSpan(text.index("etformin"), text.index("-XR"), "Drug", 1),  # inside a token: expanded
        RawSpan(text.index("type 2 diabetes"), text.index(" mellitus"), "Reason", 2),
        RawSpan(text.index("diabetes"), text.index("."), "ADE", 3),  # overlaps, shorter: removed
        RawSpan(text.index("type 2 diabetes"), text.index("."), "Reason", 4),  # longest: kept
        RawSpan(text.index("type 2 diabetes"), text.index("."), "Reason", 5),  # exact duplicate
    ]
    stats = SplitStats()
    label_map = LabelMap.load(LABEL_MAPS / "n2c2.json")
    doc = build_doc(spacy.blank("en"), RawDoc("d", text, spans, "f.ann"), label_map, stats)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("metformin", "MEDICATION"),
        ("type 2 diabetes mellitus", "DISEASE"),
    ]
    assert stats.misaligned == Counter({"MEDICATION": 1})
    assert stats.overlap_removed == Counter({"DISEASE": 1, "SYMPTOM": 1})
    assert stats.duplicate_spans == 1


def test_discontinuous_first_fragment(tmp_path: Path):
    text = "granular cell and other tumor"
    raw = brat_doc(tmp_path, "T1\tDisease_disorder 0 13;24 29\tgranular cell tumor\n", text=text)
    assert [(s.start, s.end) for s in raw.spans] == [(0, 13)]
    assert raw.events == Counter({"discontinuous_first_fragment": 1})


def test_pubtator_reader(tmp_path: Path):
    title, abstract = "Naloxone reverses clonidine.", f"{SECRET} had hypotension."
    text = f"{title} {abstract}"
    lines = [
        f"1|t|{title}",
        f"1|a|{abstract}",
        "1\t0\t8\tNaloxone\tChemical\tD009270",
        f"1\t{text.index('hypo')}\t{text.index('hypo') + 11}\thypotension \tDisease\tD007022",
        "1\tCID\tD009270\tD007022",
        "",
        f"2|t|{title}",
        "2|a|",
    ]
    path = tmp_path / "corpus.PubTator.txt"
    path.write_text("\n".join(lines) + "\n")
    docs = list(read_pubtator(path))
    assert [d.doc_id for d in docs] == ["1", "2"]
    assert docs[0].text == text and docs[0].events == Counter({"surface_whitespace": 1})
    assert [(s.label, s.line) for s in docs[0].spans] == [("Chemical", 3), ("Disease", 4)]
    lines[2] = "1\t0\t8\tNalorphine\tChemical\tD009270"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorpusError, match=r"PubTator\.txt:3 \(doc 1\): span 0-8 does not match") as err:
        list(read_pubtator(path))
    assert SECRET not in str(err.value)


def test_bioc_reader_skips_composite_parts(tmp_path: Path):
    text = "Ocular and auditory toxicity after cisplatin."
    collection = bioc.BioCCollection()
    document = bioc.BioCDocument()
    document.id = "42"
    passage = bioc.BioCPassage()
    passage.offset, passage.text = 0, text
    for ann_id, role, locations in [
        ("0", "CompositeMention", [(0, 28)]),
        ("1", "IndividualMention", [(0, 6), (20, 28)]),
        ("2", None, [(text.index("cisplatin"), text.index("."))]),
    ]:
        ann = bioc.BioCAnnotation()
        ann.id = ann_id
        ann.infons["type"] = "Chemical" if ann_id == "2" else "Disease"
        if role:
            ann.infons["CompositeRole"] = role
        for start, end in locations:
            ann.add_location(bioc.BioCLocation(start, end - start))
        ann.text = " ".join(text[s:e] for s, e in locations)
        passage.add_annotation(ann)
    document.add_passage(passage)
    collection.add_document(document)
    path = tmp_path / "fixture.BioC.xml"
    path.write_text(bioc.biocxml.dumps(collection), encoding="utf8")
    (raw,) = read_bioc(path)
    assert raw.text == text
    assert [(s.start, s.end, s.label) for s in raw.spans] == [(0, 28, "Disease"), (35, 44, "Chemical")]
    assert raw.events == Counter({"individual_mention_skipped/Disease": 1})
    path.write_text("<collection><document>", encoding="utf8")
    with pytest.raises(CorpusError, match="not well-formed BioC XML"):
        list(read_bioc(path))


def test_convert_cli_missing_asset_folder(tmp_path: Path):
    assets = tmp_path / "assets"
    assets.mkdir()
    args = [assets, tmp_path / "corpus", "--datasets", "ncbi_disease", "--label-maps", LABEL_MAPS]
    result = run_script("convert", args)
    assert_clean_failure(result, "asset folder for dataset ncbi_disease is missing")
    result = run_script("convert", [assets, tmp_path / "corpus", "--datasets", "ncbi,bc5cdr"])
    assert_clean_failure(result, "unknown datasets ['ncbi']")


def test_a_label_map_may_say_a_class_covers_another_label(tmp_path):
    from clin_distill.corpora.label_map import LabelMap

    good = tmp_path / "good.json"
    good.write_text('{"map": {"Disease": "DISEASE"}, "covers": {"DISEASE": ["SYMPTOM"]}}')
    assert LabelMap.load(good).covers == {"DISEASE": ["SYMPTOM"]}
    for covers in ('{"SYMPTOM": ["DISEASE"]}', '{"DISEASE": ["DISEASE"]}', '{"DISEASE": ["GENE"]}'):
        bad = tmp_path / "bad.json"
        bad.write_text(f'{{"map": {{"Disease": "DISEASE"}}, "covers": {covers}}}')
        with pytest.raises(CorpusError, match="covers must map mapped labels"):
            LabelMap.load(bad)
