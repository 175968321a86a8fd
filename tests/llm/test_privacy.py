"""Privacy on every path a request can take: proxy variables, redirects, credentials in base_url,
and the destination of every connection. Real local servers, and a real local listener standing in
for a proxy or a redirect target that must receive nothing."""

from __future__ import annotations

import httpcore
import pytest
import spacy

from clin_distill.docio import failure_of, set_doc_id
from clin_distill.llm import ALLOW_REMOTE_ENV, RemoteEndpointRefused
from clin_distill.llm.http import GuardedBackend, env_proxy
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.teacher import load_teacher
from tests.helpers.canned_server import Canned, CannedServer, Listener
from tests.helpers.llm_server import LLMTestServer

from .conftest import NOTES, teach, write_corpus, write_teacher_configs

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NOTE = "Patient has hypertension and chest pain, takes metformin."
KEY = "sk-test-PRIVACY-0042"


@pytest.fixture(autouse=True)
def _no_opt_in(monkeypatch):
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    for var in (*PROXY_VARS, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)


def doc_of(text: str):
    return set_doc_id(spacy.blank("en")(text), "doc-0")


def label_one(tmp_path, url: str, allow_remote: bool = False, **settings):
    teacher = load_teacher(
        write_teacher_configs(tmp_path / "cfg", **settings) / "local.cfg",
        allow_remote=allow_remote,
        base_url=url,
    )
    try:
        (doc,) = label_docs(teacher, [doc_of(NOTE)])
    finally:
        teacher.close()
    return doc


@pytest.mark.parametrize("var", PROXY_VARS)
def test_proxy_variables_never_carry_loopback_requests(tmp_path, monkeypatch, var):
    with LLMTestServer() as server, Listener() as proxy:
        monkeypatch.setenv(var, proxy.url)
        doc = label_one(tmp_path, server.url)
    assert failure_of(doc) is None
    assert [e.text for e in doc.ents] == ["hypertension", "chest pain", "metformin"]
    assert proxy.connections == 0 and server.stats()["requests"] == 1


def test_teach_run_with_proxies_set_sends_notes_and_key_only_to_the_local_server(tmp_path, monkeypatch):
    """The issue's case: HTTP_PROXY and ALL_PROXY set, the loopback local teacher, no opt-in."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    with LLMTestServer() as server, Listener() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("ALL_PROXY", proxy.url.replace("http://", "socks5://"))
        manifest = teach(
            write_teacher_configs(tmp_path / "cfg", api_key_env='"OPENAI_API_KEY"'),
            corpus,
            tmp_path,
            server.url,
        )
        stats = server.stats()
    n_notes = sum(len(v) for v in NOTES.values())
    assert manifest["teachers"][0]["failed"] == 0
    assert stats["keyed"] == {"/v1/chat/completions": n_notes}  # the key went to the server only
    assert proxy.connections == 0


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed(tmp_path, status):
    with Listener() as target:
        location = f"{target.url}/v1/chat/completions"
        with CannedServer([Canned(status, headers={"Location": location})]) as server:
            doc = label_one(tmp_path, server.url)
        assert failure_of(doc) == f"chunk 1/1: HTTP {status} (redirect not followed)"
        assert not doc.ents and len(server.requests) == 1  # final: not retried
        assert target.connections == 0


def test_redirect_off_the_machine_is_not_followed_either(tmp_path):
    script = [Canned(307, headers={"Location": "http://192.0.2.1/v1/chat/completions"})]
    with CannedServer(script) as server:
        doc = label_one(tmp_path, server.url)
    assert failure_of(doc) == "chunk 1/1: HTTP 307 (redirect not followed)"


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secretpw@127.0.0.1:{port}/v1",
        "http://secretpw@127.0.0.1:{port}/v1",
        "http://127.0.0.1:{port}\\@evil.example/v1",
    ],
)
def test_base_url_with_credentials_or_a_hidden_host_is_refused(tmp_path, url):
    with LLMTestServer() as server:
        port = server.url.split(":")[2].split("/")[0]
        with pytest.raises((ValueError, RemoteEndpointRefused)) as err:
            label_one(tmp_path, url.format(port=port))
        assert server.stats()["requests"] == 0
    assert "secretpw" not in str(err.value)


def test_every_connection_is_checked_where_it_is_opened():
    backend = GuardedBackend(httpcore.SyncBackend(), allow_remote=False)
    for host in ("192.0.2.1", "10.0.0.5", "example.com", "127.0.0.1.evil.example", "ip6-localhost"):
        with pytest.raises(RemoteEndpointRefused, match="connection"):
            backend.connect_tcp(host, 80, timeout=0.5)  # refused before any socket is opened
    with Listener() as local:
        port = int(local.url.rsplit(":", 1)[1])
        assert backend.destinations("localhost", port)  # resolved, every address loopback
        backend.connect_tcp("localhost", port, timeout=2).close()
        backend.connect_tcp("127.0.0.1", port, timeout=2).close()
    assert local.connections == 2
    opted_in = GuardedBackend(httpcore.SyncBackend(), allow_remote=True)
    assert opted_in.destinations("llm.example", 443) == ["llm.example"]


def test_each_request_url_is_checked_too(tmp_path):
    with LLMTestServer() as server:
        teacher = load_teacher(
            write_teacher_configs(tmp_path / "cfg") / "local.cfg", allow_remote=False, base_url=server.url
        )
        with pytest.raises(RemoteEndpointRefused):
            teacher.model._poster.post("http://192.0.2.1/v1/chat/completions", {}, {}, lambda body: body)
        teacher.close()
        assert server.stats()["requests"] == 0


def test_an_opted_in_remote_endpoint_uses_the_environment_proxy(tmp_path, monkeypatch):
    with LLMTestServer() as proxy:  # answers proxied requests (absolute URIs) like direct ones
        monkeypatch.setenv("HTTP_PROXY", proxy.url.removesuffix("/v1"))
        with pytest.raises(RemoteEndpointRefused):
            label_one(tmp_path / "refused", "http://llm.example/v1")
        assert proxy.stats()["requests"] == 0
        doc = label_one(tmp_path / "opted-in", "http://llm.example/v1", allow_remote=True)
        assert [e.text for e in doc.ents] == ["hypertension", "chest pain", "metformin"]
        assert proxy.stats()["paths"] == {"http://llm.example/v1/chat/completions": 1}


def test_env_proxy_honours_no_proxy(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp:3128")
    assert env_proxy("https://api.openai.com/v1") == "http://proxy.corp:3128"
    monkeypatch.setenv("NO_PROXY", "api.openai.com")
    assert env_proxy("https://api.openai.com/v1") is None
    assert env_proxy("http://llm.example/v1") is None  # no proxy for plain http
