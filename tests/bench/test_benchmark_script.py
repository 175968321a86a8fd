"""The benchmark runs end to end on a tiny model and writes well-formed output (nothing is timed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from typer.testing import CliRunner

from clin_distill.stepfiles.benchmark import Benchmark
from tests.bench.test_costs import _teachers_dir

REPO = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("benchmark_script", REPO / "scripts" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_writes_json_and_markdown(tiny_student: Path, tiny_test_corpus: Path, tmp_path: Path):
    out = tmp_path / "metrics" / "benchmark.json"
    teachers = _teachers_dir(tmp_path / "teachers")
    args = [
        str(tiny_student),
        str(tiny_test_corpus),
        str(out),
        "--teachers-metrics",
        str(teachers),
        "--prices",
        str(REPO / "configs" / "prices.cfg"),
        "--max-docs",
        "4",
        "--quick",
        "true",
    ]
    result = CliRunner().invoke(_script().app, args)
    assert result.exit_code == 0, result.output
    data = Benchmark.read(out)
    assert data.n_docs == 4
    assert data.machine.flops_per_cycle > 0 and data.machine.cpu_model
    assert {r.precision for r in data.runs} == {"fp32", "int8"}
    for run in data.runs:
        assert run.n_docs == 4 and run.wall_s > 0 and run.notes_per_s > 0
        assert run.wordpieces > run.words > 0 and run.gflop > 0
        assert run.latency_p95_ms >= run.latency_p50_ms > 0
    assert any("window=64 stride=48" in r.name for r in data.runs)
    windows = data.quality.windows.settings
    assert [(w.window, w.stride, w.configured) for w in windows] == [(8, 6, True), (64, 48, False)]
    recommended = data.summary.recommended_window
    assert (recommended.window, recommended.stride) in ((8, 6), (64, 48))
    assert data.quality.fp32.scores.n_docs == 4
    assert data.student.window.span_getter == "clin_distill.wordpiece_windows.v1"
    summary = data.summary
    assert data.settings.goals.int8_min_speedup == 1.6  # the goals the summary was judged by
    assert summary.goals.int8_speedup is (summary.int8_speedup_best_vs_best >= 1.6)
    systems = [row.system for row in summary.table]
    assert systems[:2] == ["student fp32", "student int8"]
    assert {
        "ontology teacher open_vocab",
        "llm teacher local",
        "llm teacher gpt-4o",
        "llm teacher o1-mini",
        "llm teacher gemini-flash",
    } <= set(systems)
    gpt = next(r for r in summary.table if r.system == "llm teacher gpt-4o")
    assert gpt.paper_cost_ratio == 85.0 and gpt.cost_ratio["int8"] > 0
    markdown = out.with_suffix(".md").read_text()
    assert "| student int8 |" in markdown and "paper" in markdown and "## Span windows" in markdown
    assert "Benchmarked 4 notes" in result.output


def test_benchmark_rejects_a_bad_quick_value(tiny_student: Path, tiny_test_corpus: Path, tmp_path: Path):
    args = [
        str(tiny_student),
        str(tiny_test_corpus),
        str(tmp_path / "b.json"),
        "--prices",
        str(REPO / "configs" / "prices.cfg"),
        "--quick",
        "maybe",
    ]
    result = CliRunner().invoke(_script().app, args)
    assert result.exit_code == 2 and "Invalid value for '--quick'" in result.output
    assert not (tmp_path / "b.json").exists()
