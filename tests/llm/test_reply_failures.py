"""Replies that must fail their doc, with an accurate reason, never read as "no entities": filtered,
blocked, refused, empty, too large, too slow. Every token they were billed is in the ledger."""

from __future__ import annotations

import pytest
import spacy
from spacy.util import registry

from clin_distill.docio import failure_of, read_docbin, set_doc_id
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.teacher import load_teacher
from clin_distill.llm.transport import AuthError
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.llm_usage import LLMUsage
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from tests.helpers.canned_server import Canned, CannedServer, chat_reply, gemini_reply

from .conftest import FAST, teach, write_corpus, write_teacher_configs

NOTE = "Started aspirin for gout."
ENTITIES = "1. aspirin | True | MEDICATION | a drug\n2. gout | True | DISEASE | a disease"
TRIES = FAST["max_tries"]


def label_with(tmp_path, script: list[Canned], gemini: bool = False, **settings):
    """(doc, ledger, the server) of one note against a scripted server (``server.requests``: what
    it got; ``server.hung_up``: replies the client stopped reading before their end)."""
    with CannedServer(script) as server:
        cfg = write_teacher_configs(tmp_path / "cfg", **{"backoff": 0.001, **settings}) / "local.cfg"
        teacher = load_teacher(cfg, allow_remote=False, base_url=server.url)
        if gemini:
            make = registry.llm_models.get("clin_distill.Gemini.v1")
            teacher.model.close()
            teacher.model = make(base_url=server.url, name="g", api_key_env="", **{**FAST, "backoff": 0.001})
        try:
            (doc,) = label_docs(teacher, [set_doc_id(spacy.blank("en")(NOTE), "d")])
        finally:
            teacher.close()
        return doc, teacher.model.ledger, server


def tokens(ledger) -> tuple[int, int]:
    return ledger.usage.prompt_tokens, ledger.usage.completion_tokens


OPENAI_CASES = {
    "filtered, empty": (
        chat_reply("", finish="content_filter"),
        "reply filtered by the provider (content_filter)",
        1,
    ),
    "filtered, partial": (
        chat_reply(ENTITIES, finish="content_filter"),
        "reply filtered by the provider (content_filter)",
        1,
    ),
    "refused": (chat_reply(None, refusal="I cannot help with that."), "the model refused (refusal)", 1),
    "cut at the limit": (chat_reply(ENTITIES, finish="length"), "reply cut at the token limit", 1),
    "empty text": (chat_reply(""), f"empty reply after {TRIES} tries", TRIES),
    "null text": (chat_reply(None), f"empty reply after {TRIES} tries", TRIES),
    "blank text": (chat_reply("  \n "), f"empty reply after {TRIES} tries", TRIES),
}
GEMINI_CASES = {
    "prompt blocked": (
        gemini_reply(None, promptFeedback={"blockReason": "SAFETY"}),
        "prompt blocked (SAFETY)",
        1,
    ),
    "prompt blocked, no candidates": (
        gemini_reply([], promptFeedback={"blockReason": "OTHER"}),
        "prompt blocked (OTHER)",
        1,
    ),
    "reply blocked": (
        gemini_reply([{"finishReason": "SAFETY", "safetyRatings": [{"blocked": True}]}]),
        "reply blocked (SAFETY)",
        1,
    ),
    "reply blocked, partial": (
        gemini_reply([{"content": {"parts": [{"text": ENTITIES}]}, "finishReason": "RECITATION"}]),
        "reply blocked (RECITATION)",
        1,
    ),
    "prohibited": (
        gemini_reply([{"finishReason": "PROHIBITED_CONTENT"}]),
        "reply blocked (PROHIBITED_CONTENT)",
        1,
    ),
    "stopped": (gemini_reply([{"finishReason": "OTHER"}]), "reply stopped (OTHER)", 1),
    "no parts": (
        gemini_reply([{"content": {"role": "model"}, "finishReason": "STOP"}]),
        f"empty reply after {TRIES} tries",
        TRIES,
    ),
    "no candidates": (gemini_reply([]), f"reply without candidates after {TRIES} tries", TRIES),
}


def test_an_error_reply_names_its_code_never_its_message(tmp_path):
    """Azure's prompt filter: HTTP 400 with an error code (and a message that may quote the note)."""
    error = {"error": {"code": "content_filter", "message": f"Filtered: {NOTE}", "status": 400}}
    doc, ledger, server = label_with(tmp_path, [Canned(400, body=error)])
    assert failure_of(doc) == "chunk 1/1: HTTP 400 (content_filter)"
    assert len(server.requests) == 1 and ledger.failures == 1
    gemini = {"error": {"code": 400, "message": NOTE, "status": "INVALID_ARGUMENT"}}
    doc, _, _ = label_with(tmp_path / "g", [Canned(400, body=gemini)], gemini=True)
    assert failure_of(doc) == "chunk 1/1: HTTP 400 (INVALID_ARGUMENT)"


@pytest.mark.parametrize("case", OPENAI_CASES)
def test_openai_replies_that_fail_the_doc(tmp_path, case):
    body, reason, tries = OPENAI_CASES[case]
    doc, ledger, server = label_with(tmp_path, [Canned(body=body)])
    assert failure_of(doc) == f"chunk 1/1: {reason}" and not doc.ents
    assert len(server.requests) == tries
    assert tokens(ledger) == (10 * tries, 3 * tries)  # every billed try is in the ledger
    assert (ledger.requests, ledger.failures) == (tries, 1)


