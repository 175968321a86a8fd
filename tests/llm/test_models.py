"""The models against the local server: exact spans, retries, Retry-After, ledger, failures."""

from __future__ import annotations

import pytest
import spacy
from spacy.util import registry

from clin_distill.docio import failure_of, set_doc_id
from clin_distill.llm import FAILURE_PREFIX, failure_reason
from clin_distill.llm.labeling import GROUNDING, label_docs
from clin_distill.llm.teacher import load_teacher
from tests.helpers.llm_server import LLMTestServer

from .conftest import FAST, write_teacher_configs

NOTE = "Patient has hypertension and chest pain, takes metformin."


def spans_of(doc):
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def expected(note: str, *pairs):
    return [(note.index(t), note.index(t) + len(t), label) for t, label in pairs]


def make_docs(*texts):
    nlp = spacy.blank("en")
    return [set_doc_id(nlp(t), f"doc-{i}") for i, t in enumerate(texts)]


def openai_model(url: str, **kw):
    make = registry.llm_models.get("clin_distill.OpenAICompatible.v1")
    return make(base_url=url, name="local", api_key_env="", **{**FAST, **kw})


@pytest.fixture()
def teacher(tmp_path, server):
    cfg_dir = write_teacher_configs(tmp_path / "cfg")
    t = load_teacher(cfg_dir / "local.cfg", allow_remote=False, base_url=server.url)
    yield t
    t.close()


def test_exact_spans_openai(teacher, server):
    (doc,) = label_docs(teacher, make_docs(NOTE))
    assert failure_of(doc) is None
    assert spans_of(doc) == expected(
        NOTE, ("hypertension", "DISEASE"), ("chest pain", "SYMPTOM"), ("metformin", "MEDICATION")
    )
    assert server.stats()["paths"] == {"/v1/chat/completions": 1}


def test_exact_spans_gemini(tmp_path, server):
    make = registry.llm_models.get("clin_distill.Gemini.v1")
    cfg_dir = write_teacher_configs(tmp_path / "cfg")
    teacher = load_teacher(cfg_dir / "local.cfg", allow_remote=False, base_url=server.url)
    teacher.model = make(base_url=server.gemini_url, name="gemini-test", api_key_env="", **FAST)
    (doc,) = label_docs(teacher, make_docs(NOTE))
    assert spans_of(doc) == expected(
        NOTE, ("hypertension", "DISEASE"), ("chest pain", "SYMPTOM"), ("metformin", "MEDICATION")
    )
    assert server.stats()["paths"] == {"/v1beta/models/gemini-test:generateContent": 1}
    assert teacher.model.ledger.usage.prompt_tokens == server.stats()["tokens"]["prompt"]


@pytest.mark.parametrize("fault", ["429", "500", "TRUNC", "ENVELOPE", "SLOW"])
def test_transient_faults_are_retried(teacher, server, fault):
    note = f"Chest pain today FAULT{fault}x2."
    (doc,) = label_docs(teacher, make_docs(note))
    assert failure_of(doc) is None
    assert spans_of(doc) == expected(note, ("Chest pain", "SYMPTOM"))
    ledger = teacher.model.ledger
    assert (ledger.requests, ledger.retries, ledger.failures) == (3, 2, 0)
    assert sum(server.stats()["tries"].values()) == 3


def test_retry_after_is_honoured(teacher, server):
    (doc,) = label_docs(teacher, make_docs("Fever FAULT429RAx1."))
    assert spans_of(doc) == [(0, 5, "SYMPTOM")]
    (first, second) = next(iter(server.stats()["tried_at"].values()))
    assert second - first >= 1.0  # the server said Retry-After: 1; the client's max_backoff is 0.05 s


def test_blank_notes_are_labelled_empty_without_a_request(teacher, server):
    docs = label_docs(teacher, make_docs("", "  \n ", "Fever."))
    assert [spans_of(d) for d in docs] == [[], [], [(0, 5, "SYMPTOM")]]
    assert all(failure_of(d) is None for d in docs)
    assert server.stats()["requests"] == 1


