"""The report's speed and cost section: the benchmark's summary and tables (``metrics/benchmark.json``,
the same tables the benchmark step prints), and the paper's speed and cost anchors."""

from __future__ import annotations

from pathlib import Path

from ..bench.tables import runs_table, summary_lines, systems_table, windows_table
from ..stepfiles.benchmark import Benchmark
from .model import Note, Section, Table

TITLE = "Speed and cost (benchmark)"


def paper_speed_table(anchors: dict) -> Table:
    """The paper's distilled student: how many times faster and cheaper than each LLM teacher."""
    speed = [
        [a["versus"], f"{a['faster']}× faster", f"{a['cheaper']}× cheaper"]
        for a in anchors.get("speed_cost", [])
    ]
    return Table(["distilled BioBERT vs", "speed", "cost"], speed, "Paper anchors: speed and cost")


def speed_section(path: Path, anchors: dict) -> Section:
    """The benchmark's summary lines and tables, then the paper's anchors."""
    paper = paper_speed_table(anchors)
    if not path.is_file():
        return Section(TITLE, [Note(f"Benchmark not run: {path} not found.", warn=True), paper])
    result = Benchmark.read(path)
    blocks: list = [Note(line) for line in summary_lines(result)]
    for title, (header, rows) in (
        ("Student and teachers: notes/s, $ per 1,000 notes, ratios", systems_table(result)),
        ("Span windows (fp32)", windows_table(result)),
        ("Student runs", runs_table(result)),
    ):
        blocks.append(Table(header, [[str(cell) for cell in row] for row in rows], title))
    blocks += [Note(f"From {path}."), paper]
    return Section(TITLE, blocks)
