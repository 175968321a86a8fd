"""Fixtures for the LLM teacher tests: the local server, fast teacher configs, a tiny gold corpus."""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
import spacy
from spacy.util import filter_spans

from clin_distill.docio import set_doc_id, write_docbin
from clin_distill.llm.run import run_teachers
from tests.helpers.llm_server import DEFAULT_VOCAB, LLMTestServer, load_vocab

REPO = Path(__file__).resolve().parents[2]
SENTINEL = "ZEBRAQ-SENTINEL-4711"
NOTES = {
    "train": [
        f"Patient {SENTINEL} with hypertension reports chest pain. Takes metformin daily.",
        f"{SENTINEL} denies fever. Started lisinopril for hypertension.",
        "Follow-up visit. Nausea resolved after stopping tamoxifen.",
    ],
    "dev": [
        f"History of type 2 diabetes mellitus on metformin; {SENTINEL} has productive cough.",
        "Headache and nausea since yesterday. No fever.",
    ],
    "test": [
        "Community-acquired pneumonia treated with azithromycin. Shortness of breath improved.",
        f"{SENTINEL} reports chest pain and nausea; history of hypertension.",
    ],
}

FAST = {"max_concurrency": 4, "timeout": 1.5, "max_tries": 3, "backoff": 0.01, "max_backoff": 0.05}


def gold_doc(nlp, text: str, doc_id: str, vocab: dict[str, str]):
    """A gold doc whose ents are the vocabulary terms in it (what the vocab server answers)."""
    doc = set_doc_id(nlp(text), doc_id)
    spans = []
    for term, label in vocab.items():
        for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE):
            span = doc.char_span(m.start(), m.end(), label=label)
            if span is not None:
                spans.append(span)
    doc.ents = filter_spans(spans)
    return doc


def write_corpus(path: Path, notes: dict[str, list[str]]) -> Path:
    nlp = spacy.blank("en")
    vocab = load_vocab(DEFAULT_VOCAB)
    for split, texts in notes.items():
        docs = [gold_doc(nlp, t, f"{split}-{i}", vocab) for i, t in enumerate(texts)]
        write_docbin(path / f"{split}.spacy", docs)
    return path


LOCAL_MODEL = "test-model"  # what --local-model would set; the test server answers any name


def write_teacher_configs(dest: Path, **model_settings) -> Path:
    """Copy configs/teachers (cfgs + few-shot examples) and the price table beside it, name the
    local teacher's model and make it fast to fail."""
    shutil.copytree(REPO / "configs" / "teachers", dest)
    shutil.copy(REPO / "configs" / "prices.cfg", dest.parent / "prices.cfg")
    cfg = dest / "local.cfg"
    text = cfg.read_text().replace('name = ""', f'name = "{LOCAL_MODEL}"')
    for key, value in {**FAST, **model_settings}.items():
        line = f"{key} = {value}"
        text, n = re.subn(rf"^{key} = .*$", line, text, flags=re.MULTILINE)
        if not n:
            text = text.replace("[components.llm.model]\n", f"[components.llm.model]\n{line}\n")
    cfg.write_text(text)
    return dest


def teach(
    teacher_dir: Path, corpus: Path, root: Path, url: str, teachers: Sequence[str] = ("local",), **options
) -> dict:
    """run_teachers on dataset "toy" with outputs under ``root``, every teacher against ``url``."""
    return run_teachers(
        teacher_dir,
        corpus,
        root / "labels",
        dataset="toy",
        teachers=teachers,
        cache_dir=root / "cache",
        metrics_dir=root / "metrics",
        allow_remote=False,
        base_url=url,
        **options,
    )


@pytest.fixture()
def server():
    with LLMTestServer() as srv:
        yield srv


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus" / "toy", NOTES)


@pytest.fixture()
def teacher_dir(tmp_path: Path) -> Path:
    return write_teacher_configs(tmp_path / "teachers")
