"""End-to-end smoke: the real `weasel run all` on a tiny real subset of the mirrored corpora
pooled with a small folder of the user's notes, with the offline ontology teachers, the `local`
LLM teacher against a local OpenAI-protocol server, a tiny BERT student trained for a few steps,
evaluation, benchmark, package and report."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import srsly
from weasel.util import load_project_config

from clin_distill.docio import corpus_of, get_doc_id, read_docbin
from clin_distill.local_llm.server import free_port, serving
from tests.project.test_deps import covered

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    command = [sys.executable, "-m", "tests.helpers.llm_server", "--port", str(port), "--mode", "vocab"]
    with serving(command, url, tmp_path_factory.mktemp("llm_server") / "log", startup_timeout=60, cwd=REPO):
        yield url


@pytest.fixture(scope="module")
def project(tmp_path_factory, asset_mirror, tiny_bert, llm_server):
    root = tmp_path_factory.mktemp("project")
    shutil.copy(REPO / "project.yml", root / "project.yml")
    for folder in ("configs", "scripts", "clin_distill", "assets/notes"):
        shutil.copytree(REPO / folder, root / folder)
    notes = root / "my_notes"
    notes.mkdir()
    for i, text in enumerate(NOTES):
        (notes / f"note-{i}.txt").write_text(text, encoding="utf8")
    overrides = {
        "vars.max_docs": "12",
        "vars.notes": str(notes),
        "vars.backbone": str(tiny_bert),
        "vars.max_steps": "4",
        "vars.eval_frequency": "2",
        "vars.self_max_steps": "4",
        "vars.anchored_max_steps": "4",
        "vars.human_max_steps": "4",
        "vars.human_eval_frequency": "2",
        "vars.llm_teachers": "local",
        "vars.local_url": llm_server,
        "vars.bench_max_docs": "6",
        "vars.bench_quick": "true",
    }
    env = {**os.environ, "CLIN_DISTILL_ASSET_MIRROR": str(asset_mirror), "HF_HUB_OFFLINE": "1"}
    return root, overrides, env


def weasel_run(root: Path, overrides: dict[str, str], env: dict[str, str], what: str = "all") -> str:
    args = [f"--{k}={v}" for k, v in overrides.items()]
    result = subprocess.run(
        [sys.executable, "-m", "weasel", "run", what, str(root), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-6000:]
    return out


def skipped(output: str) -> set[str]:
    return set(re.findall(r"Skipping '([\w-]+)': nothing changed", output))


def executed(output: str, commands: set[str]) -> set[str]:
    """Commands weasel ran: it prints a '==== name ====' divider for every command of the workflow
    (steps print dividers of their own too), then either runs it or says it skips it."""
    return (set(re.findall(r"=+ ([\w-]+) =+", output)) & commands) - skipped(output)


NOTES = [
    "Pt c/o SOB and chest pain x2 days. Started metformin 500 mg PO BID for type 2 diabetes.",
    "Denies fever or nausea. History of hypertension on lisinopril 10 mg daily.",
    "Headache and dizziness after starting amlodipine; no vomiting. Asthma well controlled.",
]


def test_all_workflow_end_to_end(project):
    root, overrides, env = project
    first = weasel_run(root, overrides, env)
    config = load_project_config(root)  # the overrides change no output path
    workflow = config["workflows"]["all"]
    commands = {c["name"]: c for c in config["commands"]}
    assert executed(first, set(commands)) == set(workflow)

    missing = [
        out
        for name in workflow
        for out in commands[name].get("outputs", []) + commands[name].get("outputs_no_cache", [])
        if not (root / out).exists()
    ]
    assert not missing, f"declared outputs not written: {missing}"

    # The pool holds every corpus and the notes; the distilled corpus carries all three labels
    pool = srsly.read_json(root / "corpus" / "pool" / "pool.json")
    assert set(pool["corpora"]) == {"ncbi_disease", "bc5cdr", "maccrobat"} and pool["notes"]["kept"] == 3
    assert pool["annotated_labels"]["ncbi_disease"] == ["DISEASE"]
    distilled = read_docbin(root / "corpus" / "distilled" / "train.spacy")
    assert {"note-0", "note-1", "note-2"} <= {get_doc_id(d) for d in distilled}
    assert {corpus_of(d) for d in distilled} == {"ncbi_disease", "bc5cdr", "maccrobat", "notes"}
    assert all(
        list(d.user_data["annotated_labels"]) == ["MEDICATION", "DISEASE", "SYMPTOM"] for d in distilled
    )
    evaluation = srsly.read_json(root / "metrics" / "distilled" / "pool.json")
    assert evaluation["by_corpus"]["ncbi_disease"]["labels"] == ["DISEASE"]
    assert evaluation["by_corpus"]["maccrobat"]["labels"] == ["MEDICATION", "DISEASE", "SYMPTOM"]
    assert "maccrobat SYMPTOM" in (root / "reports" / "report.md").read_text()

    package_dir = next((root / "packages").glob("en_clin_distilled-*"))
    assert list((package_dir / "dist").glob("*.whl")) and list((package_dir / "dist").glob("*.tar.gz"))
    model_dir = next(p for p in package_dir.glob("en_clin_distilled/en_clin_distilled-*") if p.is_dir())
    check = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); "
        "doc = nlp('Patient denies chest pain and takes metformin for diabetes.'); "
        "print('PIPES', nlp.pipe_names); print('LABELS', sorted(nlp.get_pipe('ner').labels))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check, str(model_dir)], env=env, capture_output=True, text=True, timeout=300
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert "ner" in loaded.stdout
    assert "LABELS ['DISEASE', 'MEDICATION', 'SYMPTOM']" in loaded.stdout
    meta = srsly.read_json(model_dir / "meta.json")["clin_distill"]
    assert meta["labels"] == ["MEDICATION", "DISEASE", "SYMPTOM"] and meta["pool"]["notes"]["kept"] == 3
    assert set(meta["scores"]["by_corpus"]) == {"ncbi_disease", "bc5cdr", "maccrobat"}

    # A second run skips every step: nothing changed.
    second = weasel_run(root, overrides, env)
    assert skipped(second) == set(workflow), second[-3000:]
    assert not executed(second, set(commands))

    # Editing one teacher config reruns only the steps that read it: that teacher, and the candidates
    # step's fuzzy source. Their labels are unchanged, so no training step reruns; the report does,
    # because the teacher's metrics hold its newly measured speed.
    cfg = root / "configs" / "teachers" / "quickumls.cfg"
    cfg.write_text(cfg.read_text() + "\n# edited by the smoke test\n")
    third = weasel_run(root, overrides, env)
    assert executed(third, set(commands)) == {"teach-quickumls", "candidates", "report"}, third[-3000:]

    # Editing a library module reruns exactly the steps that run it: combine, and the report, which
    # imports the subset search (their outputs are unchanged, so nothing downstream reruns).
    module = root / "clin_distill" / "combine" / "strategies.py"
    module.write_text(module.read_text() + "\n# edited by the smoke test\n")
    fourth = weasel_run(root, overrides, env)
    using = {
        name for name in workflow if covered("clin_distill/combine/strategies.py", commands[name]["deps"])
    }
    assert using == {"combine", "report"}
    assert executed(fourth, set(commands)) == using, fourth[-3000:]


def test_local_llm_workflow_with_a_stand_in_server(project):
    """`weasel run local-llm` after `all`: the server command is the OpenAI-protocol stand-in
    (CI does not build llama.cpp); every step runs and the report gains the local-LLM section."""
    root, overrides, env = project
    overrides = {**overrides, "vars.local_llm_max_docs": "3", "vars.local_llm_bench_docs": "2"}
    server = f"{sys.executable} -m tests.helpers.llm_server --port {{port}} --mode vocab"
    env = {**env, "CLIN_DISTILL_LOCAL_LLM_SERVER": server, "PYTHONPATH": str(REPO)}
    out = weasel_run(root, overrides, env, "local-llm")
    config = load_project_config(root)
    workflow = config["workflows"]["local-llm"]
    commands = {c["name"]: c for c in config["commands"]}
    assert executed(out, set(commands)) == set(workflow), out[-3000:]
    missing = [o for name in workflow for o in commands[name].get("outputs", []) if not (root / o).exists()]
    assert not missing, f"declared outputs not written: {missing}"
    subsets = (root / "metrics" / "combine_local_llm" / "subsets.md").read_text()
    assert "local-llm" in subsets
    report = (root / "reports" / "report.md").read_text()
    section = report[report.index("Local LLM teacher (SmolLM2-135M, offline)") :]
    assert "test docs local-llm labelled" in section and "faster than the local LLM" in section
    assert "Does the local LLM help the combination?" in section and "says nothing about GPT-4o" in section
