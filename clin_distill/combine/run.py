"""The combine step end to end: subset search on gold dev, the chosen plan on the training
texts, the files.

Dev docs are scored only where every listed teacher labelled them, so every subset is
compared on the same docs, and each label only on the dev docs whose corpus annotates it. A
teacher that labelled no dev doc at all (e.g. an LLM that failed on every note) cannot be
scored: it is left out of the search and the plan, and reported under ``teachers_dropped``.
``weighted`` estimates its weights on those dev docs; ``dawid_skene`` is fit, without gold,
on the split it labels (its dev score is in-sample).

Outputs in ``out_dir``: ``train.spacy``, the distilled training corpus (the plan over the
pool's train split and the user's notes; every doc annotated for every label the plan
decides), and ``dev.spacy``/``test.spacy``, the plan's labels on dev and test, scored like a
teacher by the evaluate step (``failures.json`` lists the docs the failure rule excluded).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.vocab import Vocab

from ..docio import atomic_path, get_doc_id, read_docbin, write_docbin
from ..labels import LABELS
from ..offsets import token_runs
from ..split_names import NOTES, SCORED_SPLITS
from ..stepfiles.combine import (
    CombineChoice,
    DevSummary,
    DisagreementsSummary,
    SplitWritten,
    StrategyScores,
    SubsetRow,
    SubsetSearch,
)
from ..stepfiles.failures import Failures
from .apply import ON_FAILURE, Part, combine, plan_labels, plan_teachers, to_docs
from .choice import comparison_markdown, label_choices, train_summary
from .dawid_skene import DawidSkene
from .disagreements import review_record, top_disagreements, write_review_jsonl
from .strategies import Intersection, KOfN, Strategy, Union, Weighted, Weights, estimate_weights
from .subsets import (
    SEARCH_STRATEGIES,
    all_subsets,
    best_parts,
    choose_best,
    score_plan,
    search_subsets,
    subsets_markdown,
    table_rows,
)
from .teachers import DocVotes, collect_votes, load_checked_split, merge_splits
from .uncertain import MODES, agreed_spans, uncertain_runs
from .unknown import check_sources, load_candidates, unknown_tokens

NAMED = ("union", "intersection", "vote", "weighted", "dawid_skene")
STRATEGIES = ("best", *NAMED)


def named_strategy(name: str, weights: Weights, min_votes: int = 0) -> Strategy:
    """A strategy by its CLI name; ``vote`` is a strict majority unless ``min_votes`` > 0."""
    if name == "union":
        return Union()
    if name == "intersection":
        return Intersection()
    if name == "vote":
        return KOfN(min_votes or None)
    if name == "weighted":
        return Weighted(weights)
    if name == "dawid_skene":
        return DawidSkene()
    raise ValueError(f"unknown strategy {name!r}; choose one of {STRATEGIES}")


@dataclass
class CombineReport:
    """``choice.json``'s content, every subset row, and the console table (labels with gold)."""

    choice: CombineChoice
    rows: list[SubsetRow]
    table: list[list[str]]


def _score_summary(scores: dict, labels: Sequence[str]) -> StrategyScores:
    return StrategyScores.model_validate(
        {
            mode: {k: {m: scores[mode][k][m] for m in ("p", "r", "f")} for k in (*labels, "micro")}
            for mode in ("strict", "lenient")
        }
    )


def _compare_strategies(
    dev: Sequence[DocVotes], gold, teachers: Sequence[str], weights: Weights, min_votes: int, best_plan
) -> dict[str, StrategyScores]:
    """Every named strategy over all listed teachers and labels, and ``best``, scored on dev."""
    plans = {
        name: [Part(LABELS, tuple(teachers), named_strategy(name, weights, min_votes))] for name in NAMED
    }
    if best_plan:
        plans["best"] = best_plan
    return {name: _score_summary(score_plan(dev, gold, plan, LABELS), LABELS) for name, plan in plans.items()}


