"""Plain tables of a benchmark result: for the terminal (wasabi) and for metrics/benchmark.md."""

from __future__ import annotations

from ..markdown import markdown_table
from ..stepfiles.benchmark import Benchmark


def _num(value: float | None, fmt: str = ".2f", suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:{fmt}}{suffix}"


def _ratio(value: float | None) -> str:
    return _num(value, ".0f" if value and value >= 10 else ".2f", "x")


def runs_table(result: Benchmark) -> tuple[list[str], list[tuple]]:
    """Header and rows: one row per timed run (rates, latency, FLOP efficiency, padding, memory)."""
    header = [
        "run",
        "notes/s",
        "words/s",
        "wp/s",
        "p50 ms",
        "p95 ms",
        "GFLOP/s",
        "% peak",
        "CPU share",
        "% peak/CPU-s",
        "pad x",
        "RSS MiB",
    ]
    rows = []
    for r in result.runs:
        pad = r.padded_wordpieces / r.wordpieces if r.padded_wordpieces and r.wordpieces else None
        rows.append(
            (
                r.name,
                f"{r.notes_per_s:.2f}",
                f"{r.words_per_s:.0f}",
                f"{r.wordpieces_per_s:.0f}",
                _num(r.latency_p50_ms or None, ".0f"),
                _num(r.latency_p95_ms or None, ".0f"),
                f"{r.gflops:.1f}",
                _num(r.pct_of_fp32_peak, ".1f"),
                _num(r.cpu_share),
                _num(r.pct_of_core_peak_per_cpu_s, ".1f"),
                _num(pad),
                _num(r.peak_rss_mb, ".0f"),
            )
        )
    return header, rows


def systems_table(result: Benchmark) -> tuple[list[str], list[tuple]]:
    """Header and rows: the student precisions and every teacher, speed, cost and ratios."""
    header = [
        "system",
        "notes/s",
        "$ / 1k notes",
        "speed-up fp32 / int8",
        "cost ratio fp32 / int8",
        "paper speed-up",
        "paper cost ratio",
    ]
    rows = []
    for row in result.summary.table:
        bound = ">= " if row.lower_bound else ""
        teacher = bool(row.speedup)
        ratios = [row.speedup.get(p) for p in ("fp32", "int8")]
        costs = [row.cost_ratio.get(p) for p in ("fp32", "int8")]
        rows.append(
            (
                row.system,
                _num(row.notes_per_s, ".3f"),
                bound + _num(row.usd_per_1k, ".4f"),
                " / ".join(_ratio(v) for v in ratios) if teacher else "",
                bound + " / ".join(_ratio(v) for v in costs) if teacher else "",
                _num(row.paper_speedup, ".0f", "x") if row.paper_speedup else "",
                _num(row.paper_cost_ratio, ".0f", "x") if row.paper_cost_ratio else "",
            )
        )
    return header, rows


def windows_table(result: Benchmark) -> tuple[list[str], list[tuple]]:
    """Header and rows: each (window, stride) timed, its speed and F1; configured and recommended marked."""
    header = ["window", "stride", "notes/s", "strict micro F1", ""]
    rec = result.summary.recommended_window
    rows = [
        (
            w.window,
            w.stride,
            f"{w.notes_per_s:.2f}",
            f"{w.strict_micro_f:.4f}",
            " ".join(
                x
                for x, on in (
                    ("configured", w.configured),
                    ("recommended", (w.window, w.stride) == (rec.window, rec.stride)),
                )
                if on
            ),
        )
        for w in result.quality.windows.settings
    ]
    return header, rows


def _markdown(header: list[str], rows: list[tuple]) -> str:
    return markdown_table(header, rows).rstrip("\n")


def _met(met: bool) -> str:
    return "met" if met else "NOT met"


