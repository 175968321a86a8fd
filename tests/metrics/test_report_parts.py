"""Report building blocks: JSON of other steps as tables, anchors resource, example selection."""

from __future__ import annotations

from clin_distill.report.examples import is_public, select_examples
from clin_distill.report.json_tables import json_tables
from clin_distill.report.sources import load_anchors, system_order

from .docs import make_doc


def test_anchor_resource_has_the_papers_numbers():
    anchors = load_anchors()
    assert anchors["version"] == 1 and anchors["source"]["arxiv"] == "2501.00031"
    assert anchors["f1"]["distilled"] == {"DISEASE": 0.84, "MEDICATION": 0.87, "SYMPTOM": 0.68}
    speed = {a["versus"]: a for a in anchors["speed_cost"]}
    assert speed["GPT-4o"]["faster"] == 12 and speed["GPT-4o"]["cheaper"] == 85
    assert speed["o1-mini"]["cheaper"] == 101


def test_subsets_like_json_becomes_tables():
    row = {
        "label": "DISEASE",
        "teachers": ["open_vocab", "quickumls"],
        "strategy": "vote",
        "strict": {"tp": 3, "fp": 1, "fn": 2, "p": 0.75, "r": 0.6, "f": 0.6667},
    }
    data = {
        "dataset": "ncbi_disease",
        "teachers": ["open_vocab", "quickumls"],
        "rows": [row, row],
        "best": {"DISEASE": row, "SYMPTOM": None},
        "all_teachers": {"union": {"strict": {"DISEASE": {"f": 0.5}}}},
    }
    tables = {t.title: t for t in json_tables(data, "subsets.json")}
    assert ["dataset", "ncbi_disease"] in tables["subsets.json"].rows
    assert ["teachers", "open_vocab, quickumls"] in tables["subsets.json"].rows
    rows = tables["subsets.json / rows"]
    assert rows.header == [
        "label",
        "teachers",
        "strategy",
        "strict.tp",
        "strict.fp",
        "strict.fn",
        "strict.p",
        "strict.r",
        "strict.f",
    ]
    assert rows.rows[0][:3] == ["DISEASE", "open_vocab, quickumls", "vote"] and rows.rows[0][-1] == "0.6667"
    best = tables["subsets.json / best"]
    assert [r[0] for r in best.rows] == ["DISEASE", "SYMPTOM"]
    assert tables["subsets.json / all_teachers"].rows == [["union", "0.5"]]


def test_benchmark_like_json_and_odd_shapes_are_not_dropped():
    data = {
        "n_docs": 6,
        "summary": {"best": {"fp32": "b8"}, "table": [{"system": "student fp32", "notes_per_s": 4.5}]},
        "runs": [{"name": "b8", "gflops": 1.25}],
        "matrix": [[1, 2], [3, 4]],
    }
    tables = {t.title: t for t in json_tables(data, "benchmark.json")}
    assert tables["benchmark.json / summary / table"].rows == [["student fp32", "4.5"]]
    assert tables["benchmark.json / runs"].rows == [["b8", "1.25"]]
    assert tables["benchmark.json / matrix"].rows == [["1, 2"], ["3, 4"]]
    assert ["n_docs", "6"] in tables["benchmark.json"].rows


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


def test_subset_rows_of_unannotated_labels_are_hidden():
    from clin_distill.report.build import only_labels

    data = {
        "rows": [{"label": "DISEASE", "f": 0.5}, {"label": "SYMPTOM", "f": 0.0}, {"other": 1}],
        "best": {"DISEASE": {"f": 0.5}, "SYMPTOM": None},
        "teachers": ["a"],
    }
    kept, dropped = only_labels(data, {"DISEASE"})
    assert kept == {
        "rows": [{"label": "DISEASE", "f": 0.5}, {"other": 1}],
        "best": {"DISEASE": {"f": 0.5}},
        "teachers": ["a"],
    }
    assert dropped == 2
