"""What the combine step records beside the distilled corpus: each label's choice, what the training
corpus holds (``choice.json``, :class:`~clin_distill.stepfiles.combine.CombineChoice`), and the strategies
compared on dev (``subsets.md``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..labels import LABELS
from ..markdown import markdown_table
from ..stepfiles.combine import (
    DevF1,
    Excluded,
    LabelChoice,
    StrategyScores,
    SubsetRow,
    TrainSummary,
    UncertainMissing,
    UnknownMissing,
)
from .apply import Combined


def label_choices(
    strategy: str, best: dict[str, SubsetRow | None], teachers: Sequence[str]
) -> dict[str, LabelChoice]:
    """Per label: the teachers and strategy deciding it (with its dev F1 under ``best``), or why it
    was dropped (no dev doc's corpus annotates it)."""
    if strategy != "best":
        return {label: LabelChoice(teachers=list(teachers), strategy=strategy) for label in LABELS}
    return {
        label: LabelChoice(dropped="no dev doc's corpus annotates it")
        if row is None
        else LabelChoice(
            teachers=row.teachers,
            strategy=row.strategy,
            dev=DevF1(strict_f=row.strict.f, lenient_f=row.lenient.f),
        )
        for label, row in best.items()
    }


def train_summary(
    docs: int,
    written: int,
    combined: Combined,
    input_counts: Counter,
    mode: str,
    missing: dict,
    marked: dict[str, set[int]] | None = None,
    unknown: Sequence[str] = (),
    unknown_counts: Counter | None = None,
) -> TrainSummary:
    """What the distilled training corpus holds, and what was excluded or marked missing (``missing``:
    the uncertain runs; ``marked``: the unknown-phrase tokens, ``unknown_counts`` per source)."""
    kept = combined.kept
    spans_by_label = Counter(s[2] for doc_id in kept for s in combined.spans[doc_id])
    return TrainSummary(
        docs=docs,
        written=written,
        docs_without_spans=sum(1 for d in kept if not combined.spans[d]),
        spans={label: spans_by_label[label] for label in LABELS},
        excluded=Excluded(
            count=len(combined.excluded),
            by_teacher=dict(Counter(t for missing in combined.excluded.values() for t in missing)),
            doc_ids=sorted(combined.excluded),
        ),
        counts=dict(combined.counts),
        input_counts=dict(input_counts),
        uncertain_missing=UncertainMissing(
            mode=mode,
            docs=sum(1 for d in kept if missing.get(d)),
            tokens=sum(e - s for d in kept for s, e in missing.get(d, ())),
        ),
        unknown_missing=UnknownMissing(
            sources=list(unknown),
            docs=sum(1 for d in kept if (marked or {}).get(d)),
            tokens=sum(len((marked or {}).get(d, ())) for d in kept),
            tokens_by_source=dict(unknown_counts or {}),
        ),
    )


def comparison_markdown(comparison: dict[str, StrategyScores]) -> str:
    """The subsets.md section comparing the named strategies over all teachers and labels."""
    header = ["strategy (all teachers)", *(f"{lab} F1" for lab in LABELS), "micro P", "micro R", "micro F1"]
    lines = [
        "",
        "## Strategies over all teachers and labels (dev, strict)",
        "",
        "`weighted` uses weights estimated on this dev set and `dawid_skene` is fit on it, so both "
        "are in-sample here; `best` is the per-label choice above.",
        "",
    ]
    rows = []
    for name, scores in comparison.items():
        strict = scores.strict
        cells = [name, *(f"{strict[lab].f:.3f}" for lab in LABELS)]
        rows.append(
            cells + [f"{strict['micro'].p:.3f}", f"{strict['micro'].r:.3f}", f"{strict['micro'].f:.3f}"]
        )
    return "\n".join(lines) + "\n" + markdown_table(header, rows)
