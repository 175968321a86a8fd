"""What a conversion read, wrote, dropped and changed, per split: ``stats.json`` and ``stats.md``.

``events`` are reader events counted over all source annotations, mapped or ignored
(``surface_whitespace``, ``discontinuous_joined``, ``discontinuous_first_fragment``,
``individual_mention_skipped/<type>``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..labels import LABELS
from ..markdown import markdown_table

SUMMED = ("docs_read", "docs", "tokens", "duplicate_spans")
COUNTED = (
    "spans",
    "source_spans",
    "ignored_spans",
    "misaligned",
    "whitespace_trimmed",
    "whitespace_only",
    "overlap_removed",
    "skipped",
    "events",
)


@dataclass
class SplitStats:
    """Counts for one split; everything a conversion drops or changes is counted here."""

    docs_read: int = 0
    docs: int = 0
    tokens: int = 0
    spans: Counter = field(default_factory=Counter)
    source_spans: Counter = field(default_factory=Counter)
    ignored_spans: Counter = field(default_factory=Counter)
    misaligned: Counter = field(default_factory=Counter)
    whitespace_trimmed: Counter = field(default_factory=Counter)
    whitespace_only: Counter = field(default_factory=Counter)
    overlap_removed: Counter = field(default_factory=Counter)
    duplicate_spans: int = 0
    skipped: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)

    def add(self, other: SplitStats) -> None:
        """Add ``other``'s counts to these."""
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in COUNTED:
            getattr(self, name).update(getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        """The split's record in ``stats.json`` (per-label counts for every label)."""

        def labels(counts: Counter) -> dict[str, int]:
            return {label: counts.get(label, 0) for label in LABELS}

        return {
            "docs_read": self.docs_read,
            "docs": self.docs,
            "tokens": self.tokens,
            "spans": labels(self.spans),
            "spans_total": sum(self.spans.values()),
            "source_spans": dict(sorted(self.source_spans.items())),
            "ignored_spans": dict(sorted(self.ignored_spans.items())),
            "misaligned_expanded": labels(self.misaligned),
            "whitespace_trimmed": labels(self.whitespace_trimmed),
            "whitespace_only_dropped": labels(self.whitespace_only),
            "overlap_removed": labels(self.overlap_removed),
            "duplicate_spans": self.duplicate_spans,
            "skipped_docs": dict(sorted(self.skipped.items())),
            "events": dict(sorted(self.events.items())),
        }


@dataclass
class CorpusStats:
    """A converted corpus: its splits' counts and the reader's ``info`` (e.g. where splits come from)."""

    dataset: str
    splits: dict[str, SplitStats]
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``stats.json``: dataset, info, each split's record and their ``total``."""
        total = SplitStats()
        for st in self.splits.values():
            total.add(st)
        return {
            "dataset": self.dataset,
            **self.info,
            "splits": {name: st.to_dict() for name, st in self.splits.items()},
            "total": total.to_dict(),
        }

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows of a per-split summary table."""
        data = self.to_dict()
        header = ["split", "docs", "tokens", *LABELS, "misaligned", "overlap_removed", "skipped"]
        rows = []
        for name, st in [*data["splits"].items(), ("total", data["total"])]:
            rows.append(
                [
                    name,
                    st["docs"],
                    st["tokens"],
                    *(st["spans"][label] for label in LABELS),
                    sum(st["misaligned_expanded"].values()),
                    sum(st["overlap_removed"].values()),
                    sum(st["skipped_docs"].values()),
                ]
            )
        return header, rows

    def markdown(self) -> str:
        """``stats.md``: the per-split table under the dataset's name."""
        return f"# {self.dataset}\n\n" + markdown_table(*self.table())
