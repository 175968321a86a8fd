"""The report's sections on the teacher combination: the labels the student was trained on (and
those dropped, with why), and the teacher-subset search (``metrics/combine/{choice,subsets}.json``)."""

from __future__ import annotations

from pathlib import Path

from ..combine.subsets import TABLE_HEADER, table_rows
from ..labels import LABELS
from ..stepfiles.combine import CombineChoice, SubsetSearch
from .model import Note, Section, Table

LABELS_TITLE = "Labels the distilled student was trained on"
SUBSETS_TITLE = "Teacher subsets (combine)"


def labels_section(path: Path) -> Section:
    """Per label: trained on or dropped, the teachers and strategy that decide it, and its dev F1."""
    if not path.is_file():
        return Section(LABELS_TITLE, [Note(f"Teacher combination not run: {path} not found.", warn=True)])
    choice = CombineChoice.read(path)
    rows = []
    for label in LABELS:
        c = choice.labels.get(label)
        trained = label in choice.labels_decided
        how = f"{'+'.join(c.teachers)} ({c.strategy})" if c is not None and c.teachers else "–"
        dev = f"{c.dev.strict_f:.3f}" if c is not None and c.dev is not None else "–"
        why = c.dropped if c is not None and c.dropped else ""
        rows.append([label, "yes" if trained else "no: dropped", how, dev, why])
    trained = ", ".join(choice.labels_decided) or "none"
    dropped = "; ".join(f"{label} ({why})" for label, why in choice.labels_dropped.items())
    text = f"The distilled training corpus annotates {trained} ({choice.strategy} strategy)."
    if dropped:
        text += f" Dropped, so the student does not predict them from the teachers: {dropped}."
    return Section(
        LABELS_TITLE,
        [
            Table(["label", "trained", "decided by", "dev strict F1", "why dropped"], rows),
            Note(f"{text} From {path}.", warn=bool(dropped)),
        ],
    )


def subsets_section(path: Path, labels: list[str]) -> Section:
    """The search's rows for ``labels`` (those the gold test set annotates), the chosen row marked,
    and each named strategy over all teachers."""
    if not path.is_file():
        return Section(SUBSETS_TITLE, [Note(f"Teacher-subset search not run: {path} not found.", warn=True)])
    search = SubsetSearch.read(path)
    rows = [r for r in search.rows if r.label in labels]
    best = {label: row for label, row in search.best.items() if label in labels}
    strategies = [
        [
            name,
            *(f"{s.strict[lab].f:.3f}" if lab in s.strict else "–" for lab in labels),
            f"{s.strict['micro'].f:.3f}",
        ]
        for name, s in search.all_teachers.items()
    ]
    searched = "/".join(search.strategies_searched)
    note = (
        f"{search.n_subsets} subsets of {', '.join(search.teachers)} × {searched} on the "
        f"{search.dev_docs_scored} {search.dataset} {search.split} docs every teacher labelled. From {path}."
    )
    hidden = len(search.rows) - len(rows)
    if hidden:
        note += f" {hidden} rows for labels the gold test set does not annotate are hidden."
    return Section(
        SUBSETS_TITLE,
        [
            Table(TABLE_HEADER, table_rows(rows, best), "Every subset per label (dev; ✓ chosen by best)"),
            Table(
                ["strategy (all teachers)", *(f"{lab} F1" for lab in labels), "micro F1"],
                strategies,
                "Strategies over all teachers (dev, strict)",
            ),
            Note(note),
        ],
    )