def test_persistent_failure_marks_doc_failed(teacher, server):
    docs = label_docs(teacher, make_docs("Fever FAULT500x9.", "Nausea FAULTFORMATx9.", NOTE))
    failed, wrong_format, ok = docs
    assert failure_of(failed) == "chunk 1/1: HTTP 500 after 3 tries"
    assert failure_of(wrong_format) == "chunk 1/1: reply not in the task format"
    assert not failed.ents and not wrong_format.ents
    assert failure_of(ok) is None and len(ok.ents) == 3
    assert teacher.model.ledger.failures == 1  # the format failure is a task failure, not an API one


def test_absent_mentions_are_dropped_and_counted(teacher, server):
    note = "Nausea and fever FAULTABSENT."
    (doc,) = label_docs(teacher, make_docs(note))
    assert spans_of(doc) == expected(note, ("Nausea", "SYMPTOM"), ("fever", "SYMPTOM"))
    assert doc.user_data[GROUNDING] == {"unfound": 1, "ambiguous": 0, "unknown_label": 0}


def test_ledger_matches_server_tokens_and_prices(server):
    with LLMTestServer(reasoning_tokens=5) as srv:
        model = openai_model(srv.url, input_price_per_1m=2.0, output_price_per_1m=8.0)
        replies = model([["Paragraph: fever\nAnswer:"], ["Paragraph: nausea FAULT429x1\nAnswer:"]])
        stats = srv.stats()["tokens"]
        u = model.ledger.usage
        assert (u.prompt_tokens, u.completion_tokens, u.reasoning_tokens) == (
            stats["prompt"],
            stats["completion"],
            stats["reasoning"],
        )
        assert u.reasoning_tokens == 10
        assert model.ledger.cost_usd == pytest.approx(
            (u.prompt_tokens * 2.0 + u.completion_tokens * 8.0) / 1e6
        )
        assert (model.ledger.requests, model.ledger.retries) == (3, 1)
        assert all(failure_reason(r[0]) is None for r in replies)
        model.close()


def test_failure_marker_and_no_temperature_for_o1_style(server):
    model = openai_model(server.url, temperature=None, extra_body={"max_completion_tokens": 99})
    _, payload, headers = model._request("hi")
    assert "temperature" not in payload and payload["max_completion_tokens"] == 99
    assert "Authorization" not in headers
    (reply,) = model([["Paragraph: x FAULT500x9\nAnswer:"]])[0]
    assert reply.startswith(FAILURE_PREFIX) and failure_reason(reply) == "HTTP 500 after 3 tries"
    model.close()


@pytest.mark.parametrize("max_concurrency", [8, 3])
def test_requests_run_concurrently_up_to_the_limit(max_concurrency):
    """The server holds the first requests until max_concurrency are in flight (a sequential client
    would get there never, and time out after 10 s with one in flight)."""
    with LLMTestServer(gather=max_concurrency) as srv:
        model = openai_model(srv.url, max_concurrency=max_concurrency)
        replies = model([[f"Paragraph: fever {i}\nAnswer:"] for i in range(8)])
        model.close()
        assert all(failure_reason(r[0]) is None for r in replies)
        assert srv.stats()["max_in_flight"] == max_concurrency


def test_spacy_llm_component_uses_registered_model(server, tmp_path):
    """The config is a real spaCy pipeline: spacy-llm's own component runs our model."""
    from clin_distill.llm.teacher import teacher_config

    config = teacher_config(write_teacher_configs(tmp_path / "cfg") / "local.cfg", base_url=server.url)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    doc = nlp(NOTE)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("hypertension", "DISEASE"),
        ("chest pain", "SYMPTOM"),
        ("metformin", "MEDICATION"),
    ]
