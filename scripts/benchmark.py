"""Benchmark the student on CPU (fp32 vs int8, threads, batching, windows) against the teachers'
speed and cost; write metrics/benchmark.json and metrics/benchmark.md and print the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from wasabi import msg

from clin_distill.bench.machine import machine_info
from clin_distill.bench.run import run_benchmark
from clin_distill.bench.tables import markdown_report, runs_table, summary_lines, systems_table, windows_table
from clin_distill.cli import Switch, comma_list, fail
from clin_distill.docio import atomic_path
from clin_distill.stepfiles.benchmark import Settings
from clin_distill.stepfiles.prices import load_prices

app = typer.Typer(add_completion=False)


def _ints(value: str, option: str) -> list[int]:
    try:
        return [int(v) for v in comma_list(value)]
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a comma-separated list of integers", param_hint=option
        ) from None


@app.command()
def main(
    model_dir: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Trained pipeline folder")],
    test_path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Gold test DocBin")],
    out_path: Annotated[Path, typer.Argument(dir_okay=False, help="metrics/benchmark.json (+ .md beside)")],
    prices_path: Annotated[
        Path, typer.Option("--prices", exists=True, dir_okay=False, help="configs/prices.cfg")
    ],
    teachers_metrics: Annotated[
        Path | None, typer.Option("--teachers-metrics", help="metrics/teachers")
    ] = None,
    max_docs: Annotated[int, typer.Option("--max-docs", min=1, help="Notes to time (first N)")] = 200,
    quick: Annotated[
        Switch, typer.Option("--quick", case_sensitive=False, help="true: one small configuration (tests)")
    ] = Switch.false,
    batch_sizes: Annotated[str, typer.Option("--batch-sizes", help="Comma-separated (default 1,16)")] = "",
    threads: Annotated[
        str, typer.Option("--threads", help="Comma-separated torch threads (default 1,2)")
    ] = "",
    budget: Annotated[
        int, typer.Option("--wordpiece-budget", min=0, help="Per sorted batch (default 4096)")
    ] = 0,
    flops_per_cycle: Annotated[int, typer.Option("--flops-per-cycle", min=0, help="Override FLOP/cycle")] = 0,
    ghz: Annotated[
        float, typer.Option("--ghz", min=0.0, help="Override the clock read from /proc/cpuinfo")
    ] = 0.0,
) -> None:
    """Benchmark the student on CPU (fp32 vs int8, threads, batching, windows) against the teachers' speed and
    cost; write metrics/benchmark.json and metrics/benchmark.md and print the tables."""
    settings = Settings.quick() if quick else Settings()
    if batch_sizes:
        settings.batch_sizes = _ints(batch_sizes, "--batch-sizes")
    if threads:
        settings.threads = _ints(threads, "--threads")
    if budget:
        settings.wordpiece_budget = budget
    try:
        prices = load_prices(prices_path)
        machine = machine_info(flops_per_cycle or None, ghz or None)
        result = run_benchmark(model_dir, test_path, teachers_metrics, prices, machine, max_docs, settings)
    except (ValueError, FileNotFoundError) as err:
        fail(str(err))
    result.write(out_path)
    with atomic_path(out_path.with_suffix(".md")) as tmp:
        tmp.write_text(markdown_report(result), encoding="utf8")
    for header, rows in (runs_table(result), windows_table(result), systems_table(result)):
        msg.table(rows, header=header, divider=True)
    for line in summary_lines(result)[2:]:
        msg.text(line)
    s = result.summary
    msg.good(
        f"Benchmarked {result.n_docs} notes: int8 {s.int8_speedup_best_vs_best:.2f}x fp32, "
        f"F1 loss {s.f1_loss_points:.2f} pts, fp32 at {s.fp32_pct_of_peak}% of FLOP peak; "
        f"wrote {out_path}"
    )


if __name__ == "__main__":
    app()
