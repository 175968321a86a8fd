"""Malformed BioC XML, PubTator and brat files give a CorpusError naming the file (and doc),
never a raw ValueError/KeyError/TypeError: hand-written cases, then seeded fuzzing of real files."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from clin_distill.corpora import CorpusError
from clin_distill.corpora.bioc_xml import read_bioc
from clin_distill.corpora.brat import read_brat_pair
from clin_distill.corpora.pubtator import read_pubtator
from tests.faults.conftest import error_line, invoke

from .conftest import REPO, dataset_dir

TEXT = "Cisplatin caused ototoxicity in Pt John Roe."
SECRET = "John Roe"


def bioc_xml(
    offset: str = "0",
    location: str = '<location offset="17" length="11"/>',
    infons: str = '<infon key="type">Disease</infon>',
    doc_id: str = "<id>42</id>",
    root: str = "collection",
    passage_body: str | None = None,
) -> str:
    body = passage_body or f"<offset>{offset}</offset><text>{TEXT}</text>"
    annotation = f'<annotation id="1">{infons}{location}<text>ototoxicity</text></annotation>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root}><source>x</source>\n<document>{doc_id}\n'
        f"<passage>{body}\n{annotation}\n</passage>\n</document>\n</{root}>\n"
    )


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (bioc_xml(offset="x"), "x.xml:4 (doc 42): passage offset is not an integer"),
        (bioc_xml(offset=""), "x.xml:4 (doc 42): passage offset is not an integer"),
        (bioc_xml(location='<location offset="17"/>'), "x.xml:5 (doc 42): location length is not an integer"),
        (
            bioc_xml(location='<location offset="a" length="3"/>'),
            "(doc 42): location offset is not an integer",
        ),
        (bioc_xml(location=""), "x.xml annotation 1:5 (doc 42): annotation has no type or no location"),
        (bioc_xml(infons='<infon key="type"></infon>'), "annotation has no type or no location"),
        (bioc_xml(infons='<infon key="kind">Disease</infon>'), "annotation has no type or no location"),
        (bioc_xml(doc_id=""), "x.xml:3: document has no <id>"),
        (bioc_xml(doc_id="<id></id>"), "x.xml:3: empty doc id"),
        (bioc_xml(root="collectio"), "x.xml:2: not a BioC collection (root <collectio>)"),
        (
            bioc_xml(location='<location offset="40" length="11"/>'),
            "(doc 42): span 40-51 is outside the text",
        ),
        (
            bioc_xml(location='<location offset="17" length="-3"/>'),
            "(doc 42): span 17-14 is outside the text",
        ),
        (
            bioc_xml(location='<location offset="0" length="9"/>'),
            "(doc 42): locations do not match the stated",
        ),
        (bioc_xml()[:-40], "x.xml:5: not well-formed BioC XML"),
        ("", "x.xml:1: not well-formed BioC XML"),
    ],
)
def test_malformed_bioc_is_a_corpus_error(tmp_path: Path, xml: str, message: str):
    path = tmp_path / "x.xml"
    path.write_text(xml)
    with pytest.raises(CorpusError) as err:
        list(read_bioc(path))
    assert message in str(err.value) and str(err.value).startswith(str(tmp_path))
    assert SECRET not in str(err.value)


def test_bioc_keyless_infon_and_sentence_passages(tmp_path: Path):
    """Tolerated: layout whitespace around an id, an infon without a key (ignored); a passage of
    sentences is read from them."""
    path = tmp_path / "x.xml"
    path.write_text(
        bioc_xml(infons='<infon>x</infon><infon key="type">Disease</infon>', doc_id="<id>\n  42\n</id>")
    )
    (raw,) = read_bioc(path)
    assert raw.doc_id == "42"
    assert [(TEXT[s.start : s.end], s.label) for s in raw.spans] == [("ototoxicity", "Disease")]
    first, second = "Cisplatin caused ototoxicity.", "Pt improved."
    sentences = (
        f"<offset>0</offset><sentence><offset>0</offset><text>{first}</text></sentence>"
        f"<sentence><offset>{len(first) + 1}</offset><text>{second}</text>"
        '<annotation id="9"><infon key="type">Chemical</infon><location offset="0" length="9"/>'
        "<text>Cisplatin</text></annotation></sentence>"
    )
    path.write_text(bioc_xml(passage_body=sentences))
    (raw,) = read_bioc(path)
    assert raw.text == f"{first} {second}"
    assert sorted((raw.text[s.start : s.end], s.label) for s in raw.spans) == [
        ("Cisplatin", "Chemical"),
        ("ototoxicity", "Disease"),
    ]


@pytest.mark.parametrize(
    ("ann", "message"),
    [
        ("T1 Drug 0 9 Cisplatin\n", "r.ann:1 (doc r): malformed T line"),
        ("xyz\n", "r.ann:1 (doc r): not a brat annotation line"),
        ("T1\tDrug\tCisplatin\n", "r.ann:1 (doc r): malformed T line"),
        ("T1\tDrug 0 9\n", "r.ann:1 (doc r): malformed T line"),
        ("T1\tDrug 0 9 12\tCisplatin\n", "r.ann:1 (doc r): malformed offsets"),
        ("T1\tDrug 0;9\tCisplatin\n", "r.ann:1 (doc r): malformed offsets"),
        ("T1\tDrug 9 0\tCisplatin\n", "r.ann:1 (doc r): span 9-0 is outside the text"),
        ("#1\tAnnotatorNotes T1\tnote\nT1\tDrug 0 9\tCisplatin\n\nR1\tx Arg1:T1 Arg2:T1\n", None),
    ],
)
def test_malformed_brat_lines(tmp_path: Path, ann: str, message: str | None):
    (tmp_path / "r.txt").write_text(TEXT)
    (tmp_path / "r.ann").write_text(ann)
    if message is None:
        assert [(s.start, s.end) for s in read_brat_pair(tmp_path / "r.txt", tmp_path / "r.ann").spans] == [
            (0, 9)
        ]
        return
    with pytest.raises(CorpusError) as err:
        read_brat_pair(tmp_path / "r.txt", tmp_path / "r.ann")
    assert message in str(err.value) and SECRET not in str(err.value)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["1|t|Title.", "1\t0\t5\tTitle\tDisease"], "x.txt:2 (doc 1): expected >= 6 tab-separated fields"),
        (["1|t|Title.", "1\ta\t5\tTitle\tDisease\tD1"], "x.txt:2 (doc 1): offsets are not integers"),
        (
            ["1|t|Title.", "2\t0\t5\tTitle\tDisease\tD1"],
            "x.txt:2 (doc 2): annotation line outside its document",
        ),
        (["1|a|Abstract."], "x.txt:1 (doc 1): document has no |t| title line"),
        (["1|t|Title.", "2|t|Other."], "x.txt:2 (doc 2): new document starts before a blank line ends doc 1"),
    ],
)
def test_malformed_pubtator(tmp_path: Path, lines: list[str], message: str):
    path = tmp_path / "x.txt"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CorpusError) as err:
        list(read_pubtator(path))
    assert message in str(err.value)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Truncate, garble, delete, duplicate or insert a few bytes at a random place."""
    i = rng.randrange(len(data))
    op = rng.choice(("truncate", "garble", "delete", "duplicate", "insert"))
    if op == "truncate":
        return data[:i]
    if op == "garble":
        return data[:i] + bytes([rng.choice(b"<>\"'\t\n|;x0123456789- &")]) + data[i + 1 :]
    j = i + rng.randrange(1, 40)
    if op == "delete":
        return data[:i] + data[j:]
    if op == "duplicate":
        return data[:j] + data[i:j] + data[j:]
    return data[:i] + rng.choice((b"\xef\xbb\xbf", b"\xff", b"\t", b"\n", b"\r")) + data[i:]


