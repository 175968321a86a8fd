"""Notes folders (suffix case, counted skips, unreadable files) and doc-id validation in every reader."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from clin_distill.corpora import CorpusError, read_notes
from clin_distill.corpora.bioc_xml import read_bioc
from clin_distill.corpora.brat import read_brat_pair
from clin_distill.corpora.medalign import read_annotations
from clin_distill.corpora.notes import NotesReport, iter_note_records, notes_to_docs
from clin_distill.corpora.pubtator import read_pubtator
from clin_distill.corpora.reading import check_doc_id, escaped, where
from clin_distill.docio import get_doc_id, read_docbin
from clin_distill.runtime.tokenizer import clinical_blank

from .conftest import run_script

SECRET = "Pt John Roe"


@pytest.fixture
def notes_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "deep.txt").write_text("Not read: subfolders are not searched.")
    for name, text in {
        "a.txt": f"{SECRET} has fever.",
        "b.TXT": "Cough.",
        "c.Txt": "Nausea.",
        "readme.md": "notes",
        "export.csv": "id,text\nx1,Vomiting.",
        "LICENSE": "x",
        ".DS_Store": "\x00\x01",
        "._a.txt": "\x00\x05\x16\x07",  # a macOS resource fork, not UTF-8
    }.items():
        (folder / name).write_bytes(text.encode("latin-1"))
    return folder


def test_any_case_of_txt_is_read_and_every_other_entry_is_counted(notes_folder: Path):
    report = NotesReport()
    records = list(iter_note_records(notes_folder, report=report))
    assert [(r.doc_id, r.text, r.source.name) for r in records] == [
        ("a", f"{SECRET} has fever.", "a.txt"),
        ("b", "Cough.", "b.TXT"),
        ("c", "Nausea.", "c.Txt"),
        ("x1", "Vomiting.", "export.csv"),  # a notes table in the folder is read too
    ]
    assert report.skipped == {
        "hidden": 2,
        "subfolder": 1,
        "not a notes file (.md)": 1,
        "not a notes file (no suffix)": 1,
    }


def test_convert_notes_reports_the_skips(notes_folder: Path, tmp_path: Path):
    (notes_folder / "d.txt").write_text("  \n")
    out = tmp_path / "notes.spacy"
    result = run_script("convert_notes", [notes_folder, out])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    expected = (
        f"Wrote 4 notes to {out} (skipped: {{'hidden': 2, 'not a notes file (no suffix)': 1, "
        "'not a notes file (.md)': 1, 'subfolder': 1, 'empty': 1})"
    )
    assert expected in flat
    assert [get_doc_id(d) for d in read_docbin(out)] == ["a", "b", "c", "x1"]


def test_same_stem_in_two_cases_is_a_duplicate(notes_folder: Path):
    (notes_folder / "a.TXT").write_text("Other note.")
    with pytest.raises(CorpusError, match=r"a\.txt \(doc a\): duplicate doc id \(first at .*a\.TXT\)"):
        notes_to_docs(clinical_blank(), notes_folder)


def test_a_folder_with_only_other_files_says_what_it_skipped(tmp_path: Path):
    (tmp_path / "n.md").write_text("x")
    with pytest.raises(
        CorpusError, match=r"folder holds no notes \(.*\) \(skipped: \{'not a notes file \(\.md\)': 1\}\)"
    ):
        list(read_notes(tmp_path))


def test_unreadable_note_is_an_error_naming_the_file(notes_folder: Path, monkeypatch: pytest.MonkeyPatch):
    """Decision: a .txt that cannot be read is an error (never a skip): labelling must not lose a note."""
    locked = notes_folder / "b.TXT"
    if os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads any file: make the OS refuse this one
        real = Path.read_bytes

        def read_bytes(path: Path) -> bytes:
            if path == locked:
                raise PermissionError(13, "Permission denied")
            return real(path)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(CorpusError) as err:
        list(read_notes(notes_folder))
    assert str(err.value) == f"{locked}: cannot read (Permission denied)"


def test_invalid_utf8_note_is_an_error_naming_file_and_line(notes_folder: Path):
    (notes_folder / "c.Txt").write_bytes(b"Nausea.\ncaf\xe9\n")
    with pytest.raises(CorpusError, match=r"c\.Txt:2: invalid UTF-8 at byte 11"):
        list(read_notes(notes_folder))


def test_csv_default_columns_match_in_any_case(tmp_path: Path):
    path = tmp_path / "notes.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([[" ID ", "Note_Text"], ["n1", "Fever."]])
    assert list(read_notes(path)) == [("n1", "Fever.")]


def test_csv_without_id_column_is_reported(tmp_path: Path):
    path = tmp_path / "notes.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["mrn", "text"], ["1", "Fever."]])
    result = run_script("convert_notes", [path, tmp_path / "n.spacy"])
    assert result.exit_code == 0
    assert f"{path}: no id column (id or note_id): ids are notes-<row>" in " ".join(result.output.split())


BAD_IDS = [
    (None, "doc id must be a string or an integer, not null"),
    ("", "empty doc id"),
    ("   ", "empty doc id"),
    (1.5, "doc id must be a string or an integer, not float"),
    (True, "doc id must be a string or an integer, not bool"),
    ([1], "doc id must be a string or an integer, not list"),
    ({"a": 1}, "doc id must be a string or an integer, not dict"),
    ("a\nb", "(doc a\\nb): doc id holds control characters or surrounding whitespace"),
    ("a\r\n✘ forged", "(doc a\\r\\n✘ forged): doc id holds control characters"),
    ("x\x1b[31m", "(doc x\\x1b[31m): doc id holds control characters"),
    ("id\u2028", "(doc id\\u2028): doc id holds control characters"),
    (" a", "(doc  a): doc id holds control characters or surrounding whitespace"),
]


@pytest.mark.parametrize(("value", "message"), BAD_IDS)
def test_jsonl_bad_ids_are_errors_naming_file_and_line(tmp_path: Path, value, message: str):
    path = tmp_path / "notes.jsonl"
    lines = [json.dumps({"id": "ok", "text": "Fine."}), json.dumps({"id": value, "text": SECRET})]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorpusError) as err:
        list(read_notes(path))
    text = str(err.value)
    assert text.startswith(f"{path}:2") and message in text
    assert "\n" not in text and "\r" not in text and SECRET not in text


def test_good_ids():
    assert [check_doc_id(v, "f") for v in (7, "n-1", "PMID 123", "é")] == ["7", "n-1", "PMID 123", "é"]


def test_csv_bad_ids(tmp_path: Path):
    path = tmp_path / "notes.csv"
    for value, message in [("", "notes.csv:3: empty doc id"), ("a\nb", "notes.csv:4 (doc a\\nb)")]:
        with path.open("w", newline="") as fh:
            csv.writer(fh).writerows([["id", "text"], ["ok", "Fine."], [value, SECRET]])
        with pytest.raises(CorpusError) as err:
            list(read_notes(path))
        assert message in str(err.value) and SECRET not in str(err.value)


def test_file_name_with_a_line_break_is_an_error(tmp_path: Path):
    (tmp_path / "a\nb.txt").write_text("Fever.")
    with pytest.raises(CorpusError) as err:
        list(read_notes(tmp_path))
    assert "\n" not in str(err.value) and "a\\nb.txt" in str(err.value)


def test_gold_readers_check_ids(tmp_path: Path):
    pubtator = tmp_path / "x.PubTator.txt"
    pubtator.write_text("|t|Title.\n|a|Abstract.\n")
    with pytest.raises(CorpusError, match=r"x\.PubTator\.txt:1: empty doc id"):
        list(read_pubtator(pubtator))
    xml = tmp_path / "x.BioC.xml"
    xml.write_text("<collection><document><passage><offset>0</offset><text>x</text></passage></document>")
    xml.write_text(xml.read_text() + "</collection>")
    with pytest.raises(CorpusError, match=r"x\.BioC\.xml:1: document has no <id>"):
        list(read_bioc(xml))
    (tmp_path / "r\x1b.txt").write_text("Fever.")
    (tmp_path / "r\x1b.ann").write_text("")
    with pytest.raises(CorpusError, match=r"\(doc r\\x1b\): doc id holds control characters"):
        read_brat_pair(tmp_path / "r\x1b.txt", tmp_path / "r\x1b.ann")
    annotations = tmp_path / "ann.jsonl"
    annotations.write_text(json.dumps({"note_id": 3.0, "start": 0, "end": 1, "label": "Drug"}) + "\n")
    with pytest.raises(CorpusError, match=r"ann\.jsonl:1: doc id must be a string or an integer, not float"):
        read_annotations(annotations)


@pytest.mark.parametrize("offset", [1.7, True, "2.5", "-1"])
def test_medalign_offsets_must_be_integers(tmp_path: Path, offset):
    annotations = tmp_path / "ann.jsonl"
    annotations.write_text(json.dumps({"note_id": "n1", "start": offset, "end": 4, "label": "Drug"}) + "\n")
    with pytest.raises(CorpusError, match=r"ann\.jsonl:1 \(doc n1\): offsets are not integers"):
        read_annotations(annotations)


def test_messages_escape_file_names_and_ids():
    assert escaped("a\tb\x00c") == "a\\tb\\x00c"
    assert where("dir/x\ny.txt", "id\u200b", 3) == "dir/x\\ny.txt:3 (doc id\\u200b)"


def test_skip_reasons_are_escaped(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Fever.")
    (tmp_path / "b.t\nxt").write_text("x")
    report = NotesReport()
    assert [r.doc_id for r in iter_note_records(tmp_path, report=report)] == ["a"]
    assert report.skipped == {"not a notes file (.t\\nxt)": 1}


def test_symbolic_links_in_a_notes_folder_are_skipped_and_counted(tmp_path: Path):
    """A link is never followed, wherever it points: outside the folder (another patient's file),
    inside it, or to a folder; the note must be a regular file in the folder."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "other.txt").write_text(f"{SECRET}: not for this pool.")
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Cough.")
    (folder / "to_outside.txt").symlink_to(outside / "other.txt")
    (folder / "to_inside.txt").symlink_to(folder / "a.txt")
    (folder / "to_folder").symlink_to(outside, target_is_directory=True)
    report = NotesReport()
    records = list(iter_note_records(folder, report=report))
    assert [r.doc_id for r in records] == ["a"]
    assert report.skipped == {"symbolic link": 3}


def test_control_characters_in_a_note_become_spaces_and_are_counted(tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "n1.txt").write_text("Pt has fever\x00\x00 and cough\x07.\tNo\u200b rash.\n")
    (folder / "n2.txt").write_text("Clean note.")
    docs, report = notes_to_docs(clinical_blank(), folder)
    assert docs[0].text == "Pt has fever   and cough .\tNo  rash.\n"  # offsets unchanged
    assert "fever" in [t.text for t in docs[0]]
    assert report.notices == ["1 notes held 4 control or zero-width characters (each replaced by a space)"]
