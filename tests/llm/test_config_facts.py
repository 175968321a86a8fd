"""The shipped teacher configs, loaded by the real loader and run against a local server: which are
refused without the opt-in, which environment variable holds each key, what each is priced at, and
the local teacher's model name as the project's teach-llm command passes it."""

from __future__ import annotations

import shlex
import sys

import httpx
import pytest
import spacy
from spacy.util import load_config
from weasel.util import load_project_config

from clin_distill.bench.costs import paper_ratios
from clin_distill.docio import failure_of, set_doc_id
from clin_distill.llm import ALLOW_REMOTE_ENV, RemoteEndpointRefused
from clin_distill.llm.guard import is_loopback
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.teacher import load_teacher, read_teacher
from clin_distill.local_llm.server import ServerError, serving
from clin_distill.stepfiles.prices import load_prices
from tests.faults.conftest import invoke
from tests.helpers.llm_server import LLMTestServer

from .conftest import NOTES, REPO, write_corpus, write_teacher_configs

TEACHERS = REPO / "configs" / "teachers"
NOTE = "Patient has hypertension and chest pain, takes metformin."
# shipped LLM teacher -> (sends notes off the machine, the environment variable holding its key)
SHIPPED = {
    "gpt-4o": (True, "OPENAI_API_KEY"),
    "o1-mini": (True, "OPENAI_API_KEY"),
    "gemini-flash": (True, "GEMINI_API_KEY"),
    "local": (False, None),
    "local-llm": (False, None),
}
PAID = [name for name, (remote, _) in SHIPPED.items() if remote]


@pytest.fixture(autouse=True)
def _no_opt_in_no_keys(monkeypatch):
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    for _, key in SHIPPED.values():
        if key:
            monkeypatch.delenv(key, raising=False)


def test_every_shipped_llm_teacher_is_described_here():
    llm = [p for p in TEACHERS.glob("*.cfg") if "llm" in load_config(p, interpolate=False)["components"]]
    assert {p.stem for p in llm} == set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_teacher_is_refused_without_opt_in_exactly_when_its_endpoint_is_remote(name, monkeypatch):
    sent = []
    monkeypatch.setattr(httpx.Client, "send", lambda self, *a, **k: sent.append(a))
    remote, key = SHIPPED[name]
    if key:
        monkeypatch.setenv(key, "sk-test-not-a-key")  # a key does not make a remote endpoint allowed
    model_name = "test-model" if name == "local" else None  # local's model name: --local-model
    path = TEACHERS / f"{name}.cfg"
    if remote:
        with pytest.raises(RemoteEndpointRefused, match="--allow-remote true"):
            load_teacher(path, allow_remote=False, model_name=model_name)
        load_teacher(path, allow_remote=True, model_name=model_name).close()
    else:
        load_teacher(path, allow_remote=False, model_name=model_name).close()
    assert sent == []


@pytest.mark.parametrize("name", PAID)
def test_a_remote_teacher_needs_the_key_variable_it_names(name):
    key = SHIPPED[name][1]
    with pytest.raises(RuntimeError, match=f"environment variable {key} "):
        load_teacher(TEACHERS / f"{name}.cfg", allow_remote=True)


def label_note(name: str, server: LLMTestServer):
    """One note through the shipped config ``name``, its endpoint moved to the local server."""
    url = server.gemini_url if name == "gemini-flash" else server.url
    teacher = load_teacher(TEACHERS / f"{name}.cfg", allow_remote=False, base_url=url)
    try:
        (doc,) = label_docs(teacher, [set_doc_id(spacy.blank("en")(NOTE), "d")])
    finally:
        teacher.close()
    assert failure_of(doc) is None
    assert [e.text for e in doc.ents] == ["hypertension", "chest pain", "metformin"]
    return teacher


@pytest.mark.parametrize("name", PAID)
def test_the_key_is_read_from_its_variable_at_call_time(name, monkeypatch):
    with LLMTestServer() as server:
        label_note(name, server)
        assert server.stats()["keyed"] == {}  # a local endpoint needs no key: none was sent
        monkeypatch.setenv(SHIPPED[name][1], "sk-test-not-a-key")
        label_note(name, server)
        assert sum(server.stats()["keyed"].values()) == 1


