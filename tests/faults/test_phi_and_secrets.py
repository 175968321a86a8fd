"""PHI and secrets: the offline workflow (convert, convert_notes, the open-vocabulary teacher,
teach_llm against the local server with a keyed and a keyless teacher, combine, evaluate) on
notes carrying a sentinel string, with API keys set in the environment. The sentinel may only
be in private (0600) data files, never in output, logs, errors or metrics (except the review
export, 0600); the keys are nowhere."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import httpx
import pytest
import srsly

from clin_distill.llm import ALLOW_REMOTE_ENV
from tests.helpers.llm_server import LLMTestServer

from .conftest import (
    GEMINI_KEY,
    KEY,
    LABEL_MAPS,
    REPO,
    SENTINEL,
    error_line,
    files_under,
    holding,
    invoke,
    mode,
)

DATASET = "ncbi_disease"
FILES = {
    "train": "NCBItrainset_corpus.txt",
    "dev": "NCBIdevelopset_corpus.txt",
    "test": "NCBItestset_corpus.txt",
}
ABSTRACTS = [
    "Known hypertension, on metformin; fever since Monday.",
    "Type 2 diabetes mellitus and hypertension; nausea after lisinopril.",
    "No fever. Breast and ovarian cancer in the family; tamoxifen started.",
    "Hypertension controlled. Chest pain FAULTFORMATx99 resolved.",
]
DISEASES = ("hypertension", "Hypertension", "Type 2 diabetes mellitus", "Breast and ovarian cancer")
PATTERNS = [
    {"label": "DISEASE", "pattern": "hypertension", "id": "D1"},
    {"label": "DISEASE", "pattern": "type 2 diabetes mellitus", "id": "D2"},
    {"label": "MEDICATION", "pattern": "metformin", "id": "M1"},
    {"label": "SYMPTOM", "pattern": "fever", "id": "S1"},
]
TEACHERS = ("open_vocab", "local", "gpt-4o", "gemini-flash")


def pubtator(pmid: int, abstract: str) -> str:
    title = f"Patient {SENTINEL} seen."
    text = f"{title} {abstract}"
    lines = [f"{pmid}|t|{title}", f"{pmid}|a|{abstract}"]
    for name in DISEASES:
        for m in re.finditer(re.escape(name), text):
            lines.append(f"{pmid}\t{m.start()}\t{m.end()}\t{name}\tSpecificDisease\tD0")
    return "\n".join(lines) + "\n\n"


def write_assets(root: Path) -> Path:
    folder = root / "assets" / DATASET
    folder.mkdir(parents=True)
    for k, name in enumerate(FILES.values()):
        docs = [pubtator(1000 * k + i, abstract) for i, abstract in enumerate(ABSTRACTS)]
        (folder / name).write_text("".join(docs))
    return root / "assets"


def open_vocab_config(root: Path) -> Path:
    patterns = root / "patterns.jsonl"
    srsly.write_jsonl(patterns, PATTERNS)
    text = (REPO / "configs" / "teachers" / "open_vocab.cfg").read_text()
    text = text.replace('patterns = "training/patterns/open_vocab.jsonl"', f'patterns = "{patterns}"')
    cfg = root / "open_vocab.cfg"
    cfg.write_text(text)
    return cfg


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    """Run the steps in-process, keys in the environment; collect every output and log record."""
    root = tmp_path_factory.mktemp("phi")
    mp = pytest.MonkeyPatch()
    mp.setenv("OPENAI_API_KEY", KEY)
    mp.setenv("GEMINI_API_KEY", GEMINI_KEY)
    mp.delenv(ALLOW_REMOTE_ENV, raising=False)
    mp.chdir(root)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append
    logging.getLogger().addHandler(handler)
    old_level = logging.getLogger().level
    logging.getLogger().setLevel(logging.DEBUG)
    outputs = {}
    try:
        assets = write_assets(root)
        corpus = root / "corpus"
        outputs["convert"] = invoke(
            "convert", assets, corpus, "--datasets", DATASET, "--label-maps", LABEL_MAPS
        )
        notes = root / "notes.jsonl"
        notes.write_text(
            "".join(
                json.dumps({"id": f"n{i}", "text": f"{SENTINEL} {a}"}) + "\n" for i, a in enumerate(ABSTRACTS)
            )
        )
        outputs["convert_notes"] = invoke("convert_notes", notes, corpus / "notes.spacy")
        gold = corpus / DATASET
        teachers_dir = corpus / "teachers"
        outputs["teach"] = invoke(
            "teach",
            open_vocab_config(root),
            gold,
            teachers_dir / "open_vocab" / DATASET,
            "--name",
            "open_vocab",
            "--metrics",
            root / "metrics" / "teachers" / "open_vocab.json",
            "--teachers-dir",
            root / "training" / "teachers",
        )
        with LLMTestServer() as server:
            outputs["teach_llm"] = invoke(
                "teach_llm",
                REPO / "configs" / "teachers",
                gold,
                teachers_dir,
                "--dataset",
                DATASET,
                "--teachers",
                "local,gpt-4o,gemini-flash",
                "--cache",
                root / "cache" / "llm",
                "--metrics",
                root / "metrics" / "teachers",
                "--allow-remote",
                "false",
                "--base-url",
                server.url,
                "--local-model",
                "test-model",
            )
            stats = server.stats()
        outputs["combine"] = invoke(
            "combine",
            teachers_dir,
            gold,
            corpus / "distilled",
            root / "metrics" / "combine",
            "--dataset",
            DATASET,
            "--teachers",
            ",".join(TEACHERS),
            "--disagreements",
            5,
        )
        outputs["evaluate"] = invoke(
            "evaluate",
            gold / "test.spacy",
            root / "metrics",
            "--corpus",
            DATASET,
            "--teachers-dir",
            teachers_dir,
            "--teachers",
            ",".join(TEACHERS),
            "--n-resamples",
            20,
        )
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(old_level)
        mp.undo()
    return root, outputs, records, stats


def test_every_step_ran(workflow):
    _, outputs, _, stats = workflow
    for step, result in outputs.items():
        assert result.exit_code == 0, f"{step}: {result.output[-2000:]!r} {result.exception!r}"
    # every split repeats the same 4 notes: one request per distinct prompt and teacher, the rest cached
    assert stats["paths"] == {
        "/v1/chat/completions": 2 * len(ABSTRACTS),
        "/v1/models/gemini-1.5-flash-002:generateContent": len(ABSTRACTS),
    }
    # the keys were really in use: gpt-4o and gemini sent one with every request, local none
    assert stats["keyed"] == {
        "/v1/chat/completions": len(ABSTRACTS),
        "/v1/models/gemini-1.5-flash-002:generateContent": len(ABSTRACTS),
    }


def test_sentinel_and_keys_absent_from_output_logs_and_errors(workflow):
    _, outputs, records, _ = workflow
    texts = [r.output for r in outputs.values()]
    texts += [repr(r.exception) for r in outputs.values() if r.exception]
    texts += [r.getMessage() for r in records]
    for text in texts:
        assert SENTINEL not in text and KEY not in text and GEMINI_KEY not in text


def test_sentinel_only_in_private_data_files(workflow):
    root = workflow[0]
    inputs = {root / "notes.jsonl", *(root / "assets").rglob("*")}
    written = [p for p in files_under(root) if p not in inputs]
    for path in holding(written, KEY) + holding(written, GEMINI_KEY):
        pytest.fail(f"API key written to {path.relative_to(root)}")
    leaked = holding(written, SENTINEL)
    allowed = {root / "metrics" / "combine" / "disagreements.jsonl"}
    allowed |= set((root / "cache").rglob("replies.jsonl"))
    assert {p for p in leaked if p.suffix != ".spacy"} <= allowed, [str(p.relative_to(root)) for p in leaked]
    assert root / "metrics" / "combine" / "disagreements.jsonl" in leaked  # the export does hold note text
    assert not [p for p in leaked if "metrics" in p.relative_to(root).parts and p not in allowed]
    # data files holding notes or replies are private
    private = [p for p in written if p.suffix == ".spacy"] + sorted(allowed)
    assert {str(p.relative_to(root)): mode(p) for p in private if p.exists()} == {
        str(p.relative_to(root)): 0o600 for p in private if p.exists()
    }
    assert (root / "metrics" / "combine" / "disagreements.jsonl").exists()
    assert all(mode(d) == 0o700 for d in (root / "cache" / "llm").iterdir())


def test_notes_never_go_to_a_remote_endpoint_without_opt_in(tmp_path, monkeypatch):
    sent = []
    monkeypatch.setattr(httpx.Client, "send", lambda self, *a, **k: sent.append(a))
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    corpus = tmp_path / "corpus"
    assets = write_assets(tmp_path)
    assert invoke("convert", assets, corpus, "--datasets", DATASET, "--label-maps", LABEL_MAPS).exit_code == 0
    for extra in (
        ["--teachers", "gpt-4o"],
        ["--teachers", "local", "--local-base-url", "http://10.1.2.3:8000/v1"],
    ):
        result = invoke(
            "teach_llm",
            REPO / "configs" / "teachers",
            corpus / DATASET,
            tmp_path / "labels",
            "--dataset",
            DATASET,
            "--cache",
            tmp_path / "cache",
            "--metrics",
            tmp_path / "metrics",
            *extra,
        )
        line = error_line(result)
        assert "refusing to send clinical notes" in line and "--allow-remote true" in line
        assert KEY not in result.output and SENTINEL not in result.output
    assert sent == []
    assert not (tmp_path / "labels").exists() and not (tmp_path / "cache").exists()


def test_project_yml_never_interpolates_the_environment():
    """weasel stores each substituted script in project.lock: a ${env.*} there would write secrets."""
    project = srsly.read_yaml(REPO / "project.yml")
    scripts = [line for cmd in project["commands"] for line in cmd.get("script", [])]
    assert scripts and not [s for s in scripts if "${env." in s]