def summary_lines(result: Benchmark) -> list[str]:
    """The summary in sentences: machine, student, best runs, and each goal with its threshold."""
    s, m, st, goals = result.summary, result.machine, result.student, result.settings.goals
    f1 = s.f1_strict_micro
    window = st.window.model_dump(by_alias=True, exclude_none=True)
    return [
        f"Machine: {m.cpu_model} ({m.vendor}), {m.usable_cpus} usable CPUs, {m.ghz} GHz "
        f"({m.ghz_source}), assumed {m.flops_per_cycle} fp32 FLOP/cycle "
        f"({m.flops_per_cycle_rule}): peak {m.peak_gflops_per_core:.1f} GFLOP/s per core; "
        f"torch {m.torch} ({m.torch_capability}).",
        f"Student: {st.encoder.layers} layers x {st.encoder.hidden} hidden, "
        f"window {window}: "
        f"{st.flops_per_wordpiece_at_window / 1e6:.1f} MFLOP per wordpiece; "
        f"{result.n_docs} notes, {st.mean_wordpieces_per_note:.0f} wordpieces per note on average.",
        f"Best fp32: {s.best['fp32']}; best int8: {s.best['int8']}.",
        f"fp32 reaches {s.fp32_pct_of_peak}% of its FLOP-bound throughput "
        f"({_num(s.flop_bound_notes_per_s)} notes/s bound); goal >= {goals.fp32_min_pct_of_flop_bound:g}%: "
        f"{_met(s.goals.fp32_flop_bound)} "
        f"(the run got {_num(s.fp32_cpu_share)} of its cores; per CPU-second of its own it ran at "
        f"{_num(s.fp32_pct_of_core_peak_per_cpu_s, '.1f')}% of one core's peak).",
        f"int8 is {s.int8_speedup_best_vs_best:.2f}x fp32 (best vs best); "
        f"goal >= {goals.int8_min_speedup:g}x: {_met(s.goals.int8_speedup)}. Same configuration, wall time: "
        + ", ".join(f"{k} {v:.2f}x" for k, v in s.int8_speedup_same_config.items())
        + "; CPU time: "
        + ", ".join(f"{k} {v:.2f}x" for k, v in s.int8_speedup_same_config_cpu_time.items())
        + ".",
        f"Strict micro F1 fp32 {f1['fp32']:.4f}, int8 {f1['int8']:.4f}: "
        f"loss {s.f1_loss_points:.2f} points; "
        f"goal <= {goals.int8_max_f1_loss_points:g}: {_met(s.goals.int8_f1_loss)}.",
    ]


def markdown_report(result: Benchmark) -> str:
    """``metrics/benchmark.md``: the summary and the three tables, with what each column means."""
    prices = result.prices
    parts = [
        "# Benchmark",
        "",
        *[f"- {line}" for line in summary_lines(result)],
        f"- Prices: configs/prices.cfg version {prices.version} as of {prices.as_of}; CPU "
        f"{prices.cpu.instance} at ${prices.cpu.usd_per_hour}/h.",
        "",
        "## Student and teachers",
        "",
        _markdown(*systems_table(result)),
        "",
        "Speed-up: student notes/s over the teacher's. Cost ratio: teacher $ over student $. "
        "'>=': LLM cost from list prices x the notes' own tokens only (no LLM ledger in this run): "
        "a lower bound. "
        f"Paper: {result.summary.paper.source}.",
        "",
        "## Span windows (fp32)",
        "",
        _markdown(*windows_table(result)),
        "",
        "Recommended: the fastest setting whose strict micro F1 is within "
        f"{result.settings.goals.window_max_f1_loss_points:g} points of the configured one "
        "(meaningful for a trained model only).",
        "",
        "## Student runs",
        "",
        _markdown(*runs_table(result)),
        "",
        "% peak: achieved encoder GFLOP/s (wall clock) over the fp32 peak of the threads used. CPU share: "
        "process CPU seconds over wall seconds x threads (below 1: other load took the cores). "
        "% peak/CPU-s: GFLOP per CPU-second over one core's peak. pad x: wordpieces "
        "run (padded to the longest span of each batch) over wordpieces needed.",
        "",
    ]
    return "\n".join(parts)