@pytest.mark.parametrize("name", PAID)
def test_a_paid_teacher_is_billed_at_the_list_price_of_the_model_it_calls(name):
    entry = load_prices(REPO / "configs" / "prices.cfg").llm[name]
    with LLMTestServer() as server:
        teacher = label_note(name, server)
        stats = server.stats()
    assert stats["models"] == {entry.model: 1}  # the model the server was asked for is the one priced
    ledger = teacher.model.ledger.record()
    tokens = stats["tokens"]
    assert (ledger.prompt_tokens, ledger.completion_tokens) == (tokens["prompt"], tokens["completion"])
    cost = (tokens["prompt"] * entry.input_per_1m + tokens["completion"] * entry.output_per_1m) / 1e6
    assert ledger.cost_usd == pytest.approx(cost, abs=1e-6) and ledger.cost_usd > 0


def test_the_paper_ratios_are_keyed_by_the_paid_teachers_names():
    """The benchmark compares the student with each paid teacher by the teacher's name."""
    ratios = paper_ratios()
    names = {read_teacher(TEACHERS / f"{name}.cfg", allow_remote=True).name for name in PAID}
    assert set(ratios.speedup_vs) == set(ratios.cost_ratio_vs) == names


def test_the_projects_teach_llm_command_gives_the_local_teacher_its_model(tmp_path, server, monkeypatch):
    """The command weasel runs for teach-llm (vars substituted by weasel itself), with the local teacher
    on: the server is asked for the model vars.local_model names. Without a name it is an error."""
    with pytest.raises(ValueError, match="names no model.*--vars.local_model"):
        load_teacher(TEACHERS / "local.cfg", allow_remote=False, base_url=server.url)
    overrides = {"vars.llm_teachers": "local", "vars.local_url": server.url}
    project = load_project_config(REPO, overrides=overrides)
    (teach,) = [c for c in project["commands"] if c["name"] == "teach-llm"]
    (line,) = teach["script"]
    argv = shlex.split(line)
    assert argv[:2] == ["python", "scripts/teach_llm.py"]
    monkeypatch.chdir(tmp_path)  # the command's relative paths: the teachers and a pool corpus here
    write_teacher_configs(tmp_path / "configs" / "teachers")
    write_corpus(tmp_path / "corpus" / "pool", NOTES)
    result = invoke("teach_llm", *argv[2:])
    assert result.exit_code == 0, result.output
    n_notes = sum(len(texts) for texts in NOTES.values())
    assert server.stats()["models"] == {project["vars"]["local_model"]: n_notes}


def test_a_price_table_for_another_model_or_prices_given_twice_are_errors(tmp_path):
    cfg_dir = write_teacher_configs(tmp_path / "teachers")
    table = tmp_path / "prices.cfg"
    table.write_text(table.read_text().replace('model = "gpt-4o-2024-08-06"', 'model = "gpt-4o-mini"'))
    with pytest.raises(
        ValueError, match="prices model 'gpt-4o-mini', but the teacher calls 'gpt-4o-2024-08-06'"
    ):
        load_teacher(cfg_dir / "gpt-4o.cfg", allow_remote=False, base_url="http://127.0.0.1:9/v1")
    twice = cfg_dir / "twice.cfg"
    text = (cfg_dir / "o1-mini.cfg").read_text()
    twice.write_text(text.replace("temperature = null\n", "temperature = null\ninput_price_per_1m = 1.0\n"))
    with pytest.raises(ValueError, match="prices come from \\[teacher\\] prices"):
        load_teacher(twice, allow_remote=False, base_url="http://127.0.0.1:9/v1")


@pytest.mark.parametrize(
    "url,local",
    [
        ("http://127.0.0.1:{port}/v1", True),
        ("http://127.0.0.2:{port}/v1", True),
        ("http://localhost:{port}/v1", True),
        ("http://LOCALHOST.:{port}/v1", True),
        ("http://[::1]:{port}/v1", True),
        ("http://[::ffff:127.0.0.1]:{port}/v1", True),
        ("http://127.1:{port}/v1", False),
        ("http://0.0.0.0:{port}/v1", False),
        ("http://10.0.0.1:{port}/v1", False),
        ("http://127.0.0.1.evil.example:{port}/v1", False),
    ],
)
def test_one_loopback_rule_for_endpoints_and_local_servers(tmp_path, url, local):
    url = url.format(port=9)
    assert is_loopback(url) is local
    exits = [sys.executable, "-c", "raise SystemExit(7)"]
    with pytest.raises(ServerError) as err:
        with serving(exits, url, tmp_path / "log", startup_timeout=10):
            pass
    assert ("must listen on loopback" in str(err.value)) is not local
