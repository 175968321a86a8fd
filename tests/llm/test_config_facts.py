"""Facts defined once: the local teacher's model name (a project var), prices (the price table),
the paper's ratios (the anchors resource), the loopback rule (guard.is_loopback_host)."""

from __future__ import annotations

import re
import sys

import pytest
import srsly

from clin_distill.anchors import load_anchors
from clin_distill.bench.costs import paper_ratios
from clin_distill.files.prices import load_prices
from clin_distill.llm.guard import is_loopback
from clin_distill.llm.teacher import load_teacher
from clin_distill.local_llm.server import ServerError, serving
from tests.faults.conftest import invoke

from .conftest import NOTES, REPO, write_corpus, write_teacher_configs

TEACHERS = REPO / "configs" / "teachers"
PAID = ("gpt-4o", "o1-mini", "gemini-flash")
PROJECT = srsly.read_yaml(REPO / "project.yml")


def test_the_local_teacher_sends_the_model_name_it_is_given(tmp_path, server):
    with pytest.raises(ValueError, match="names no model.*--vars.local_llm_model"):
        load_teacher(TEACHERS / "local.cfg", allow_remote=False, base_url=server.url)
    corpus = write_corpus(tmp_path / "corpus", {"dev": NOTES["dev"]})
    args = [TEACHERS, corpus, tmp_path / "labels", "--dataset", "toy", "--teachers", "local"]
    args += ["--cache", tmp_path / "cache", "--metrics", tmp_path / "metrics", "--splits", "dev"]
    args += ["--local-base-url", server.url, "--local-model", "llama3.1:8b"]
    assert invoke("teach_llm", *args).exit_code == 0
    assert server.stats()["models"] == {"llama3.1:8b": len(NOTES["dev"])}


def test_the_project_passes_its_local_model_var_to_teach_llm():
    assert PROJECT["vars"]["local_llm_model"] not in ("", "local")
    (teach,) = [c for c in PROJECT["commands"] if c["name"] == "teach-llm"]
    assert "--local-model '${vars.local_llm_model}'" in teach["script"][0]


@pytest.mark.parametrize("path", sorted(TEACHERS.glob("*.cfg")), ids=lambda p: p.name)
def test_teacher_configs_name_only_vars_that_exist(path):
    named = set(re.findall(r"vars\.(\w+)", path.read_text()))
    assert named <= set(PROJECT["vars"]), named - set(PROJECT["vars"])


def test_prices_live_only_in_the_price_table(monkeypatch):
    prices = load_prices(REPO / "configs" / "prices.cfg")
    for path in TEACHERS.glob("*.cfg"):
        assert "price_per_1m" not in path.read_text(), path.name
    for name in PAID:
        teacher = load_teacher(TEACHERS / f"{name}.cfg", allow_remote=False, base_url="http://127.0.0.1:9/v1")
        ledger = teacher.model.ledger
        entry = prices.llm[name]
        assert (ledger.input_price_per_1m, ledger.output_price_per_1m) == (
            entry.input_per_1m,
            entry.output_per_1m,
        )
        assert teacher.model.name == entry.model
        teacher.close()


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


def test_the_papers_ratios_come_from_the_anchors_resource():
    rows = {row["versus"]: (row["faster"], row["cheaper"]) for row in load_anchors()["speed_cost"]}
    assert rows == {"GPT-4o": (12, 85), "o1-mini": (4, 101), "Gemini Flash": (8, 2)}  # arXiv 2501.00031
    ratios = paper_ratios()
    assert ratios.speedup_vs == {"gpt-4o": 12.0, "o1-mini": 4.0, "gemini-flash": 8.0}
    assert ratios.cost_ratio_vs == {"gpt-4o": 85.0, "o1-mini": 101.0, "gemini-flash": 2.0}
    assert set(ratios.speedup_vs) == set(PAID)  # keyed by our teacher names


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
