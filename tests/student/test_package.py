"""The installable en_clin_distilled: build it from the tiny student, pip-install the wheel into a fresh
venv, and check there (offline, without clin_distill and without the backbone folder) that it loads,
tags, asserts, switches to int8 and is scored by ``spacy evaluate``.

Dependencies come from a local wheelhouse ($CLIN_DISTILL_WHEELHOUSE, default
~/.cache/clin_distill/wheelhouse). It is filled by ``pip wheel`` on the first run only, so later runs
install with ``--no-index`` (no network); see the timings in the student report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import spacy
import srsly

from clin_distill.docio import get_doc_id, read_docbin, set_doc_id
from clin_distill.labels import LABELS
from clin_distill.metrics.systems import Predictions, system_metrics
from clin_distill.stepfiles.anchored import AnchoredCorpus
from clin_distill.stepfiles.combine import LabelChoice
from clin_distill.stepfiles.note_sentences import NoteSentences
from clin_distill.student.packaging import built_wheel
from tests.helpers.files import benchmark, combine_choice, pool, subset_search
from tests.student.conftest import TrainedStudent, invoke, run_script

pytestmark = pytest.mark.slow
NAME = "en_clin_distilled"
PIPELINE = ["transformer", "int8", "ner", "abbreviation_guard", "assertion_sentencizer", "context"]

CHECK_IN_VENV = r"""
import importlib.util, json, sys
import spacy
from spacy.tokens import Span

nlp = spacy.load("en_clin_distilled")
doc = nlp("Patient denies chest pain and fever .")
attrs = ("is_negated", "is_historical", "is_family", "is_hypothetical")
int8_nlp = spacy.load("en_clin_distilled", config={"components": {"int8": {"enabled": True}}})
import en_clin_distilled.int8 as int8
print(json.dumps({
    "pipe_names": nlp.pipe_names,
    "has_attrs": all(Span.has_extension(a) for a in attrs),
    "ents": [[e.text, e.label_, {a: getattr(e._, a) for a in attrs}] for e in doc.ents],
    "clin_distill_importable": importlib.util.find_spec("clin_distill") is not None,
    "int8_quantized": [int8.is_quantized(m) for m in int8.transformer_modules(int8_nlp).values()],
    "int8_ents": [[e.text, e.label_] for e in int8_nlp("Patient denies chest pain and fever .").ents],
}))
"""


def wheelhouse() -> Path:
    path = Path(
        os.environ.get("CLIN_DISTILL_WHEELHOUSE") or Path.home() / ".cache" / "clin_distill" / "wheelhouse"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def pip(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", *map(str, args)], capture_output=True, text=True, timeout=1200
    )


def install_in_fresh_venv(wheel: Path, venv: Path) -> Path:
    """``python -m venv`` (no system site-packages), then ``pip install`` the wheel with its requirements."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    house = wheelhouse()
    offline = (
        "--python",
        python,
        "install",
        "-q",
        "--no-compile",
        "--no-index",
        "--find-links",
        house,
        wheel,
    )
    result = pip(*offline)
    if result.returncode != 0:  # first run, or new requirements: fetch them into the wheelhouse once
        fetched = pip("wheel", "-q", "--wheel-dir", house, wheel)
        assert fetched.returncode == 0, fetched.stderr[-3000:]
        for stale in house.glob(f"{NAME}-*.whl"):
            stale.unlink()
        result = pip(*offline)
    assert result.returncode == 0, result.stderr[-3000:]
    return python


