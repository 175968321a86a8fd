"""Bad corpora through the real converters (scripts/convert.py on PubTator, convert_n2c2.py on brat,
convert_notes.py on JSONL) and the LLM chunker: a clear one-line error naming file and doc id
(never note text), or a counted skip that the CLI reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import spacy

from clin_distill.docio import get_doc_id, read_docbin, set_doc_id, write_docbin
from clin_distill.llm.chunking import chunk_bounds
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.teacher import load_teacher
from tests.helpers.llm_server import LLMTestServer
from tests.llm.conftest import write_teacher_configs

from .conftest import LABEL_MAPS, SENTINEL, error_line, invoke, mode

TITLE = f"{SENTINEL} seen for hypertension."
ABSTRACT = "Ataxia telangiectasia was ruled out."
TEXT = f"{TITLE} {ABSTRACT}"
NCBI = {
    "train": "NCBItrainset_corpus.txt",
    "dev": "NCBIdevelopset_corpus.txt",
    "test": "NCBItestset_corpus.txt",
}


def mention(
    pmid: str, text: str, phrase: str, label: str = "SpecificDisease", start: int | None = None
) -> str:
    start = text.index(phrase) if start is None else start
    return f"{pmid}\t{start}\t{start + len(phrase)}\t{phrase}\t{label}\tD000001"


def pubtator_doc(pmid: str, *mentions: str, title: str = TITLE, abstract: str = ABSTRACT) -> str:
    text = f"{title} {abstract}"
    lines = [f"{pmid}|t|{title}", f"{pmid}|a|{abstract}"]
    lines += list(mentions) or [
        mention(pmid, text, "hypertension"),
        mention(pmid, text, "Ataxia telangiectasia"),
    ]
    return "\n".join(lines) + "\n\n"


def convert_ncbi(tmp_path: Path, train: str | bytes, test: str | None = None):
    """scripts/convert.py (project.yml arguments) on an NCBI Disease layout with this train file."""
    folder = tmp_path / "assets" / "ncbi_disease"
    folder.mkdir(parents=True, exist_ok=True)
    files = {"train": train, "dev": pubtator_doc("200"), "test": test or pubtator_doc("300")}
    for split, content in files.items():
        (folder / NCBI[split]).write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "corpus"
    args = [tmp_path / "assets", out, "--datasets", "ncbi_disease", "--label-maps", LABEL_MAPS, "--seed", 13]
    return invoke("convert", *args), out / "ncbi_disease"


def assert_error(result, expected: str, out: Path) -> None:
    line = error_line(result)
    assert line == expected
    assert SENTINEL not in result.output and "telangiectasia" not in result.output
    assert not out.exists()  # nothing half-written


def train_path(tmp_path: Path) -> str:
    return str(tmp_path / "assets" / "ncbi_disease" / NCBI["train"])


def test_empty_file_is_an_error(tmp_path):
    result, out = convert_ncbi(tmp_path, "")
    assert_error(result, f"{train_path(tmp_path)}: empty file (no documents)", out)


def test_empty_notes_file_is_an_error(tmp_path):
    notes = tmp_path / "notes.jsonl"
    notes.write_text("")
    assert (error_line(invoke("convert_notes", notes, tmp_path / "n.spacy"))) == (
        f"{notes}: empty file (no notes)"
    )
    notes.write_text("\n\n")
    assert (error_line(invoke("convert_notes", notes, tmp_path / "n.spacy"))) == f"{notes}: holds no notes"
    assert not (tmp_path / "n.spacy").exists()


def test_zero_char_notes_are_counted_skips(tmp_path):
    train = pubtator_doc("100") + "101|t|\n\n"
    result, out = convert_ncbi(tmp_path, train)
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["splits"]["train"]["skipped_docs"] == {"empty": 1}
    assert stats["splits"]["train"]["docs_read"] == 2 and stats["splits"]["train"]["docs"] == 1
    assert [get_doc_id(d) for d in read_docbin(out / "train.spacy")] == ["100"]
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        json.dumps({"id": "a", "text": ""}) + "\n" + json.dumps({"id": "b", "text": TEXT}) + "\n"
    )
    result = invoke("convert_notes", notes, tmp_path / "n.spacy")
    assert result.exit_code == 0 and "(skipped: {'empty': 1})" in " ".join(result.output.split())
    assert [get_doc_id(d) for d in read_docbin(tmp_path / "n.spacy")] == ["b"]


def big_note(n_bytes: int = 1_000_000) -> str:
    block = f"Day {{i}}:\tpatient {SENTINEL} has hypertension and chest pain; metformin continued.\r\n"
    parts, size, i = [], 0, 0
    while size < n_bytes:
        parts.append(block.format(i=i))
        size += len(parts[-1])
        i += 1
    return "".join(parts)


@pytest.fixture(scope="module")
def one_mb_note() -> str:
    return big_note()


def test_one_mb_note_through_the_notes_reader_is_whole(tmp_path, one_mb_note):
    notes = tmp_path / "notes.jsonl"
    notes.write_text(json.dumps({"id": "big", "text": one_mb_note}) + "\n")
    result = invoke("convert_notes", notes, tmp_path / "n.spacy")
    assert result.exit_code == 0, result.output
    (doc,) = read_docbin(tmp_path / "n.spacy")
    assert doc.text == one_mb_note and len(doc.text) >= 1_000_000


def test_one_mb_note_through_the_brat_reader_keeps_exact_offsets(tmp_path, one_mb_note):
    text = one_mb_note
    phrases = [(m.start(), m.end()) for m in re.finditer("hypertension", text)]
    picked = [phrases[0], phrases[len(phrases) // 2], phrases[-1]]
    ann = "".join(f"T{i}\tReason {s} {e}\thypertension\n" for i, (s, e) in enumerate(picked, 1))
    for split, name in (("train", "101"), ("train", "102"), ("test", "201")):
        folder = tmp_path / "n2c2" / split
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.txt").write_bytes((text if name == "201" else "Fever.\n").encode())
        (folder / f"{name}.ann").write_bytes((ann if name == "201" else "").encode())
    out = tmp_path / "corpus"
    args = [tmp_path / "n2c2", out, "--label-map", LABEL_MAPS / "n2c2.json", "--dev-fraction", 0.5]
    result = invoke("convert_n2c2", *args)
    assert result.exit_code == 0, result.output
    (doc,) = read_docbin(out / "test.spacy")
    assert doc.text == text
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(s, e, "DISEASE") for s, e in picked]


def test_one_mb_note_through_the_llm_chunker_is_labelled_whole(tmp_path, one_mb_note):
    """Chunked (not truncated): every mention of the note, exactly at its offsets, one request per chunk."""
    text = one_mb_note
    vocab = {"hypertension": "DISEASE", "chest pain": "SYMPTOM", "metformin": "MEDICATION"}
    with LLMTestServer(vocab) as server:
        teacher = load_teacher(
            write_teacher_configs(tmp_path / "cfg", max_concurrency=8, timeout=60) / "local.cfg",
            allow_remote=False,
            base_url=server.url,
        )
        teacher.max_chunk_chars, teacher.overlap_chars = 50_000, 500
        try:
            (doc,) = label_docs(teacher, [set_doc_id(spacy.blank("en").tokenizer(text), "big")])
        finally:
            teacher.close()
        n_chunks = len(chunk_bounds(text, 50_000, 500))
        assert n_chunks == server.stats()["requests"] >= 20
    expected = sorted(
        (m.start(), m.end(), vocab[m.group(0)])
        for m in re.finditer("hypertension|chest pain|metformin", text)
    )
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == expected
    assert doc.ents[-1].end_char > len(text) - 100  # the tail was read


def test_one_mb_note_through_evaluate_is_scored_whole(tmp_path, one_mb_note):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "DISEASE", "pattern": "hypertension"}])
    nlp.to_disk(tmp_path / "model")
    doc = set_doc_id(nlp.tokenizer(one_mb_note), "big")
    doc.ents = [
        doc.char_span(m.start(), m.end(), "DISEASE") for m in re.finditer("hypertension", one_mb_note)
    ]
    write_docbin(tmp_path / "test.spacy", [doc])
    args = ["--corpus", "big", "--model", f"rules={tmp_path / 'model'}", "--n-resamples", 5]
    result = invoke("evaluate", tmp_path / "test.spacy", tmp_path / "metrics", *args)
    assert result.exit_code == 0, repr(result.exception)
    scores = json.loads((tmp_path / "metrics" / "rules" / "big.json").read_text())
    assert scores["strict"]["micro"]["f"] == 1.0


def test_invalid_utf8_is_an_error_naming_file_and_line(tmp_path):
    train = pubtator_doc("100").encode().replace(b"ruled", b"rul\xffed")
    result, out = convert_ncbi(tmp_path, train)
    byte = train.index(b"\xff")
    assert_error(result, f"{train_path(tmp_path)}:2: invalid UTF-8 at byte {byte}", out)


def test_crlf_and_tabs_keep_exact_offsets(tmp_path):
    """brat offsets count every character, \\r and \\t included; PubTator lines may end in \\r\\n."""
    text = f"Pt {SENTINEL}\r\nDx:\thypertension\r\n\tRx:\tmetformin 500 mg\r\n"
    ann = (
        f"T1\tReason {text.index('hyper')} {text.index('hyper') + 12}\thypertension\r\n"
        f"T2\tDrug {text.index('metf')} {text.index('metf') + 9}\tmetformin\r\n"
    )
    for split, name in (("train", "101"), ("train", "102"), ("test", "201")):
        folder = tmp_path / "n2c2" / split
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.txt").write_bytes(text.encode())
        (folder / f"{name}.ann").write_bytes(ann.encode())
    out = tmp_path / "corpus"
    args = [tmp_path / "n2c2", out, "--label-map", LABEL_MAPS / "n2c2.json", "--dev-fraction", 0.5]
    assert invoke("convert_n2c2", *args).exit_code == 0
    (doc,) = read_docbin(out / "test.spacy")
    assert doc.text == text
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("hypertension", "DISEASE"),
        ("metformin", "MEDICATION"),
    ]
    assert mode(out / "test.spacy") == 0o600
    result, corpus = convert_ncbi(tmp_path, pubtator_doc("100").replace("\n", "\r\n"))
    assert result.exit_code == 0, result.output
    (doc,) = read_docbin(corpus / "train.spacy")
    assert doc.text == TEXT  # no stray \r
    assert [e.text for e in doc.ents] == ["hypertension", "Ataxia telangiectasia"]
    # JSONL notes: \r\n line ends, tabs, and U+2028 / U+0085 inside the text survive as they are
    note = f"Line one\r\n\tindented\u2028next\x85last {SENTINEL}"
    notes = tmp_path / "notes.jsonl"
    notes.write_bytes((json.dumps({"id": "a", "text": note}, ensure_ascii=False) + "\r\n").encode())
    assert invoke("convert_notes", notes, tmp_path / "n.spacy").exit_code == 0
    assert read_docbin(tmp_path / "n.spacy")[0].text == note


def test_offset_past_the_end_is_an_error(tmp_path):
    train = pubtator_doc("100", mention("100", TEXT, "out.", start=len(TEXT) - 2))
    result, out = convert_ncbi(tmp_path, train)
    start = len(TEXT) - 2
    where = f"{train_path(tmp_path)}:3 (doc 100)"
    expected = f"{where}: span {start}-{start + 4} is outside the text (length {len(TEXT)})"
    assert_error(result, expected, out)


def test_annotation_text_mismatching_its_offsets_is_an_error(tmp_path):
    start = TEXT.index("Ataxia")
    train = pubtator_doc("100", f"100\t{start}\t{start + 21}\tAtaxia telangiectasis\tSpecificDisease\tD1")
    result, out = convert_ncbi(tmp_path, train)
    expected = f"{train_path(tmp_path)}:3 (doc 100): span {start}-{start + 21} does not match its stated text"
    assert_error(result, expected, out)


def test_duplicate_doc_ids(tmp_path):
    # identical twin: a counted skip; the evaluation split keeps it (read first)
    result, out = convert_ncbi(tmp_path, pubtator_doc("100") + pubtator_doc("300"))
    assert result.exit_code == 0, result.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["splits"]["train"]["skipped_docs"] == {"duplicate_id": 1}
    assert [get_doc_id(d) for d in read_docbin(out / "train.spacy")] == ["100"]
    assert [get_doc_id(d) for d in read_docbin(out / "test.spacy")] == ["300"]
    # same id, different content: an error naming both places
    other = mention("300", f"{TITLE} Other text.", "hypertension")
    twin = pubtator_doc("300", other, abstract="Other text.")
    result, out = convert_ncbi(tmp_path / "b", twin)
    test_file = str(tmp_path / "b" / "assets" / "ncbi_disease" / NCBI["test"])
    expected = (
        f"{train_path(tmp_path / 'b')}:1 (doc 300): duplicate doc id with different content "
        f"(first seen at {test_file}:1)"
    )
    assert_error(result, expected, out)
    notes = tmp_path / "notes.jsonl"
    notes.write_text("".join(json.dumps({"id": i, "text": TEXT}) + "\n" for i in ("a", "b", "a")))
    line = error_line(invoke("convert_notes", notes, tmp_path / "n.spacy"))
    assert line == f"{notes}:3 (doc a): duplicate doc id (first at line 1)"


def test_unknown_label_is_an_error(tmp_path):
    train = pubtator_doc("100", mention("100", TEXT, "hypertension", label="Chemical"))
    result, out = convert_ncbi(tmp_path, train)
    expected = (
        f"{train_path(tmp_path)}:3 (doc 100): unknown label 'Chemical' for dataset ncbi_disease "
        "(add it to the label map's 'map' or 'ignore')"
    )
    assert_error(result, expected, out)


@pytest.mark.parametrize(
    ("doc_id", "expected"),
    [
        (
            "a\n✘ forged error",
            "(doc a\\n✘ forged error): doc id holds control characters or surrounding whitespace",
        ),
        ("b\x1b[2K\r✔ all good", "(doc b\\x1b[2K\\r✔ all good): doc id holds control characters"),
        (None, ": doc id must be a string or an integer, not null"),
    ],
)
def test_hostile_ids_cannot_forge_a_second_line(tmp_path, doc_id, expected):
    """A newline, carriage return or ANSI escape in an id is an error printed escaped: one ✘ line."""
    notes = tmp_path / "notes.jsonl"
    records = [{"id": "ok", "text": TEXT}, {"id": doc_id, "text": TEXT}]
    notes.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = invoke("convert_notes", notes, tmp_path / "n.spacy")
    line = error_line(result)  # asserts exactly one ✘ line and no traceback
    assert line.startswith(f"{notes}:2") and expected in line
    assert SENTINEL not in result.output and "\x1b[2K" not in result.output
    assert not (tmp_path / "n.spacy").exists()
