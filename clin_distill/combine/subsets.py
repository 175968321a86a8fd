"""The subset search: every non-empty teacher subset, per label, under union and vote.

Each (label, subset, strategy) is one :class:`.apply.Part` over that label only, applied to
the gold dev docs every listed teacher labelled, and scored with
:func:`clin_distill.metrics.score_docs` (strict and lenient), which counts a label only on
the dev docs whose corpus annotates it: with a pooled dev set, DISEASE is chosen on every
corpus that annotates diseases, SYMPTOM on those that annotate symptoms. ``best`` takes, per
label, the row with the highest strict F1; ties go to the higher lenient F1, then fewer
teachers, then union before vote, then the subset listed first. Only a label that no dev
doc's corpus annotates has no evidence to choose from; it is dropped from the distilled corpus.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from spacy.tokens import Doc
from tqdm import tqdm

from ..markdown import markdown_table
from ..metrics.spans import score_docs
from ..stepfiles.combine import SubsetRow
from .apply import Part, combine, to_docs
from .strategies import KOfN, Strategy, Union
from .teachers import DocVotes

SEARCH_STRATEGIES: dict[str, type[Strategy]] = {"union": Union, "vote": KOfN}


def all_subsets(teachers: Sequence[str]) -> list[tuple[str, ...]]:
    """Every non-empty subset (2^n − 1 of them), smallest first, in the teachers' order."""
    if len(set(teachers)) != len(teachers):
        raise ValueError("teacher names must be unique")
    return [c for r in range(1, len(teachers) + 1) for c in itertools.combinations(teachers, r)]


def score_plan(
    docs: Sequence[DocVotes], gold_docs: Sequence[Doc], parts: Sequence[Part], labels: Sequence[str]
) -> dict:
    """Combine ``docs`` under ``parts`` and score the kept docs against gold."""
    combined = combine(docs, parts)
    return score_docs(to_docs(docs, combined), gold_docs, labels)


def search_subsets(
    docs: Sequence[DocVotes], gold_docs: Sequence[Doc], teachers: Sequence[str], labels: Sequence[str]
) -> list[SubsetRow]:
    """One row per (label, subset, strategy); ``docs``: the dev docs whose corpus annotates the label."""
    rows: list[SubsetRow] = []
    for subset in tqdm(all_subsets(teachers), desc="teacher subsets", unit="subset"):
        for name, strategy_cls in SEARCH_STRATEGIES.items():
            for label in labels:
                part = Part((label,), subset, strategy_cls())
                scores = score_plan(docs, gold_docs, [part], [label])
                rows.append(
                    SubsetRow(
                        label=label,
                        teachers=list(subset),
                        strategy=name,
                        strict=scores["strict"][label],
                        lenient=scores["lenient"][label],
                        docs=scores["docs_per_label"][label],
                    )
                )
    return rows


def choose_best(rows: Sequence[SubsetRow], labels: Sequence[str]) -> dict[str, SubsetRow | None]:
    """Per label, the best row (see the module docstring), or ``None`` when no dev doc annotates it."""
    order = {tuple(row.teachers): i for i, row in enumerate(rows)}
    strategy_rank = {name: i for i, name in enumerate(SEARCH_STRATEGIES)}
    best: dict[str, SubsetRow | None] = {}
    for label in labels:
        candidates = [r for r in rows if r.label == label]
        if not candidates or not candidates[0].docs:
            best[label] = None
            continue
        best[label] = min(
            candidates,
            key=lambda r: (
                -r.strict.f,
                -r.lenient.f,
                len(r.teachers),
                strategy_rank[r.strategy],
                order[tuple(r.teachers)],
            ),
        )
    return best


def best_parts(best: dict[str, SubsetRow | None]) -> list[Part]:
    """The plan of ``--strategy best``: one part per chosen label."""
    return [
        Part((label,), tuple(row.teachers), SEARCH_STRATEGIES[row.strategy]())
        for label, row in best.items()
        if row is not None
    ]


def _key(row: SubsetRow) -> tuple:
    return row.label, tuple(row.teachers), row.strategy


def table_rows(rows: Sequence[SubsetRow], best: dict[str, SubsetRow | None]) -> list[list[str]]:
    """Rows under :data:`TABLE_HEADER`, per label by strict F1 (best first); the chosen row is marked."""
    chosen = {_key(row) for row in best.values() if row is not None}
    ordered = sorted(rows, key=lambda r: (r.label, -r.strict.f, -r.lenient.f))
    return [
        [
            r.label,
            "+".join(r.teachers),
            r.strategy,
            *(f"{value:.3f}" for m in (r.strict, r.lenient) for value in (m.p, m.r, m.f)),
            str(r.strict.tp + r.strict.fp),
            str(r.docs),
            "✓" if _key(r) in chosen else "",
        ]
        for r in ordered
    ]


TABLE_HEADER = [
    "label",
    "teachers",
    "strategy",
    "P",
    "R",
    "F1",
    "len P",
    "len R",
    "len F1",
    "spans",
    "dev docs",
    "chosen",
]


def subsets_markdown(rows: Sequence[SubsetRow], best: dict[str, SubsetRow | None], intro: str) -> str:
    """``subsets.md``: the rule, dropped labels, and every row (:func:`table_rows`)."""
    lines = [
        "# Teacher subsets on gold dev",
        "",
        intro,
        "",
        "P/R/F1 are strict (exact boundaries and label); `len` columns are lenient (any overlap, same "
        "label). `spans` is the number of predicted spans; `dev docs` the dev docs whose corpus "
        "annotates the label (the only docs it is scored on); ✓ marks the subset chosen by `best`.",
        "",
    ]
    for label, row in best.items():
        if row is None:
            lines.append(
                f"- **{label}**: no dev doc's corpus annotates it; dropped from the distilled corpus."
            )
    lines += ["", markdown_table(TABLE_HEADER, table_rows(rows, best))]
    return "\n".join(lines)