@pytest.fixture(scope="module")
def package(trained_student: TrainedStudent, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("package")
    metrics = root / "metrics"
    nlp = spacy.load(trained_student.best)
    gold = read_docbin(trained_student.dev)
    preds = [set_doc_id(nlp(doc.text), get_doc_id(doc)) for doc in gold]
    predictions = Predictions("anchored", "model", str(trained_student.best), preds)
    system_metrics(predictions, gold, "pool", LABELS).write(metrics / "anchored" / "pool.json")
    AnchoredCorpus(
        docs=16, gold_labels={"abs": ["DISEASE"], "clin": list(LABELS)}, notes=2, counts={"gold spans": 30}
    ).write(metrics / "anchored.json")
    benchmark(fp32_notes_per_s=12.5).write(metrics / "benchmark.json")
    subset_search(("open_vocab", "quickumls")).write(metrics / "combine" / "subsets.json")
    per_label = {
        "MEDICATION": LabelChoice(teachers=["open_vocab"], strategy="union"),
        "DISEASE": LabelChoice(teachers=["open_vocab", "quickumls"], strategy="vote"),
        "SYMPTOM": LabelChoice(teachers=["quickumls"], strategy="union"),
    }
    combine_choice(per_label, ["open_vocab", "quickumls"]).write(metrics / "combine" / "choice.json")
    pool().write(root / "pool.json")
    guard = root / "guard.json"
    srsly.write_json(guard, {"PCP": None, "HTN": "DISEASE"})
    result = run_script(
        "scripts/package.py", trained_student.best, root / "packages", "--name", "clin_distilled",
        "--version", "0.1.0", "--metrics", metrics, "--benchmark", metrics / "benchmark.json",
        "--combine", metrics / "combine" / "subsets.json", "--pool", root / "pool.json",
        "--anchored", metrics / "anchored.json", "--system", "anchored",
        "--abbreviation-guard", guard, "--sentences", metrics / "note_sentences.json",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root / "packages" / f"{NAME}-0.1.0"


def test_meta_describes_the_model(package: Path, trained_student: TrainedStudent) -> None:
    meta = srsly.read_json(package / "meta.json")
    assert meta["name"] == "clin_distilled" and meta["version"] == "0.1.0"
    assert sorted(meta["labels"]["ner"]) == sorted(LABELS)
    assert meta["pipeline"] == PIPELINE
    requirements = meta["requirements"]
    assert "torch==2.13.0" in requirements and "medspacy==1.3.1" in requirements
    assert any(r.startswith("spacy-transformers") for r in requirements)
    assert not any(r.startswith(("clin-distill", "clin_distill")) for r in requirements)
    record = meta["clin_distill"]
    assert record["backbone"]["resolved"] == str(trained_student.backbone.resolve())
    assert record["training_corpus"]["docs"] == 16
    assert record["teacher_combination"]["teachers"] == ["open_vocab", "quickumls"]
    assert record["teacher_combination"]["per_label"]["DISEASE"] == {
        "teachers": ["open_vocab", "quickumls"],
        "strategy": "vote",
    }
    assert record["labels"] == list(LABELS) and record["labels_dropped"] == {}
    assert record["pool"]["notes"] == {"read": 3, "kept": 2, "skipped": {"empty": 1}}
    assert record["pool"]["corpora"]["abs"]["annotated_labels"] == ["DISEASE"]
    scores = record["scores"]
    assert scores["split"] == "test" and scores["source"].endswith("anchored/pool.json")
    assert set(scores["strict"]) == {*LABELS, "micro"}
    assert set(scores["by_corpus"]) == {"abs", "clin"}
    assert set(scores["by_corpus"]["abs"]["strict"]) == {"DISEASE", "micro"}  # abs annotates DISEASE only
    # a compact speed summary that points to the whole benchmark: `spacy info` stays readable
    assert record["speed"] == {
        "notes_per_s": {"fp32": 12.5, "int8": 20.0},
        "threads": {"fp32": 1, "int8": 1},
        "int8_speedup": 1.6,
        "int8_f1_loss_points": pytest.approx(0.3),  # srsly writes meta.json's floats with 17 digits
        "notes": 10,
        "machine": "Test CPU, 2 usable CPUs",
        "source": str(package.parent.parent / "metrics" / "benchmark.json"),
    }
    assert len(json.dumps(record["speed"])) < 400
    sentences = NoteSentences.read(package.parent.parent / "metrics" / "note_sentences.json")
    assert len(sentences.sentences) >= 30 and sentences.model == "en_clin_distilled 0.1.0"
    # what the packaged (gold-anchored) model learned from, in the meta and on the model card
    origin = record["learned_from"]
    assert origin["system"] == "anchored" and origin["human_labels"]
    assert origin["gold"] == {"abs": ["DISEASE"], "clin": list(LABELS)}
    assert origin["teachers"]["MEDICATION"] == {
        "teachers": ["open_vocab"],
        "strategy": "union",
        "on": "the notes and the train docs of abs (gold wins an overlap)",
    }
    assert origin["teachers"]["DISEASE"]["on"] == "the notes only"  # every corpus annotates DISEASE
    assert origin["user_notes"] == 2 and origin["continued_from"] == "the distilled student"
    assert "Human labels from abs (DISEASE); clin (MEDICATION, DISEASE, SYMPTOM)" in meta["description"]
    card = (package / "README.md").read_text()
    assert "Human labels from abs (DISEASE)" in card and "teacher open_vocab" in card
    assert set(record["licences"]["ontologies"]) == {"open_vocab", "quickumls"}
    assert set(record["licences"]["data"]) == {"abs", "clin"}


def test_wheel_ships_runtime_code_and_model_files(package: Path) -> None:
    names = zipfile.ZipFile(built_wheel(package)).namelist()
    assert f"{NAME}/assertion.py" in names and f"{NAME}/int8.py" in names
    assert f"{NAME}/{NAME}-0.1.0/transformer/model" in names  # HF config, tokenizer and weights
    assert list((package / "dist").glob("*.tar.gz"))


def test_installed_package_in_fresh_venv(
    package: Path, trained_student: TrainedStudent, tmp_path: Path
) -> None:
    python = install_in_fresh_venv(built_wheel(package), tmp_path / "venv")
    hidden = trained_student.backbone.with_name("backbone_hidden")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))},
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "bogus_hf_home"),
    }
    trained_student.backbone.rename(hidden)  # the package must not read the training backbone
    try:
        check = subprocess.run(
            [python, "-c", CHECK_IN_VENV], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600
        )
        evaluate = subprocess.run(
            [python, "-m", "spacy", "evaluate", NAME, str(trained_student.dev)],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
        )  # fmt: skip
    finally:
        hidden.rename(trained_student.backbone)
    assert check.returncode == 0, check.stderr[-3000:]
    report = json.loads(check.stdout.strip().splitlines()[-1])
    assert report["pipe_names"] == PIPELINE
    assert report["has_attrs"]
    assert not report["clin_distill_importable"]
    found = {(text, label): flags for text, label, flags in report["ents"]}
    assert ("chest pain", "SYMPTOM") in found, report["ents"]
    assert found["chest pain", "SYMPTOM"]["is_negated"]
    assert report["int8_quantized"] == [True]
    assert ["chest pain", "SYMPTOM"] in report["int8_ents"]
    assert evaluate.returncode == 0, evaluate.stderr[-3000:]
    assert "NER (per type)" in evaluate.stdout
    for label in ("DISEASE", "SYMPTOM", "MEDICATION"):
        assert any(line.strip().startswith(label) for line in evaluate.stdout.splitlines()), evaluate.stdout


