"""Exact counts against each mirror folder's SOURCE.md, and round-trip fidelity of the gold spans."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from clin_distill.corpora import bc5cdr, maccrobat, ncbi_disease
from clin_distill.corpora.bioc_xml import read_bioc
from clin_distill.corpora.brat import brat_ids
from clin_distill.corpora.label_map import LabelMap
from clin_distill.corpora.pubtator import read_pubtator
from clin_distill.corpora.reading import replace_controls
from clin_distill.docio import get_doc_id, read_docbin
from clin_distill.labels import LABELS

from .conftest import REPO, dataset_dir, markdown_table

READ_SPLITS = {"ncbi_disease": ncbi_disease, "bc5cdr": bc5cdr, "maccrobat": maccrobat}


def stats_of(converted: Path, name: str) -> dict:
    return json.loads((converted / name / "stats.json").read_text())


def test_ncbi_disease_counts(mirror, converted):
    folder = dataset_dir(mirror, "ncbi_disease")
    table = markdown_table((folder / "SOURCE.md").read_text(), "file")
    for name in ncbi_disease.FILES.values():
        docs = list(read_pubtator(folder / name))
        types = Counter(span.label for doc in docs for span in doc.spans)
        row = table[name]
        assert len(docs) == int(row["docs"])
        for mention_type in ("SpecificDisease", "DiseaseClass", "Modifier", "CompositeMention"):
            assert types[mention_type] == int(row[mention_type])
        assert sum(types.values()) == int(row["total"])
    stats = stats_of(converted, "ncbi_disease")
    train = stats["splits"]["train"]
    # PMID 8528200 appears twice (identically): the second copy is skipped and counted.
    assert (train["docs_read"], train["docs"], train["skipped_docs"]) == (593, 592, {"duplicate_id": 1})
    # PMID 10923035's mention with trailing spaces matches after whitespace normalisation.
    assert train["events"] == {"surface_whitespace": 1}
    assert [stats["splits"][s]["docs"] for s in ("dev", "test")] == [100, 100]
    for split in ("train", "dev", "test"):
        st = stats["splits"][split]
        source = sum(st["source_spans"].values())
        removed = sum(st["overlap_removed"].values()) + st["duplicate_spans"]
        assert st["spans"]["DISEASE"] == source - removed
        assert st["spans"]["MEDICATION"] == st["spans"]["SYMPTOM"] == 0


def test_bc5cdr_counts(mirror, converted):
    folder = dataset_dir(mirror, "bc5cdr")
    source_md = (folder / "SOURCE.md").read_text()
    table = markdown_table(source_md, "file")
    for split, stem in bc5cdr.STEMS.items():
        docs = list(read_pubtator(folder / bc5cdr.FOLDER / f"{stem}.PubTator.txt"))
        types = Counter(span.label for doc in docs for span in doc.spans)
        row = table[f"{stem}.PubTator.txt"]
        assert (len(docs), types["Chemical"], types["Disease"]) == (
            int(row["docs"]),
            int(row["Chemical"]),
            int(row["Disease"]),
        )
        st = stats_of(converted, "bc5cdr")["splits"][split]
        assert st["docs"] == int(row["docs"])
        assert st["source_spans"] == {"Chemical": int(row["Chemical"]), "Disease": int(row["Disease"])}
        removed = Counter(st["overlap_removed"])
        assert st["spans"]["MEDICATION"] + st["spans"]["DISEASE"] == (
            int(row["total mentions"]) - sum(removed.values()) - st["duplicate_spans"]
        )


def test_bc5cdr_bioc_reader_matches_source_and_pubtator(mirror):
    folder = dataset_dir(mirror, "bc5cdr")
    source_md = (folder / "SOURCE.md").read_text()
    found = re.findall(r"(Training|Development|Test) (\d+) docs, Chemical (\d+) / Disease (\d+)", source_md)
    bioc_counts = {name: tuple(int(x) for x in rest) for name, *rest in found}
    assert set(bioc_counts) == {"Training", "Development", "Test"}
    label_map = LabelMap.load(REPO / "configs/labels/bc5cdr.json")
    path = folder / bc5cdr.FOLDER / "CDR_TestSet.BioC.xml"
    bioc_docs = list(read_bioc(path))
    pubtator_docs = {d.doc_id: d for d in read_pubtator(folder / bc5cdr.FOLDER / "CDR_TestSet.PubTator.txt")}
    # Every <annotation> element is read: kept spans plus skipped composite parts.
    per_type = Counter(span.label for doc in bioc_docs for span in doc.spans)
    for doc in bioc_docs:
        for event, n in doc.events.items():
            if event.startswith("individual_mention_skipped/"):
                per_type[event.split("/", 1)[1]] += n
    assert (len(bioc_docs), per_type["Chemical"], per_type["Disease"]) == bioc_counts["Test"]
    # Same ids, same text and (composite parts skipped) the same gold spans as the PubTator release.
    assert [d.doc_id for d in bioc_docs] == list(pubtator_docs)
    spans = lambda raw: sorted((s.start, s.end, label_map.mapping[s.label]) for s in raw.spans)  # noqa: E731
    for raw in bioc_docs:
        twin = pubtator_docs[raw.doc_id]
        assert raw.text == twin.text
        assert spans(raw) == spans(twin)


def test_maccrobat_counts_and_split(mirror, converted):
    folder = dataset_dir(mirror, "maccrobat")
    source_md = (folder / "SOURCE.md").read_text()
    block = source_md.split("## Counts", 1)[1].split("```")[1]
    head = re.search(r"docs (\d+) T-entities (\d+) discontinuous (\d+)", block)
    n_docs, n_entities, n_discontinuous = (int(x) for x in head.groups())
    per_type = {line.split()[0]: int(line.split()[1]) for line in block.strip().splitlines()[1:]}
    stats = stats_of(converted, "maccrobat")
    total = stats["total"]
    assert total["docs"] == n_docs
    assert total["source_spans"] == per_type
    assert sum(total["source_spans"].values()) == n_entities
    discontinuous = (
        total["events"].get("discontinuous_joined", 0) + total["events"]["discontinuous_first_fragment"]
    )
    assert discontinuous == n_discontinuous
    for source, label in (
        ("Medication", "MEDICATION"),
        ("Disease_disorder", "DISEASE"),
        ("Sign_symptom", "SYMPTOM"),
    ):
        removed = total["overlap_removed"][label]
        assert total["spans"][label] <= per_type[source]
        assert total["spans"][label] >= per_type[source] - removed - total["duplicate_spans"]
    assert sum(total["ignored_spans"].values()) == n_entities - sum(
        per_type[t] for t in ("Medication", "Disease_disorder", "Sign_symptom")
    )
    sizes = [stats["splits"][s]["docs"] for s in ("train", "dev", "test")]
    assert sizes == [
        round(0.7 * n_docs),
        round(0.15 * n_docs),
        n_docs - round(0.7 * n_docs) - round(0.15 * n_docs),
    ]
    ids = {
        s: [get_doc_id(d) for d in read_docbin(converted / "maccrobat" / f"{s}.spacy")]
        for s in sizes and stats["splits"]
    }
    assert sorted(sum(ids.values(), [])) == brat_ids(folder / maccrobat.FOLDER)
    # The split is a function of the seed alone.
    again = maccrobat.read_splits(folder, 13)
    assert {s: [d.doc_id for d in docs] for s, docs in again.items()} == {
        s: sorted(v) for s, v in ids.items()
    }
    other = {s: [d.doc_id for d in docs] for s, docs in maccrobat.read_splits(folder, 14).items()}
    assert other["test"] != sorted(ids["test"])


@pytest.mark.parametrize("name", ["ncbi_disease", "bc5cdr", "maccrobat"])
def test_round_trip_fidelity(mirror, converted, name):
    """Doc text is the source text (control and zero-width characters counted and replaced by spaces,
    offsets unchanged); every gold span is a source annotation's exact substring, except the counted
    misaligned spans, widened to tokens around a source span, and the counted whitespace-trimmed ones,
    inside one."""
    folder = dataset_dir(mirror, name)
    label_map = LabelMap.load(REPO / f"configs/labels/{name}.json")
    stats = stats_of(converted, name)
    for split, raws in READ_SPLITS[name].read_splits(folder, 13).items():
        raw_by_id = {}
        for raw in raws:
            raw_by_id.setdefault(raw.doc_id, raw)
        docs = read_docbin(converted / name / f"{split}.spacy")
        assert len(docs) == stats["splits"][split]["docs"]
        widened = trimmed = 0
        for doc in docs:
            raw = raw_by_id[get_doc_id(doc)]
            text, _ = replace_controls(raw.text)
            assert doc.text == text
            source = {(s.start, s.end, label_map.mapping.get(s.label)) for s in raw.spans}
            for ent in doc.ents:
                assert ent.label_ in LABELS
                assert ent.text == text[ent.start_char : ent.end_char]
                if (ent.start_char, ent.end_char, ent.label_) in source:
                    continue
                start, end = ent.start_char, ent.end_char
                if any(lab == ent.label_ and a <= start and end <= b for a, b, lab in source):
                    trimmed += 1
                    continue
                widened += 1
                assert any(
                    lab == ent.label_ and ent.start_char <= a and b <= ent.end_char for a, b, lab in source
                )
        assert widened <= sum(stats["splits"][split]["misaligned_expanded"].values())
        assert trimmed <= sum(stats["splits"][split]["whitespace_trimmed"].values())
