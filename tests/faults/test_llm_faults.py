"""LLM faults through the local server, in one scripts/teach_llm.py run: retries as configured
(max_tries 3, timeout 4 s), failed docs listed in failures.json and absent from the DocBin (never empty
labels), recovered docs exactly right, and the ledger equal to what the server saw."""

from __future__ import annotations

import pytest
import srsly

from clin_distill.docio import read_docbin, set_doc_id, write_docbin
from clin_distill.stepfiles.failures import Failures
from clin_distill.stepfiles.llm_usage import LLMUsage
from clin_distill.stepfiles.teacher_metrics import TeacherMetrics
from tests.helpers.llm_server import LLMTestServer
from tests.llm.conftest import write_corpus, write_teacher_configs

from .conftest import invoke, spans_of, teach_llm_args

# doc id -> (note, tries the server sees, failure reason or None)
CASES = {
    "ok": ("Chest pain and fever, takes metformin.", 1, None),
    "429-storm-recovers": ("Fever today FAULT429x2.", 3, None),
    "429-retry-after-recovers": ("Nausea today FAULT429RAx1.", 2, None),
    "500-recovers": ("Chest pain today FAULT500x2.", 3, None),
    "timeout-recovers": ("Productive cough FAULTSLOWx1.", 2, None),
    "truncated-recovers": ("Headache today FAULTTRUNCx2.", 3, None),
    "absent-entity": ("Fever and nausea FAULTABSENTx9.", 1, None),
    "429-storm": ("Fever FAULT429x9.", 3, "chunk 1/1: HTTP 429 after 3 tries"),
    "429-retry-after-storm": ("Fever FAULT429RAx9.", 3, "chunk 1/1: HTTP 429 after 3 tries"),
    "500-storm": ("Fever FAULT500x9.", 3, "chunk 1/1: HTTP 500 after 3 tries"),
    "timeouts": ("Fever FAULTSLOWx9.", 3, "chunk 1/1: timeout after 3 tries"),
    "truncated-json": ("Fever FAULTTRUNCx9.", 3, "chunk 1/1: malformed JSON reply after 3 tries"),
    "no-choices": ("Fever FAULTENVELOPEx9.", 3, "chunk 1/1: reply not in the API's format after 3 tries"),
    "wrong-format": ("Fever FAULTFORMATx9.", 1, "chunk 1/1: reply not in the task format"),
}
FAILED = [doc_id for doc_id, (_, _, reason) in CASES.items() if reason]


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("llm_faults")
    corpus = write_corpus(root / "corpus" / "toy", {"dev": [note for note, _, _ in CASES.values()]})
    # write_corpus numbers docs dev-0..; rename the ids to the case names for readable assertions
    docs = read_docbin(corpus / "dev.spacy")
    write_docbin(corpus / "dev.spacy", [set_doc_id(d, k) for d, k in zip(docs, CASES, strict=True)])
    # a 4 s client timeout: SLOW faults trip it, a loaded CI machine does not
    teachers = write_teacher_configs(root / "teachers", timeout=4)
    # slow_s far above the client timeout: a timed-out request is never answered (nor counted)
    with LLMTestServer(slow_s=30.0) as server:
        result = invoke("teach_llm", *teach_llm_args(teachers, corpus, root, server.url, "dev"))
        stats = server.stats()
    assert result.exit_code == 0, result.output
    return root, corpus, stats, result


def test_failed_docs_are_listed_and_never_written_as_empty(faulty_run):
    root, corpus, _, result = faulty_run
    out = root / "labels" / "local" / "toy"
    assert Failures.read(out / "failures.json").failed == {"dev": FAILED}
    labelled = spans_of(out / "dev.spacy")
    assert sorted(labelled) == sorted(k for k in CASES if k not in FAILED)
    gold = spans_of(corpus / "dev.spacy")
    assert labelled == {k: gold[k] for k in labelled}  # recovered docs: exactly the gold spans
    assert all(labelled[k] for k in labelled)  # every note has entities: none was written empty
    assert f"{len(FAILED)} doc(s) failed" in " ".join(result.output.split())


def test_reasons_and_grounding_are_reported(faulty_run):
    root = faulty_run[0]
    metrics = TeacherMetrics.read(root / "metrics" / "local.json").to_json()
    reasons = {}
    for doc_id in FAILED:
        reason = CASES[doc_id][2].split(": ", 1)[1]
        reasons[reason] = reasons.get(reason, 0) + 1
    assert metrics["failures_by_reason"] == reasons
    assert metrics["splits"]["dev"] == {
        "docs": len(CASES),
        "labelled": len(CASES) - len(FAILED),
        "failed": len(FAILED),
        "seconds": None,  # an LLM teacher's time is in its ledger
        "docs_per_s": None,
    }
    assert metrics["grounding_dropped"] == {"unfound": 1, "ambiguous": 0, "unknown_label": 0}
    grounding = srsly.read_json(root / "labels" / "local" / "toy" / "grounding.json")["dev"]
    assert grounding["absent-entity"] == {"unfound": 1, "ambiguous": 0, "unknown_label": 0}


def test_retries_as_configured_and_ledger_matches_the_server(faulty_run):
    root, _, stats, _ = faulty_run
    tries = sorted(stats["tries"].values())
    assert tries == sorted(n for _, n, _ in CASES.values())  # max_tries = 3, format errors not retried
    usage = LLMUsage.read(root / "metrics" / "local.usage.json").to_json()
    assert usage["requests"] == stats["requests"] == sum(tries)
    assert usage["retries"] == sum(tries) - len(CASES)
    api_failures = sum(1 for _, _, r in CASES.values() if r and "after 3 tries" in r)
    assert (usage["prompts"], usage["failures"], usage["cache_hits"]) == (len(CASES), api_failures, 0)
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (
        stats["tokens"]["prompt"],
        stats["tokens"]["completion"],
    )
    # Retry-After: 1 was honoured by every retry it was sent with (the client's max_backoff is 0.05 s)
    for case in ("429-retry-after-recovers", "429-retry-after-storm"):
        arrived = stats["tried_at"][CASES[case][0]]
        assert len(arrived) == CASES[case][1]
        assert all(later - earlier >= 1.0 for earlier, later in zip(arrived, arrived[1:], strict=False))