def test_package_cli_rejects_a_missing_model(tmp_path: Path) -> None:
    result = invoke("package", tmp_path / "missing", tmp_path / "packages")
    assert result.exit_code != 0
    assert not (tmp_path / "packages").exists()


BESIDE_THE_LIBRARY = r"""
import sys
import spacy

library_first = sys.argv[1] == "library-first"
if library_first:
    import clin_distill.runtime.assertion, clin_distill.runtime.int8, clin_distill.runtime.windows  # noqa
nlp = spacy.load("en_clin_distilled")
import clin_distill.runtime.assertion, clin_distill.runtime.int8, clin_distill.runtime.scoring  # noqa
import clin_distill.runtime.tokenizer, clin_distill.runtime.windows  # noqa
again = spacy.load("en_clin_distilled")
doc = again("Patient denies chest pain and fever .")
print(sorted(m.__name__ for m in map(sys.modules.get, ["en_clin_distilled", "clin_distill"]) if m))
print([(e.text, e.label_, e._.is_negated) for e in doc.ents])
"""


@pytest.mark.parametrize("order", ["library-first", "model-first"])
def test_the_installed_model_loads_beside_clin_distill_in_the_project_folder(
    package: Path, tmp_path: Path, order
):
    """The wheel installed where clin-distill is importable too (this venv, run from the project folder):
    every factory and registered function the package ships loads in either order (no spaCy E004)."""
    target = tmp_path / "site"
    installed = pip("install", "-q", "--no-deps", "--no-compile", "--target", target, built_wheel(package))
    assert installed.returncode == 0, installed.stderr[-2000:]
    env = {**os.environ, "PYTHONPATH": str(target), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-c", BESIDE_THE_LIBRARY, order],
        capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2], timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "E004" not in result.stderr
    assert result.stdout.splitlines()[0] == "['clin_distill', 'en_clin_distilled']"
