"""The benchmark's headline numbers from its runs: best runs, int8 speed-ups, F1 loss, FLOP
efficiency, the goals met (:class:`~clin_distill.stepfiles.benchmark.Goals`), and the side-by-side table
of the student and the teachers (speed in notes/s, cost in USD per 1,000 notes)."""

from __future__ import annotations

from ..stepfiles.benchmark import (
    Goals,
    GoalsMet,
    Machine,
    PaperRatios,
    Quality,
    Run,
    Summary,
    SystemRow,
    TeacherCost,
)
from ..stepfiles.prices import Prices
from .costs import cpu_usd_per_1k

PRECISIONS = ("fp32", "int8")


def best_run(runs: list[Run], precision: str) -> Run:
    """The fastest run of ``precision`` with the pipeline's configured windows."""
    return max(
        (r for r in runs if r.precision == precision and "window=" not in r.batching),
        key=lambda r: r.notes_per_s,
    )


def same_config_speedups(runs: list[Run], cpu_time: bool = False) -> dict[str, float]:
    """int8 over fp32 notes/s per configuration; by CPU time instead of wall time when ``cpu_time``."""
    fp32 = {r.name.removeprefix("fp32 "): r for r in runs if r.precision == "fp32"}
    out = {}
    for r in runs:
        key = r.name.removeprefix("int8 ")
        if r.precision != "int8" or key not in fp32:
            continue
        if not cpu_time:
            out[key] = round(r.notes_per_s / fp32[key].notes_per_s, 3)
        elif r.cpu_s and fp32[key].cpu_s:
            out[key] = round(fp32[key].cpu_s / r.cpu_s, 3)
    return out


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    return numerator / denominator if numerator and denominator else None


def systems_rows(best: dict[str, Run], prices: Prices, teachers: list[TeacherCost], paper: PaperRatios):
    """One row per student precision (its best run), then one per teacher with the ratios."""
    students = {
        p: SystemRow(
            system=f"student {p}",
            notes_per_s=run.notes_per_s,
            usd_per_1k=cpu_usd_per_1k(run.notes_per_s, run.threads, prices),
            source=run.name,
        )
        for p, run in best.items()
    }
    rows = list(students.values())
    for t in teachers:
        rows.append(
            SystemRow(
                system=f"{t.kind} teacher {t.name}",
                notes_per_s=t.notes_per_s,
                usd_per_1k=t.usd_per_1k,
                source=t.source,
                lower_bound=t.lower_bound,
                speedup={p: _ratio(s.notes_per_s, t.notes_per_s) for p, s in students.items()},
                cost_ratio={p: _ratio(t.usd_per_1k, s.usd_per_1k) for p, s in students.items()},
                paper_speedup=paper.speedup_vs.get(t.name),
                paper_cost_ratio=paper.cost_ratio_vs.get(t.name),
            )
        )
    return rows


def summarize(
    runs: list[Run],
    quality: Quality,
    machine: Machine,
    prices: Prices,
    teachers: list[TeacherCost],
    goals: Goals,
    paper: PaperRatios,
) -> Summary:
    """The summary of a benchmark's runs (see the module docstring)."""
    best = {p: best_run(runs, p) for p in PRECISIONS}
    f1 = {"fp32": quality.fp32.strict_micro_f, "int8": quality.int8.strict_micro_f}
    fp32 = best["fp32"]
    pct_peak = 100 * fp32.gflops / machine.peak_gflops(fp32.threads)
    best_speedup = best["int8"].notes_per_s / fp32.notes_per_s
    loss_points = 100 * (f1["fp32"] - f1["int8"])
    per_cpu_s = fp32.gflop_per_cpu_s
    return Summary(
        best={p: r.name for p, r in best.items()},
        int8_speedup_best_vs_best=round(best_speedup, 3),
        int8_speedup_same_config=same_config_speedups(runs),
        int8_speedup_same_config_cpu_time=same_config_speedups(runs, cpu_time=True),
        f1_strict_micro=f1,
        f1_loss_points=round(loss_points, 3),
        fp32_pct_of_peak=round(pct_peak, 1),
        fp32_cpu_share=None if fp32.cpu_share is None else round(fp32.cpu_share, 3),
        fp32_pct_of_core_peak_per_cpu_s=round(100 * per_cpu_s / machine.peak_gflops_per_core, 1)
        if per_cpu_s
        else None,
        flop_bound_notes_per_s=round(fp32.notes_per_s * 100 / pct_peak, 2) if pct_peak else None,
        goals=GoalsMet(
            fp32_flop_bound=pct_peak >= goals.fp32_min_pct_of_flop_bound,
            int8_speedup=best_speedup >= goals.int8_min_speedup,
            int8_f1_loss=loss_points <= goals.int8_max_f1_loss_points,
        ),
        recommended_window=quality.windows.recommended,
        table=systems_rows(best, prices, teachers, paper),
        paper=paper,
    )
