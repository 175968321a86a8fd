"""The combine step's two files: ``subsets.json`` (the teacher-subset search on gold dev) and
``choice.json`` (what was chosen per label, what was written, what was dropped and why).

Written by :func:`clin_distill.combine.run.run_combine`; read by the report (subsets, the local-LLM
section, labels trained and dropped) and the package step (the model's labels and teachers).
Precision, recall and F1 are fractions in [0, 1].
"""

from __future__ import annotations

from typing import Any

from .base import FileModel, Record
from .scores import PRF, F1Only


class SubsetRow(Record):
    """One (label, teacher subset, strategy) of the search, scored on the dev docs whose corpus
    annotates ``label`` (``docs`` of them)."""

    label: str
    teachers: list[str]
    strategy: str
    strict: PRF
    lenient: PRF
    docs: int


class StrategyScores(Record):
    """One plan over all labels, scored on dev: P/R/F1 per label and ``micro``, strict and lenient."""

    strict: dict[str, F1Only]
    lenient: dict[str, F1Only]


class SubsetSearch(FileModel):
    """``subsets.json``: every row of the search, the ``best`` row per label (None: no dev doc's corpus
    annotates it), and each named strategy over all teachers (``all_teachers``)."""

    SCHEMA = "clin_distill.subset_search.v1"
    dataset: str
    split: str
    teachers: list[str]
    n_subsets: int
    strategies_searched: list[str]
    dev_docs_scored: int
    rows: list[SubsetRow]
    best: dict[str, SubsetRow | None]
    all_teachers: dict[str, StrategyScores]


class DevF1(Record):
    """Strict and lenient F1 on dev."""

    strict_f: float
    lenient_f: float


class LabelChoice(Record):
    """How one label is decided: by ``teachers`` under ``strategy`` (with its ``dev`` F1 when chosen by
    the search), or ``dropped`` (why: the label is not in the distilled corpus)."""

    teachers: list[str] = []
    strategy: str | None = None
    dev: DevF1 | None = None
    dropped: str | None = None


class DevSummary(Record):
    """The dev docs the search scored, those skipped, the input counts, the chosen plan's scores."""

    docs_scored: int
    docs_skipped_a_teacher_did_not_label: int
    input_counts: dict[str, int]
    chosen_plan: StrategyScores


class SplitWritten(Record):
    """An evaluation split the plan was applied to: docs, written, excluded by the failure rule."""

    docs: int
    written: int
    excluded: int


class Excluded(Record):
    """Training docs the failure rule excluded, per plan teacher that did not label them."""

    count: int
    by_teacher: dict[str, int]
    doc_ids: list[str]


class UncertainMissing(Record):
    """Which uncertain tokens became missing values (``off``, ``dropped``, ``disputed``), in how
    many docs, over how many tokens."""

    mode: str
    docs: int
    tokens: int


class UnknownMissing(Record):
    """Candidate phrases no teacher labelled that became missing values: the candidate sources used,
    in how many docs, over how many tokens (``tokens_by_source``: the tokens each source marked)."""

    sources: list[str]
    docs: int
    tokens: int
    tokens_by_source: dict[str, int]


class TrainSummary(Record):
    """The distilled training corpus: docs, written, spans per label, exclusions and counts."""

    docs: int
    written: int
    docs_without_spans: int
    spans: dict[str, int]
    excluded: Excluded
    counts: dict[str, int]
    input_counts: dict[str, int]
    uncertain_missing: UncertainMissing
    unknown_missing: UnknownMissing


class DisagreementsSummary(Record):
    """Docs exported for review, and docs with fewer than two active teachers (not comparable)."""

    exported: int
    docs_with_fewer_than_two_active_teachers: int


class CombineChoice(FileModel):
    """``choice.json``: the strategy, the teachers listed, dropped (why) and selected, each label's
    choice, the fitted strategies (name and parameters), and what was written.

    ``labels_decided``: the labels the distilled corpus annotates (the student is trained on them).
    """

    SCHEMA = "clin_distill.combine_choice.v2"
    dataset: str
    strategy: str
    on_failure: str
    teachers_listed: list[str]
    teachers_dropped: dict[str, str]
    teachers_selected: list[str]
    labels: dict[str, LabelChoice]
    fitted: list[dict[str, Any]]
    dev: DevSummary
    labels_decided: list[str]
    evaluation_splits: dict[str, SplitWritten]
    train: TrainSummary
    disagreements: DisagreementsSummary

    @property
    def labels_dropped(self) -> dict[str, str]:
        """Labels not in the distilled corpus, with why."""
        return {label: c.dropped for label, c in self.labels.items() if c.dropped is not None}