def fuzz(read, seed_data: bytes, path: Path, trials: int, seed: int) -> Counter:
    """Read ``trials`` mutations of ``seed_data`` at ``path``; each failure must be a one-line CorpusError."""
    rng = random.Random(seed)
    outcomes: Counter = Counter()
    for _ in range(trials):
        path.write_bytes(mutate(seed_data, rng))
        try:
            read(path)
            outcomes["read"] += 1
        except CorpusError as err:
            assert "\n" not in str(err) and str(err).startswith(str(path.parent)), str(err)
            outcomes["CorpusError"] += 1
    return outcomes


@pytest.fixture(scope="module")
def cdr_dev(mirror: Path) -> tuple[bytes, bytes]:
    """The first documents of the real BC5CDR development set, BioC XML and PubTator."""
    folder = dataset_dir(mirror, "bc5cdr") / "CDR.Corpus.v010516"
    xml = (folder / "CDR_DevelopmentSet.BioC.xml").read_bytes()[:60_000]
    xml = xml[: xml.rindex(b"</document>") + len(b"</document>")] + b"</collection>\n"
    pubtator = (folder / "CDR_DevelopmentSet.PubTator.txt").read_bytes()[:20_000]
    return xml, pubtator[: pubtator.rindex(b"\n\n") + 2]


def test_fuzzed_bioc(tmp_path: Path, cdr_dev):
    outcomes = fuzz(lambda p: list(read_bioc(p)), cdr_dev[0], tmp_path / "f.BioC.xml", 300, seed=1)
    assert outcomes["CorpusError"] > 100 and outcomes["read"] > 20


