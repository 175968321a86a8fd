"""What a packaged student learned from: gold corpora and labels, teachers per label, user notes.

Recorded in the package's ``meta.json`` (``clin_distill.learned_from``) and its model card. The
students of the default run:

* ``distilled``: the combined teacher labels of every pool train doc and note, all three labels; no
  human label;
* ``self``: the distilled student continued on its own confident spans joined to those labels;
* ``anchored``: the distilled student continued on the gold-anchored corpus: gold spans for the
  labels each corpus annotates, the teachers' for the rest, the notes as taught
  (:mod:`clin_distill.student.anchored`).
"""

from __future__ import annotations

from typing import Any

from ..labels import LABELS
from ..stepfiles.anchored import AnchoredCorpus
from ..stepfiles.combine import CombineChoice
from ..stepfiles.pool import Pool

SYSTEMS = ("distilled", "self", "anchored")


def teacher_labels(choice: CombineChoice | None) -> dict[str, dict[str, Any]]:
    """Per label the combine step decided: its teachers and strategy."""
    if choice is None:
        return {}
    return {
        label: {"teachers": c.teachers, "strategy": c.strategy}
        for label, c in choice.labels.items()
        if label in choice.labels_decided
    }


def learned_from(
    system: str, choice: CombineChoice | None, pool: Pool | None, anchored: AnchoredCorpus | None
) -> dict[str, Any]:
    """The record for ``system`` (one of :data:`SYSTEMS`; see the module docstring).

    Raises:
        ValueError: an unknown system, or ``anchored`` without its corpus summary.
    """
    if system not in SYSTEMS:
        raise ValueError(f"system must be one of {SYSTEMS}, got {system!r}")
    if system == "anchored" and anchored is None:
        raise ValueError("the gold-anchored student needs metrics/anchored.json (run the anchor step)")
    notes = pool.notes.kept if pool is not None else 0
    teachers = teacher_labels(choice)
    gold: dict[str, list[str]] = {}
    if system == "anchored":
        gold = {corpus: labels for corpus, labels in anchored.gold_labels.items() if labels}
    taught_where = {
        label: [c for c, labels in (pool.annotated_labels if pool else {}).items() if label not in labels]
        for label in LABELS
    }
    record = {
        "system": system,
        "human_labels": bool(gold),
        "gold": gold,
        "teachers": {
            label: {
                **info,
                "on": "every pool train doc and note"
                if system != "anchored"
                else _taught_on(taught_where[label]),
            }
            for label, info in teachers.items()
        },
        "user_notes": notes,
        "continued_from": "the distilled student" if system != "distilled" else None,
        "self_training": system == "self",
    }
    record["summary"] = summary(record)
    return record


def _taught_on(corpora: list[str]) -> str:
    """Where the gold-anchored student saw a label's teacher spans: the notes, and the train docs of
    the gold corpora that do not annotate it."""
    if not corpora:
        return "the notes only"
    return f"the notes and the train docs of {', '.join(corpora)} (gold wins an overlap)"


def summary(record: dict[str, Any]) -> str:
    """One paragraph for the model card."""
    gold = "; ".join(f"{corpus} ({', '.join(labels)})" for corpus, labels in record["gold"].items())
    teachers = "; ".join(
        f"{label}: {' + '.join(info['teachers'])} ({info['strategy']})"
        for label, info in record["teachers"].items()
    )
    parts = [
        f"Human labels from {gold}, teacher labels elsewhere." if gold else "No human label.",
        f"Teachers per label: {teachers}." if teachers else "",
        f"User notes: {record['user_notes']}.",
    ]
    if record["continued_from"]:
        parts.append(f"Continued from {record['continued_from']} (teacher labels on every train doc).")
    if record["self_training"]:
        parts.append("Self-trained on its own confident spans.")
    return " ".join(p for p in parts if p)
