"""How far each student is from its references, per (corpus, label) cell: the human specialist of
that corpus (the paper's comparison) and the best single teacher (what a user would run instead).

Cells are strict F1 differences in points (100 × ΔF1) on each corpus's test docs, for the labels it
annotates; a student below its reference reads negative.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics.compare import corpus_label_pairs
from .model import Note, Section, Table

HUMAN = "human"
STUDENTS = ("distilled", "self", "anchored")
MODE = "strict"


def cell_f1(result: dict, corpus: str, label: str, mode: str = MODE) -> float | None:
    """A result's F1 on one (corpus, label) cell, None where the corpus does not annotate it."""
    part = result.get("by_corpus", {}).get(corpus, {})
    if label not in part.get("labels", []):
        return None
    return part.get(mode, {}).get(label, {}).get("f")


def best_teacher_f1(results: Sequence[dict], corpus: str, label: str) -> tuple[float, str] | None:
    """The best single teacher's F1 on a cell and its name (the combination is not a single teacher)."""
    values = [
        (f, r["system"])
        for r in results
        if r.get("kind") == "teacher" and (f := cell_f1(r, corpus, label)) is not None
    ]
    return max(values) if values else None


def _points(a: float | None, b: float | None) -> str:
    return "–" if a is None or b is None else f"{100 * (a - b):+.1f}"


def distances_section(results: Sequence[dict]) -> Section | None:
    """Rows ``<student> − human`` and ``<student> − best teacher`` per cell; None without students."""
    by_name = {r["system"]: r for r in results}
    students = [name for name in STUDENTS if name in by_name]
    if not students:
        return None
    pairs = corpus_label_pairs(list(results))
    header = ["distance (strict F1 points)", *(f"{c} {lab}" for c, lab in pairs)]
    rows = []
    human = by_name.get(HUMAN)
    for name in students:
        if human is not None:
            rows.append(
                [
                    f"{name} − human specialist",
                    *(_points(cell_f1(by_name[name], c, lab), cell_f1(human, c, lab)) for c, lab in pairs),
                ]
            )
    for name in students:
        teachers = [best_teacher_f1(results, c, lab) for c, lab in pairs]
        rows.append(
            [
                f"{name} − best single teacher",
                *(
                    _points(cell_f1(by_name[name], c, lab), best[0] if best else None)
                    for (c, lab), best in zip(pairs, teachers, strict=True)
                ),
            ]
        )
    note = Note(
        "Strict F1 differences in points on each corpus's test docs. The human specialist of a cell is the "
        "student trained on that corpus's gold train alone (its labels only, selected on its dev); "
        "distilled and self never saw a human label; anchored learned gold where a corpus annotates a label."
    )
    return Section("Distance to the human reference and to the best teacher", [Table(header, rows), note])
