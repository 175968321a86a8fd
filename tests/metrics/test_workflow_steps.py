"""scripts/evaluate.py → scripts/report.py → scripts/render_report.py on a tiny synthetic project:
rule-based pipelines stand in for the students, DocBins for the teachers."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import spacy
from click.testing import Result
from typer.testing import CliRunner

from clin_distill.docio import write_docbin
from clin_distill.report.browser import find_chromium
from clin_distill.stepfiles.combine import SubsetRow
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.local_llm_speed import Rates
from tests.helpers.files import local_llm_speed, prf, subset_search, teacher_metrics

from .docs import make_doc

REPO = Path(__file__).resolve().parents[2]
CORPUS = "ncbi_disease"
NOTES = [
    (
        "t1",
        "Patient with chest pain and type 2 diabetes takes metformin daily .",
        [("chest pain", "SYMPTOM"), ("type 2 diabetes", "DISEASE"), ("metformin", "MEDICATION")],
    ),
    (
        "t2",
        "No fever , cough or headache .",
        [("fever", "SYMPTOM"), ("cough", "SYMPTOM"), ("headache", "SYMPTOM")],
    ),
    (
        "t3",
        "History of asthma and hypertension , on aspirin .",
        [("asthma", "DISEASE"), ("hypertension", "DISEASE"), ("aspirin", "MEDICATION")],
    ),
    (
        "t4",
        "Breast cancer treated ; nausea after heparin .",
        [("Breast cancer", "DISEASE"), ("nausea", "SYMPTOM"), ("heparin", "MEDICATION")],
    ),
]


def invoke(name: str, *args: str) -> Result:
    """Run a script's typer app in-process (same CLI, without re-importing spaCy per call)."""
    spec = importlib.util.spec_from_file_location(f"script_{name}", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return CliRunner().invoke(module.app, list(args))


def run_script(name: str, *args: str) -> Result:
    result = invoke(name, *args)
    assert result.exit_code == 0, result.output[-3000:] + repr(result.exception)
    return result


def ruler_model(path: Path, patterns: list[tuple[str, str]]) -> Path:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": label, "pattern": text} for text, label in patterns])
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("proj")
    gold = [make_doc(i, text, ents) for i, text, ents in NOTES]
    write_docbin(root / "corpus" / CORPUS / "test.spacy", gold)
    ruler_model(
        root / "distilled",
        [
            ("chest pain", "SYMPTOM"),
            ("diabetes", "DISEASE"),
            ("metformin", "MEDICATION"),
            ("fever", "SYMPTOM"),
            ("asthma", "DISEASE"),
            ("nausea", "SYMPTOM"),
        ],
    )
    ruler_model(
        root / "human",
        [
            ("chest pain", "SYMPTOM"),
            ("type 2 diabetes", "DISEASE"),
            ("asthma", "DISEASE"),
            ("hypertension", "DISEASE"),
            ("Breast cancer", "DISEASE"),
            ("aspirin", "MEDICATION"),
        ],
    )
    teachers = root / "corpus" / "teachers"
    open_vocab = [make_doc(i, text, ents[:2]) for i, text, ents in NOTES[:3]]  # t4 failed
    write_docbin(teachers / "open_vocab" / CORPUS / "test.spacy", open_vocab)
    Failures(failed={"test": ["t4"]}).write(teachers / "open_vocab" / CORPUS / "failures.json")
    local = [make_doc(i, text, [(ents[0][0], "DISEASE")]) for i, text, ents in NOTES]
    write_docbin(teachers / "local" / CORPUS / "test.spacy", local)
    metrics = teacher_metrics("local", "llm")
    metrics.small_local_model = True  # as the local-llm step writes it
    metrics.write(root / "metrics" / "teachers" / "local.json")
    subset_search(("open_vocab", "local")).write(root / "metrics" / "combine" / "subsets.json")
    return root


@pytest.fixture(scope="module")
def evaluated(project: Path) -> Result:
    return run_script(
        "evaluate",
        str(project / "corpus" / CORPUS / "test.spacy"),
        str(project / "metrics"),
        "--corpus",
        CORPUS,
        "--model",
        f"distilled={project / 'distilled'}",
        "--model",
        f"human={project / 'human'}",
        "--teachers-dir",
        str(project / "corpus" / "teachers"),
        "--teachers",
        "open_vocab,local,",
        "--n-resamples",
        "200",
    )


def test_evaluate_writes_one_json_per_system(project, evaluated):
    metrics = project / "metrics"
    results = {
        s: json.loads((metrics / s / f"{CORPUS}.json").read_text())
        for s in ("distilled", "human", "open_vocab", "local")
    }
    d = results["distilled"]
    assert d["kind"] == "model" and d["n_docs"] == 4 and d["failures"] == 0
    # distilled finds chest pain, fever, asthma, nausea, metformin exactly; "diabetes" is a boundary error
    assert (d["strict"]["micro"]["tp"], d["strict"]["micro"]["fp"], d["strict"]["micro"]["fn"]) == (5, 1, 7)
    assert d["lenient"]["micro"]["tp"] == 6
    assert d["errors"]["total"]["boundary"] == 1
    ov = results["open_vocab"]
    assert (
        ov["kind"] == "teacher"
        and ov["failures"] == 1
        and ov["failed_doc_ids"] == ["t4"]
        and ov["n_docs"] == 3
    )
    assert ov["strict"]["micro"]["tp"] == 6 and ov["strict"]["micro"]["fn"] == 3  # t4 not counted as empty
    assert results["local"]["small_local_model"] is True
    assert not results["human"]["small_local_model"]
    spans = json.loads((metrics / "distilled" / f"{CORPUS}.spans.json").read_text())
    assert [0, 5, "SYMPTOM"] in spans["t2"] or any(s[2] == "SYMPTOM" for s in spans["t2"])
    assert "distilled" in evaluated.output and "open_vocab" in evaluated.output
    tables = (metrics / f"evaluate.{CORPUS}.md").read_text()
    assert tables.count("## ") == 3 and "strict F1 per corpus and label" in tables
    assert tables.count("| distilled | model |") == 3


def test_evaluate_reports_missing_teacher(project, evaluated):
    result = invoke(
        "evaluate",
        str(project / "corpus" / CORPUS / "test.spacy"),
        str(project / "metrics-x"),
        "--corpus",
        CORPUS,
        "--teachers-dir",
        str(project / "corpus" / "teachers"),
        "--teachers",
        "gpt-4o",
    )
    assert result.exit_code == 1
    assert "gpt-4o" in result.output and "test.spacy" in result.output


@pytest.fixture(scope="module")
def report(project, evaluated) -> Path:
    run_script(
        "report",
        str(project / "metrics"),
        "--corpus",
        CORPUS,
        "--examples",
        str(project / "corpus" / CORPUS / "test.spacy"),
        "--teachers-dir",
        str(project / "corpus" / "teachers"),
    )
    return project / "metrics" / "report.html"


def test_report_contents(report):
    html = report.read_text()
    md = (report.parent / "report.md").read_text()
    for text in (html, md):
        for system in ("distilled", "human", "open_vocab", "local"):
            assert system in text
        assert "0.84" in text and "0.87" in text and "0.68" in text  # paper anchors
        assert "12× faster" in text and "85× cheaper" in text and "101× cheaper" in text
        assert "Benchmark not run" in text
        assert "open_vocab, local" in text  # teacher subsets table
        assert "says nothing about GPT-4o" in text
    assert html.count("data:image/png;base64,") == 2 and "<link" not in html and "<script" not in html
    assert "exported verbatim" in html and 'class="entities"' in html
    assert (report.parent / "report_f1.png").is_file() and "](report_f1.png)" in md


def test_report_leaves_out_examples_for_non_public_corpus(project, evaluated, tmp_path):
    metrics = tmp_path / "metrics"
    (metrics / "distilled").mkdir(parents=True)
    data = json.loads((project / "metrics" / "distilled" / f"{CORPUS}.json").read_text())
    (metrics / "distilled" / "medalign.json").write_text(json.dumps({**data, "corpus": "medalign"}))
    run_script(
        "report",
        str(metrics),
        "--corpus",
        "medalign",
        "--examples",
        str(project / "corpus" / CORPUS / "test.spacy"),
    )
    html = (metrics / "report.html").read_text()
    assert "comes from a public corpus" in html and 'class="entities"' not in html
    assert "Patient with chest pain" not in html


@pytest.mark.skipif(
    find_chromium() is None, reason="chromium not installed (Debian: apt-get install -y chromium)"
)
def test_rendered_report_shows_table_and_plot(report, tmp_path):
    from PIL import Image

    png = tmp_path / "report.png"
    dom_path = tmp_path / "report.dom.html"
    run_script("render_report", str(report), str(png), "--dom", str(dom_path))
    image = Image.open(png).convert("RGB")
    assert image.size == (1400, 3000)
    pixels = np.asarray(image).reshape(-1, 3).astype(np.int32)
    assert len(np.unique((pixels[:, 0] << 16) | (pixels[:, 1] << 8) | pixels[:, 2])) > 50  # not blank
    assert (pixels != 255).any(axis=1).mean() > 0.02

    # matplotlib's first two bar colours (tab:blue, tab:orange) and the table header shade are on screen
    def near(target: tuple[int, int, int], tol: int = 12) -> bool:
        return bool((np.abs(pixels - np.array(target)) <= tol).all(axis=1).any())

    assert near((31, 119, 180)) and near((255, 127, 14)) and near((233, 245, 251))

    dom = dom_path.read_text()
    rows = re.findall(r"<tr>(.*?)</tr>", dom)
    assert any("<td>distilled</td>" in r for r in rows) and any("<td>open_vocab</td>" in r for r in rows)
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', dom)


def test_evaluate_reports_unloadable_model(project):
    result = invoke(
        "evaluate",
        str(project / "corpus" / CORPUS / "test.spacy"),
        str(project / "metrics-y"),
        "--corpus",
        CORPUS,
        "--model",
        "en_clin_distilled=en_no_such_package_xyz",
    )
    assert result.exit_code == 1
    assert "en_clin_distilled" in result.output and "no folder or installed package" in result.output
    assert "pip install packages/en_no_such_package_xyz-<version>/dist/*.whl" in result.output
    assert not (project / "metrics-y").exists()


def test_report_local_llm_section(project, evaluated, tmp_path):
    metrics = tmp_path / "metrics"
    shutil.copytree(project / "metrics", metrics)
    speed = local_llm_speed()
    speed.notes, speed.chars = 4, 180
    speed.teacher = speed.teacher.model_copy(
        update={"name": "local", "model": "SmolLM2", "wall_s": 40.0, "notes_per_s": 0.1, "s_per_note": 10.0}
    )
    speed.student.timed = Rates(notes=4, wall_s=0.8, notes_per_s=5.0, s_per_note=0.2)
    speed.student_speedup = 50.0
    speed.write(metrics / "local_llm_speed.json")
    # as combine writes them: docs = the dev docs whose corpus annotates the label
    rows = [
        SubsetRow(
            label="DISEASE", teachers=teachers, strategy="union", strict=strict, lenient=lenient, docs=3
        )
        for teachers, strict, lenient in (
            (["open_vocab"], prf(5, 5, 5), prf(6, 4, 4)),  # strict F1 0.5
            (["open_vocab", "local"], prf(61, 39, 39), prf(7, 3, 3)),  # 0.61
            (["local"], prf(2, 8, 8), prf(3, 7, 7)),  # 0.2
        )
    ]
    search = subset_search(("open_vocab", "local"))
    search.dataset, search.n_subsets, search.dev_docs_scored = CORPUS, 3, 9
    search.rows, search.best = rows, {"DISEASE": rows[1]}
    search.write(metrics / "combine_local_llm" / "subsets.json")
    run_script(
        "report",
        str(metrics),
        "--corpus",
        CORPUS,
        "--examples",
        str(project / "corpus" / CORPUS / "test.spacy"),
    )
    md = (metrics / "report.md").read_text()
    section = md[md.index("Local LLM teacher (SmolLM2-135M, offline)") :]
    assert "F1 on the 4 ncbi_disease test docs local labelled" in section
    # local tags each note's first gold mention as DISEASE: asthma and Breast cancer right, 2 of 4 gold
    local_row = next(line for line in section.splitlines() if line.startswith("| local |"))
    assert "| 0.500 / 0.500 |" in local_row
    assert "Left out (no prediction for some of these docs): open_vocab" in section  # failed on t4
    assert "50.0× faster" in section and "| 40.00 | 0.100 | 10.000 |" in section
    assert "| DISEASE | open_vocab (union) | 0.500 | open_vocab+local (union) | 0.610 | +0.110 |" in section
    assert "says nothing about GPT-4o" in section