def test_fuzzed_pubtator(tmp_path: Path, cdr_dev):
    outcomes = fuzz(lambda p: list(read_pubtator(p)), cdr_dev[1], tmp_path / "f.PubTator.txt", 300, seed=2)
    assert outcomes["CorpusError"] > 100 and outcomes["read"] > 20


def test_fuzzed_brat(tmp_path: Path, mirror: Path):
    folder = dataset_dir(mirror, "maccrobat") / "MACCROBAT2020"
    name = sorted(p.stem for p in folder.glob("*.ann"))[0]
    txt, ann = (folder / f"{name}.txt").read_bytes(), (folder / f"{name}.ann").read_bytes()
    (tmp_path / "r.txt").write_bytes(txt)
    outcomes = fuzz(lambda p: read_brat_pair(tmp_path / "r.txt", p), ann, tmp_path / "r.ann", 200, seed=3)
    (tmp_path / "r.ann").write_bytes(ann)
    outcomes += fuzz(lambda p: read_brat_pair(p, tmp_path / "r.ann"), txt, tmp_path / "r.txt", 200, seed=4)
    assert outcomes["CorpusError"] > 150 and outcomes["read"] > 50


def test_malformed_bioc_through_the_convert_cli(tmp_path: Path, mirror: Path):
    """scripts/convert.py --bc5cdr-format bioc: one line naming the file, line and doc; nothing written."""
    source = dataset_dir(mirror, "bc5cdr") / "CDR.Corpus.v010516"
    folder = tmp_path / "assets" / "bc5cdr" / "CDR.Corpus.v010516"
    folder.mkdir(parents=True)
    for split in ("Training", "Development", "Test"):
        xml = (source / f"CDR_{split}Set.BioC.xml").read_bytes()[:30_000]
        xml = xml[: xml.rindex(b"</document>") + len(b"</document>")] + b"</collection>\n"
        if split == "Training":
            xml = xml.replace(b"length='", b"length='x", 1)
        (folder / f"CDR_{split}Set.BioC.xml").write_bytes(xml)
    args = ["--datasets", "bc5cdr", "--bc5cdr-format", "bioc", "--label-maps", REPO / "configs" / "labels"]
    line = error_line(invoke("convert", tmp_path / "assets", tmp_path / "out", *args))
    bad = (folder / "CDR_TrainingSet.BioC.xml").read_bytes().split(b"length='x", 1)[0]
    doc_id = bad[bad.rindex(b"<id>") + 4 :].split(b"</id>")[0].decode()
    n_line = bad.count(b"\n") + 1
    at = f"{folder / 'CDR_TrainingSet.BioC.xml'}:{n_line} (doc {doc_id})"
    assert line == f"{at}: location length is not an integer"
    assert not (tmp_path / "out").exists()


def test_gold_spans_on_whitespace_tokens_are_trimmed_and_counted(tmp_path: Path):
    """brat/PubTator offsets that take in line breaks, tabs or double spaces: the entity keeps only its
    non-space tokens; a span of whitespace alone is dropped with its reason (cf. explosion/spaCy#13297)."""
    from clin_distill.corpora.convert import build_doc
    from clin_distill.corpora.label_map import LabelMap
    from clin_distill.corpora.raw import RawDoc, RawSpan
    from clin_distill.corpora.stats import SplitStats
    from clin_distill.runtime.tokenizer import clinical_blank

    text = "Hx of hypertension\n\nand\tasthma  on  aspirin.\n\nDone"
    spans = [
        RawSpan(6, 20, "Disease_disorder"),  # "hypertension\n\n"
        RawSpan(23, 30, "Disease_disorder"),  # "\tasthma"
        RawSpan(33, 42, "Medication"),  # "on  aspirin": the double space is inside
        RawSpan(44, 46, "Sign_symptom"),  # "\n\n" alone
    ]
    path = tmp_path / "map.json"
    path.write_text('{"dataset": "x", "map": {"Disease_disorder": "DISEASE", "Medication": "MEDICATION", '
                    '"Sign_symptom": "SYMPTOM"}}')  # fmt: skip
    stats = SplitStats()
    doc = build_doc(clinical_blank(), RawDoc("d", text, spans, "x.ann"), LabelMap.load(path), stats)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("hypertension", "DISEASE"),
        ("asthma", "DISEASE"),
        ("on  aspirin", "MEDICATION"),
    ]
    record = stats.to_dict()
    assert record["whitespace_trimmed"] == {"MEDICATION": 0, "DISEASE": 2, "SYMPTOM": 0}
    assert record["whitespace_only_dropped"] == {"MEDICATION": 0, "DISEASE": 0, "SYMPTOM": 1}