def run_combine(
    teachers_dir: Path,
    gold_dir: Path,
    out_dir: Path,
    metrics_dir: Path,
    dataset: str,
    teachers: Sequence[str],
    strategy: str = "best",
    n_disagreements: int = 50,
    min_votes: int = 0,
    on_failure: str = "exclude",
    uncertain: str = "off",
    unknown: Sequence[str] = (),
    candidates_dir: Path | None = None,
) -> CombineReport:
    """Run the combine step (see the module docstring).

    Args:
        teachers_dir: ``corpus/teachers``: each teacher's ``<dataset>/{train,dev,test,notes}.spacy``
            and ``failures.json``.
        gold_dir: the gold corpus (``dev.spacy`` scores the search; dev and test get the plan).
        out_dir: ``corpus/distilled``. metrics_dir: ``metrics/combine``.
        teachers: the teachers to combine. strategy: ``best`` or one of ``NAMED``.
        n_disagreements: docs exported for review. min_votes: k of ``vote`` (0: strict majority).
        on_failure: ``exclude`` a doc a plan teacher did not label, or let that teacher ``abstain``.
        uncertain: ``off``, ``dropped`` or ``disputed``: which tokens of the distilled corpus become
            missing values instead of "O" or entities (:mod:`.uncertain`).
        unknown: candidate sources whose phrases no teacher labels become missing values
            (:mod:`.unknown`; empty: none); ``candidates_dir`` holds them (the candidates step).

    Writes ``out_dir/{train,dev,test}.spacy`` and ``failures.json``; ``metrics_dir/subsets.json``
    (:class:`~clin_distill.stepfiles.combine.SubsetSearch`), ``choice.json``
    (:class:`~clin_distill.stepfiles.combine.CombineChoice`), ``subsets.md`` and ``disagreements.jsonl``
    (mode 0600: it holds note text).

    Raises:
        ValueError: an unknown strategy or failure rule, no teachers, no teacher (or no dev doc
            labelled by every teacher) to score, or no label with gold on dev under ``best``.
        FileNotFoundError: the gold dev set or a teacher's outputs are missing.
    """
    if uncertain not in MODES:
        raise ValueError(f"uncertain must be one of {MODES}, got {uncertain!r}")
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {STRATEGIES}")
    if on_failure not in ON_FAILURE:
        raise ValueError(f"on_failure must be one of {ON_FAILURE}, got {on_failure!r}")
    if not teachers:
        raise ValueError("no teachers listed")
    check_sources(unknown)
    if unknown and candidates_dir is None:
        raise ValueError("unknown-phrase marking needs the candidates folder (run the candidates step)")
    gold_path = Path(gold_dir) / "dev.spacy"
    if not gold_path.is_file():
        raise FileNotFoundError(f"gold dev set {gold_path} is missing")
    listed = list(teachers)
    vocab = Vocab()
    gold_dev = read_docbin(gold_path, vocab)
    dev_splits = [load_checked_split(teachers_dir, t, dataset, "dev", vocab, gold_dir) for t in teachers]
    train_splits = [
        merge_splits(
            [load_checked_split(teachers_dir, t, dataset, s, vocab, gold_dir) for s in ("train", NOTES)],
            "train",
        )
        for t in teachers
    ]
    gold_ids = {get_doc_id(doc) for doc in gold_dev}
    dropped = {
        s.teacher: f"labelled 0 of {len(gold_ids)} dev docs"
        for s in dev_splits
        if not s.docs.keys() & gold_ids
    }
    if len(dropped) == len(teachers):
        raise ValueError(f"no listed teacher labelled any {dataset} dev doc: nothing to score")
    teachers = [t for t in teachers if t not in dropped]
    dev_splits = [s for s in dev_splits if s.teacher not in dropped]
    train_splits = [s for s in train_splits if s.teacher not in dropped]

    dev_votes, dev_counts = collect_votes(dev_splits, gold_dev)
    dev = [dv for dv in dev_votes if not dv.failed]
    if not dev:
        raise ValueError(f"no {dataset} dev doc was labelled by every listed teacher: nothing to score")
    rows = search_subsets(dev, gold_dev, teachers, LABELS)
    best = choose_best(rows, LABELS)
    weights = estimate_weights(
        {s.teacher: [s.docs[dv.doc_id] for dv in dev] for s in dev_splits}, gold_dev, LABELS
    )
    if strategy == "best":
        parts = best_parts(best)
        if not parts:
            raise ValueError(f"no label has gold spans on {dataset} dev; pick a named --strategy instead")
    else:
        parts = [Part(LABELS, tuple(teachers), named_strategy(strategy, weights, min_votes))]
    comparison = _compare_strategies(dev, gold_dev, teachers, weights, min_votes, best_parts(best))

    train_votes, train_counts = collect_votes(train_splits)
    combined = combine(train_votes, parts, on_failure)
    decided = plan_labels(parts)
    if uncertain == "disputed":
        combined.spans = {
            dv.doc_id: agreed_spans(dv, combined.spans[dv.doc_id], parts)
            for dv in train_votes
            if dv.doc_id in combined.spans
        }
    missing = (
        {dv.doc_id: uncertain_runs(dv, combined.spans.get(dv.doc_id, []), decided) for dv in train_votes}
        if uncertain != "off"
        else {}
    )
    unknown_counts: Counter = Counter()
    marked: dict[str, set[int]] = {}
    if unknown:
        candidates = load_candidates(candidates_dir, gold_dir)
        marked = {
            dv.doc_id: unknown_tokens(dv, candidates.get(dv.doc_id, []), unknown, unknown_counts)
            for dv in train_votes
        }
    untaught = {
        doc_id: list(
            token_runs(
                {i for s, e in missing.get(doc_id, ()) for i in range(s, e)} | marked.get(doc_id, set())
            )
        )
        for doc_id in missing.keys() | marked.keys()
    }
    written = write_docbin(Path(out_dir) / "train.spacy", to_docs(train_votes, combined, decided, untaught))
    evaluated = _write_evaluation_splits(
        teachers_dir, gold_dir, out_dir, dataset, plan_teachers(parts), parts
    )
    top, too_few = top_disagreements(train_votes, n_disagreements)
    kept = set(combined.kept)
    write_review_jsonl(
        Path(metrics_dir) / "disagreements.jsonl",
        (review_record(dv, score, combined.spans.get(dv.doc_id, []), dv.doc_id in kept) for dv, score in top),
    )

    choice = CombineChoice(
        dataset=dataset,
        strategy=strategy,
        on_failure=on_failure,
        teachers_listed=listed,
        teachers_dropped=dropped,
        teachers_selected=list(plan_teachers(parts)),
        labels=label_choices(strategy, best, teachers),
        fitted=[f.describe() for f in combined.fitted],
        dev=DevSummary(
            docs_scored=len(dev),
            docs_skipped_a_teacher_did_not_label=len(dev_votes) - len(dev),
            input_counts=dict(dev_counts),
            chosen_plan=comparison[strategy],
        ),
        labels_decided=list(plan_labels(parts)),
        evaluation_splits=evaluated,
        train=train_summary(
            len(train_votes),
            written,
            combined,
            train_counts,
            uncertain,
            missing,
            marked,
            unknown,
            unknown_counts,
        ),
        disagreements=DisagreementsSummary(
            exported=len(top), docs_with_fewer_than_two_active_teachers=too_few
        ),
    )
    subsets = SubsetSearch(
        dataset=dataset,
        split="dev",
        teachers=list(teachers),
        n_subsets=len(all_subsets(teachers)),
        strategies_searched=list(SEARCH_STRATEGIES),
        dev_docs_scored=len(dev),
        rows=rows,
        best=best,
        all_teachers=comparison,
    )
    metrics_dir = Path(metrics_dir)
    subsets.write(metrics_dir / "subsets.json")
    choice.write(metrics_dir / "choice.json")
    intro = (
        f"Dataset `{dataset}`, {len(dev)} dev docs labelled by every teacher "
        f"({subsets.n_subsets} subsets of "
        f"{', '.join(teachers)}; vote = strict majority of the subset)."
    )
    markdown = subsets_markdown(rows, best, intro) + comparison_markdown(comparison)
    with atomic_path(metrics_dir / "subsets.md") as tmp:
        tmp.write_text(markdown, encoding="utf8")
    scored_rows = [r for r in rows if best[r.label] is not None]
    return CombineReport(choice, rows, table_rows(scored_rows or rows, best))


def _write_evaluation_splits(
    teachers_dir: Path, gold_dir: Path, out_dir: Path, dataset: str, teachers: Sequence[str], parts
) -> dict[str, SplitWritten]:
    """The plan applied to each scored split (all its gold docs), for the evaluate step."""
    failures: dict[str, list[str]] = {}
    summary: dict[str, SplitWritten] = {}
    for split in SCORED_SPLITS:
        gold_path = Path(gold_dir) / f"{split}.spacy"
        if not gold_path.is_file():
            continue
        vocab = Vocab()
        gold = read_docbin(gold_path, vocab)
        votes, _ = collect_votes(
            [load_checked_split(teachers_dir, t, dataset, split, vocab, gold_dir) for t in teachers], gold
        )
        combined = combine(votes, parts)
        written = write_docbin(Path(out_dir) / f"{split}.spacy", to_docs(votes, combined))
        failures[split] = sorted(combined.excluded)
        summary[split] = SplitWritten(docs=len(gold), written=written, excluded=len(combined.excluded))
    Failures(failed=failures).write(Path(out_dir) / "failures.json")
    return summary