@pytest.mark.parametrize("case", GEMINI_CASES)
def test_gemini_replies_that_fail_the_doc(tmp_path, case):
    body, reason, tries = GEMINI_CASES[case]
    doc, ledger, server = label_with(tmp_path, [Canned(body=body)], gemini=True)
    assert failure_of(doc) == f"chunk 1/1: {reason}" and not doc.ents
    assert len(server.requests) == tries  # a blocked prompt is not sent again
    assert tokens(ledger) == (10 * tries, 3 * tries)


def test_a_retried_empty_reply_that_recovers_counts_every_try(tmp_path):
    script = [Canned(body=chat_reply(None, usage=(7, 2)))] * 2 + [Canned(body=chat_reply(ENTITIES))]
    doc, ledger, server = label_with(tmp_path, script)
    assert failure_of(doc) is None and [e.text for e in doc.ents] == ["aspirin", "gout"]
    assert len(server.requests) == 3 and tokens(ledger) == (7 + 7 + 10, 2 + 2 + 3)


def test_filtered_docs_are_listed_in_failures_json_never_written_empty(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", {"dev": ["Fever.", "Cough and aspirin."]})
    with CannedServer([Canned(body=chat_reply("", finish="content_filter"))]) as server:
        teach(write_teacher_configs(tmp_path / "cfg"), corpus, tmp_path, server.url, splits=["dev"])
    out = tmp_path / "labels" / "local" / "toy"
    assert Failures.read(out / "failures.json").failed == {"dev": ["dev-0", "dev-1"]}
    assert read_docbin(out / "dev.spacy") == []
    metrics = TeacherMetrics.read(tmp_path / "metrics" / "local.json").to_json()
    assert metrics["failures_by_reason"] == {"reply filtered by the provider (content_filter)": 2}
    usage = LLMUsage.read(tmp_path / "metrics" / "local.usage.json").to_json()
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["failures"]) == (20, 6, 2)


def test_a_run_stopped_by_an_error_is_reported_by_the_next_run(tmp_path):
    """A run that dies on a bad key after a paid reply: its usage was never saved, so the next
    run's ledger shows what it was billed for."""
    corpus = write_corpus(tmp_path / "corpus", {"dev": ["Fever.", "Cough and aspirin."]})
    cfg = write_teacher_configs(tmp_path / "cfg", max_concurrency=1)
    with CannedServer([Canned(body=chat_reply(ENTITIES, usage=(11, 4))), Canned(401)]) as server:
        with pytest.raises(AuthError, match="HTTP 401 from 127.0.0.1"):
            teach(cfg, corpus, tmp_path, server.url, splits=["dev"])
    assert not (tmp_path / "metrics" / "local.usage.json").exists()
    with CannedServer([Canned(body=chat_reply(ENTITIES, usage=(10, 3)))]) as server:
        teach(cfg, corpus, tmp_path, server.url, splits=["dev"])
    usage = LLMUsage.read(tmp_path / "metrics" / "local.usage.json").to_json()
    billed = {"prompt_tokens": 11, "completion_tokens": 4, "reasoning_tokens": 0, "cost_usd": 0.0}
    assert usage["interrupted"] == {
        "runs": 1,
        "billed": billed,
        "in_flight": 0,
        "resent": 0,
        "resent_usage": {**billed, "prompt_tokens": 0, "completion_tokens": 0},
    }
    assert usage["cache_hits"] == 1 and usage["requests"] == 1  # the paid reply came from the cache


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "until-close"])
def test_a_huge_reply_fails_at_the_cap_quickly(tmp_path, declared):
    huge = chat_reply("1. aspirin | True | MEDICATION | x\n" * 600_000)  # ~20 MB
    doc, ledger, server = label_with(tmp_path, [Canned(body=huge, content_length=declared)])
    assert failure_of(doc) == "chunk 1/1: reply over 1048576 bytes"
    assert len(server.requests) == 1 and ledger.failures == 1
    # the client stopped reading at the cap (issue 18: it read all 20 MB), so the server's write failed
    assert server.client_hung_up.wait(10) and server.hung_up == 1


def test_the_reply_cap_is_a_teacher_setting(tmp_path):
    small = Canned(body=chat_reply(ENTITIES))
    assert 200 < len(small.raw()[1]) < 400
    doc, _, _ = label_with(tmp_path / "a", [small], max_reply_bytes=200)
    assert failure_of(doc) == "chunk 1/1: reply over 200 bytes"
    doc, _, _ = label_with(tmp_path / "b", [small], max_reply_bytes=400)
    assert failure_of(doc) is None and len(doc.ents) == 2


@pytest.mark.parametrize("drip", ["head_drip_s", "body_drip_s"])
def test_timeout_is_a_deadline_for_the_whole_request(tmp_path, drip):
    """A byte every 0.1 s: the whole reply would take 10-30 s; timeout = 1 cuts it at 1 s."""
    slow = Canned(body=chat_reply(ENTITIES), **{drip: 0.1})
    doc, ledger, server = label_with(tmp_path, [slow], timeout=1, max_tries=1)
    assert failure_of(doc) == "chunk 1/1: timeout after 1 tries"
    assert ledger.unanswered == 1
    # every byte came within a per-read timeout: only a deadline on the whole request cuts it, and the
    # server's next byte (0.1 s later) then finds the connection closed
    assert server.client_hung_up.wait(10) and server.hung_up == 1 and len(server.requests) == 1


def test_a_reply_within_the_deadline_is_read_whole(tmp_path):
    doc, _, _ = label_with(tmp_path, [Canned(body=chat_reply(ENTITIES), body_drip_s=0.002)], timeout=5)
    assert failure_of(doc) is None and [e.text for e in doc.ents] == ["aspirin", "gout"]
