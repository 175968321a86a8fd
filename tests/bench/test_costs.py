from __future__ import annotations

from pathlib import Path

import pytest

from clin_distill.bench.costs import cpu_usd_per_1k, llm_costs, ontology_costs
from clin_distill.stepfiles.prices import load_prices
from clin_distill.stepfiles.teacher_metrics import SplitRun
from tests.helpers.files import llm_usage, priced, teacher_metrics

REPO = Path(__file__).resolve().parents[2]


def _teachers_dir(root: Path) -> Path:
    """Metrics and a ledger as scripts/teach.py and scripts/teach_llm.py write them."""
    root.mkdir()
    teacher_metrics(
        "open_vocab",
        dev=SplitRun(docs=100, labelled=100, failed=0, seconds=2.0, docs_per_s=50.0),
        test=SplitRun(docs=100, labelled=99, failed=1, seconds=3.0, docs_per_s=33.3),
    ).write(root / "open_vocab.json")
    ledger = llm_usage("local", "smollm2", 10, 20.0, prompt_tokens=9000, completion_tokens=1000)
    ledger.cached = priced(prompt=1000)
    ledger.write(root / "local.usage.json")
    teacher_metrics("local", "llm", test=SplitRun(docs=10, labelled=10, failed=0)).write(root / "local.json")
    return root


def test_price_table_is_complete_and_dated():
    prices = load_prices(REPO / "configs" / "prices.cfg")
    assert {"gpt-4o", "o1-mini", "gemini-flash"} <= set(prices.llm)
    assert prices.as_of and prices.version
    for entry in prices.llm.values():
        assert entry.source.startswith("https://") and entry.output_per_1m >= entry.input_per_1m > 0
    assert prices.usd_per_vcpu_hour == pytest.approx(prices.cpu.usd_per_hour / prices.cpu.vcpus)


def test_incomplete_price_table_names_the_missing_field(tmp_path: Path):
    bad = tmp_path / "prices.cfg"
    bad.write_text(
        '[meta]\nversion = 1\nas_of = "x"\n\n[llm]\n\n[llm.a]\ninput_per_1m = 1\nsource = "s"\n\n'
        '[cpu]\nusd_per_hour = 1\nvcpus = 2\nsource = "s"\n'
    )
    with pytest.raises(ValueError, match=r"prices.cfg: price table lacks llm.a.output_per_1m"):
        load_prices(bad)


def test_cpu_cost_per_1k_notes():
    prices = load_prices(REPO / "configs" / "prices.cfg")
    one_per_s = cpu_usd_per_1k(1.0, 1, prices)
    assert one_per_s == pytest.approx(1000 * prices.usd_per_vcpu_hour / 3600)
    assert cpu_usd_per_1k(2.0, 2, prices) == pytest.approx(one_per_s)


def test_teacher_costs_from_metrics_and_ledgers(tmp_path: Path):
    prices = load_prices(REPO / "configs" / "prices.cfg")
    root = _teachers_dir(tmp_path / "teachers")
    onto = ontology_costs(root, prices)
    assert [t.name for t in onto] == ["open_vocab"]  # local.json is an LLM teacher's
    assert onto[0].notes_per_s == pytest.approx(200 / 5.0)
    rows = {t.name: t for t in llm_costs(root, prices, note_tokens=300.0)}
    assert rows["local"].notes_per_s == 0.5 and rows["local"].tokens_in_per_note == 1000.0
    gpt = rows["gpt-4o"]  # no ledger: the local ledger's tokens/note at GPT-4o's list price
    assert gpt.notes_per_s is None and "local ledger" in gpt.source
    expected = (
        1000 * (1000 * prices.llm["gpt-4o"].input_per_1m + 100 * prices.llm["gpt-4o"].output_per_1m) / 1e6
    )
    assert gpt.usd_per_1k == pytest.approx(expected)
    assert {"o1-mini", "gemini-flash"} <= set(rows)


def test_without_ledgers_the_llm_cost_is_a_flagged_lower_bound(tmp_path: Path):
    prices = load_prices(REPO / "configs" / "prices.cfg")
    rows = llm_costs(tmp_path, prices, note_tokens=300.0)
    assert llm_costs(None, prices, note_tokens=300.0) == rows
    assert {r.name for r in rows} == set(prices.llm)
    assert all(r.lower_bound and "LOWER BOUND" in r.source and r.tokens_in_per_note == 300.0 for r in rows)
