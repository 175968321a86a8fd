"""Report building blocks: the combine and benchmark sections, the anchors resource, example selection."""

from __future__ import annotations

from pathlib import Path

from clin_distill.anchors import load_anchors
from clin_distill.report.combination import labels_section, subsets_section
from clin_distill.report.examples import is_public, select_examples
from clin_distill.report.model import Table
from clin_distill.report.sources import system_order
from clin_distill.report.speed import speed_section
from clin_distill.stepfiles.combine import DevF1, LabelChoice
from tests.helpers.files import benchmark, combine_choice, subset_search

from .docs import make_doc


def test_anchor_resource_has_the_papers_numbers():
    anchors = load_anchors()
    assert anchors["version"] == 1 and anchors["source"]["arxiv"] == "2501.00031"
    assert anchors["f1"]["distilled"] == {"DISEASE": 0.84, "MEDICATION": 0.87, "SYMPTOM": 0.68}
    speed = {a["versus"]: a for a in anchors["speed_cost"]}
    assert speed["GPT-4o"]["faster"] == 12 and speed["GPT-4o"]["cheaper"] == 85
    assert speed["o1-mini"]["cheaper"] == 101


def test_labels_section_says_what_was_trained_and_what_was_dropped(tmp_path: Path):
    choice = combine_choice(
        {
            "MEDICATION": LabelChoice(
                teachers=["open_vocab"], strategy="union", dev=DevF1(strict_f=0.7, lenient_f=0.8)
            ),
            "DISEASE": LabelChoice(teachers=["open_vocab", "quickumls"], strategy="vote"),
            "SYMPTOM": LabelChoice(dropped="no dev doc's corpus annotates it"),
        },
        ["open_vocab", "quickumls"],
    )
    section = labels_section(choice.write(tmp_path / "choice.json"))
    table, note = section.blocks
    assert table.rows == [
        ["MEDICATION", "yes", "open_vocab (union)", "0.700", ""],
        ["DISEASE", "yes", "open_vocab+quickumls (vote)", "–", ""],
        ["SYMPTOM", "no: dropped", "–", "–", "no dev doc's corpus annotates it"],
    ]
    assert "annotates MEDICATION, DISEASE (best strategy)" in note.text
    assert "SYMPTOM (no dev doc's corpus annotates it)" in note.text and note.warn
    missing = labels_section(tmp_path / "none.json").blocks[0]
    assert missing.warn and "not run" in missing.text


def test_subsets_section_shows_the_labels_the_gold_annotates(tmp_path: Path):
    path = subset_search().write(tmp_path / "subsets.json")
    rows_table, strategies, note = subsets_section(path, ["DISEASE"]).blocks
    assert [r[:3] for r in rows_table.rows] == [
        ["DISEASE", "open_vocab", "union"],
        ["DISEASE", "quickumls", "union"],
    ]
    assert rows_table.rows[0][-1] == "✓" and rows_table.rows[1][-1] == ""
    assert strategies.rows == [["union", "0.500", "0.500"], ["best", "0.600", "0.600"]]
    assert "3 subsets of open_vocab, quickumls" in note.text
    symptom = subsets_section(path, ["SYMPTOM"])
    assert symptom.blocks[0].rows == [] and "2 rows for labels" in symptom.blocks[2].text


def test_speed_section_shows_the_benchmark_tables(tmp_path: Path):
    path = benchmark().write(tmp_path / "benchmark.json")
    section = speed_section(path, load_anchors())
    tables = {b.title: b for b in section.blocks if isinstance(b, Table)}
    systems = tables["Student and teachers: notes/s, $ per 1,000 notes, ratios"]
    assert [r[0] for r in systems.rows] == ["student fp32", "student int8", "ontology teacher open_vocab"]
    assert systems.rows[0][1] == "12.500"
    assert "Paper anchors: speed and cost" in tables
    notes = [b.text for b in section.blocks if not isinstance(b, Table)]
    assert any(line.startswith("Best fp32: fp32 t=1 bs=16") for line in notes)
    absent = speed_section(tmp_path / "none.json", load_anchors())
    assert absent.blocks[0].warn and "Benchmark not run" in absent.blocks[0].text


def test_students_first_then_models_then_teachers():
    results = [
        {"system": s, "kind": k}
        for s, k in [
            ("quickumls", "teacher"),
            ("human", "model"),
            ("x", "model"),
            ("distilled", "model"),
            ("a", "teacher"),
        ]
    ]
    assert [r["system"] for r in sorted(results, key=system_order)] == [
        "distilled",
        "human",
        "x",
        "a",
        "quickumls",
    ]


def test_example_selection_prefers_most_disagreement_and_short_docs():
    gold = [
        make_doc(i, text, [])
        for i, text in [("a", "fever today"), ("b", "cough and pain"), ("c", "x " * 900)]
    ]
    student = {"a": {(0, 5, "SYMPTOM")}, "b": {(0, 5, "SYMPTOM")}, "c": set()}
    teachers = {
        "t1": {"a": {(0, 5, "SYMPTOM")}, "b": {(10, 14, "SYMPTOM")}, "c": {(0, 1, "DISEASE")}},
        "t2": {"a": set(), "b": set()},
    }
    assert select_examples(gold, student, teachers) == ["b", "a"]  # c is too long
    assert select_examples(gold, student, teachers, k=1) == ["b"]
    assert select_examples(gold, student, {"t1": {"a": {(0, 5, "SYMPTOM")}}}) == []


def test_only_public_corpora_export_examples():
    assert is_public("ncbi_disease") and is_public("maccrobat")
    assert not is_public("medalign") and not is_public("n2c2")
