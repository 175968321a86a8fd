"""The teach-llm step: label a gold corpus with each configured LLM teacher and write what it gave.

Its one job is the step's inputs and outputs. Before the first request every teacher config is read
and checked (:func:`~.teacher.read_teacher`: the PHI guard first) and every gold split is read and its
doc ids checked; then each teacher is built, and :func:`run_teacher` opens its cache folder, labels
every split through :func:`~.labeling.label_docs` and writes the files.

Per teacher it writes ``<out>/<name>/<dataset>/{split}.spacy`` (failed docs excluded),
``failures.json`` and ``grounding.json`` (per-doc drop counts), ``<metrics>/<name>.json`` (scores on
gold dev/test) and ``<metrics>/<name>.usage.json`` (the ledger); see :func:`run_teacher`.
``<out>/llm_manifest.<dataset>.json`` lists what was done, also when no teacher is configured.

Calls: :mod:`.teacher` (read, build, open the cache, close), :mod:`.labeling` (the docs), then the
step files (DocBins, :mod:`clin_distill.stepfiles`) and the scorer.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc
from tqdm import tqdm

from ..docio import DOC_ID, failure_of, get_doc_id, read_docbin, write_docbin, write_json
from ..metrics.evaluate import scores_by_corpus
from ..split_names import NOTES, POOL_SPLITS, SCORED_SPLITS
from ..stepfiles.failures import Failures
from ..stepfiles.llm_usage import LLMUsage, ServerInfo
from ..stepfiles.teacher_metrics import SplitRun, TeacherMetrics
from .guard import host_of
from .labeling import GROUNDING, label_docs
from .teacher import LLMTeacher, TeacherSpec, read_teacher

SPLITS = POOL_SPLITS
LOCAL = "local"  # the teacher whose endpoint and model name come from --local-base-url/--local-model


def teacher_paths(config_dir: Path, names: list[str]) -> dict[str, Path]:
    """``config_dir/<name>.cfg`` per name; FileNotFoundError naming every missing one."""
    paths = {name: config_dir / f"{name}.cfg" for name in names}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no teacher config: {', '.join(missing)}")
    return paths


def check_splits(splits: list[str]) -> None:
    """ValueError for splits a teacher cannot label."""
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise ValueError(f"unknown split(s) {unknown}; choose from {list(SPLITS)}")


def read_gold(corpus_dir: Path, splits: list[str], max_docs: int | None) -> dict[str, list[Doc]]:
    """Every split's gold docs, checked before any request is paid for: each doc has a
    non-empty id, unique within its split (the outputs are keyed by it). The user's notes are
    optional: a corpus without ``notes.spacy`` has none."""
    check_splits(splits)
    gold = {}
    for split in splits:
        path = corpus_dir / f"{split}.spacy"
        if not path.is_file() and split == NOTES:
            continue
        if not path.is_file():
            raise FileNotFoundError(f"missing gold split {path}")
        docs = read_docbin(path)[:max_docs] if max_docs else read_docbin(path)
        seen: dict[str, int] = {}
        for i, doc in enumerate(docs):
            doc_id = doc.user_data.get(DOC_ID)
            if not isinstance(doc_id, str) or not doc_id.strip():
                raise ValueError(
                    f"{path}: doc {i} has no doc id (convert the corpus with scripts/convert*.py)"
                )
            if doc_id in seen:
                raise ValueError(f"{path}: doc id {doc_id!r} is used by docs {seen[doc_id]} and {i}")
            seen[doc_id] = i
        gold[split] = docs
    return gold


def _label_split(teacher: LLMTeacher, split: str, gold: list[Doc]) -> tuple[list[Doc], list[Doc]]:
    ledger = teacher.model.ledger
    labelled, failed = [], []
    with tqdm(total=len(gold), desc=f"{teacher.name}/{split}", unit="doc", leave=False) as bar:

        def on_batch(docs: list[Doc]) -> None:
            bar.update(len(docs))
            failed_now = sum(failure_of(d) is not None for d in docs)
            bar.set_postfix(cost=f"${ledger.cost_usd:.4f}", failed=len(failed) + failed_now, refresh=False)

        for doc in label_docs(teacher, gold, on_batch):
            (failed if failure_of(doc) is not None else labelled).append(doc)
    return labelled, failed


@dataclass(frozen=True)
class LocalRun:
    """The local-llm step's run: the server it started, its few-shot examples file and its cap.

    A teacher run with one is the small model standing in for an LLM offline (``small_local_model``).
    """

    server: ServerInfo
    examples: str | None
    max_docs_per_split: int | None


def run_teacher(
    teacher: LLMTeacher,
    gold_splits: dict[str, list[Doc]],
    out_dir: Path,
    metrics_dir: Path,
    dataset: str,
    cache_dir: Path,
    local: LocalRun | None = None,
) -> dict:
    """Open the teacher's cache folder (``cache_dir/<teacher>``), label the gold splits
    (:func:`read_gold`) and write the teacher's files.

    Writes ``<out_dir>/<teacher>/<dataset>/{split}.spacy`` (failed docs left out), ``failures.json``
    (:class:`~clin_distill.stepfiles.failures.Failures`) and ``grounding.json`` (per split, per doc id:
    mentions dropped as unfound, ambiguous or of an unknown label), ``<metrics_dir>/<teacher>.json``
    (:class:`~clin_distill.stepfiles.teacher_metrics.TeacherMetrics`) and ``<teacher>.usage.json``
    (:class:`~clin_distill.stepfiles.llm_usage.LLMUsage`: tokens, USD, seconds).

    Returns:
        The manifest entry: ``name``, ``splits`` (docs, labelled, failed per split), ``failed``,
        ``cost_usd`` (USD), ``grounding_dropped`` and ``output`` (the DocBin folder).
    """
    teacher.open_cache(cache_dir)
    started = time.perf_counter()
    dest = out_dir / teacher.name / dataset
    failures: dict[str, list[str]] = {}
    grounding: dict[str, dict[str, dict]] = {}
    reasons: Counter = Counter()
    totals: Counter = Counter()
    scores, split_counts = {}, {}
    for split, gold in gold_splits.items():
        labelled, failed = _label_split(teacher, split, gold)
        write_docbin(dest / f"{split}.spacy", labelled)
        failures[split] = [get_doc_id(d) for d in failed]
        reasons.update(failure_of(d).split(": ", 1)[-1] for d in failed)
        grounding[split] = {get_doc_id(d): d.user_data[GROUNDING] for d in labelled}
        for counts in grounding[split].values():
            totals.update(counts)
        split_counts[split] = SplitRun(docs=len(gold), labelled=len(labelled), failed=len(failed))
        if split in SCORED_SPLITS:
            scores[split] = scores_by_corpus(labelled, gold)
    wall = time.perf_counter() - started
    cap = local.max_docs_per_split if local else None
    Failures(failed=failures, capped={split: cap for split in gold_splits} if cap else {}).write(
        dest / "failures.json"
    )
    write_json(dest / "grounding.json", grounding)
    n_docs = sum(c.docs for c in split_counts.values())
    ledger = teacher.model.ledger.record()
    LLMUsage(
        **ledger.model_dump(),
        teacher=teacher.name,
        model=teacher.model.name,
        endpoint_host=host_of(teacher.model.base_url),
        dataset=dataset,
        docs=n_docs,
        wall_s=round(wall, 3),
        docs_per_s=round(n_docs / wall, 3) if wall else None,
        server=local.server if local else None,
        examples=local.examples if local else None,
        max_docs_per_split=local.max_docs_per_split if local else None,
    ).write(metrics_dir / f"{teacher.name}.usage.json")
    dropped = {k: totals[k] for k in ("unfound", "ambiguous", "unknown_label")}
    TeacherMetrics(
        teacher=teacher.name,
        kind="llm",
        dataset=dataset,
        splits=split_counts,
        scores=scores,
        failures_by_reason=dict(reasons),
        grounding_dropped=dropped,
        small_local_model=local is not None,
    ).write(metrics_dir / f"{teacher.name}.json")
    return {
        "name": teacher.name,
        "splits": {split: c.model_dump() for split, c in split_counts.items()},
        "failed": sum(c.failed for c in split_counts.values()),
        "cost_usd": ledger.cost_usd,
        "grounding_dropped": dropped,
        "output": str(dest),
    }


def run_teachers(
    config_dir: Path,
    corpus_dir: Path,
    out_dir: Path,
    *,
    dataset: str,
    teachers: Sequence[str],
    cache_dir: Path,
    metrics_dir: Path,
    allow_remote: bool,
    base_url: str | None = None,
    local_base_url: str | None = None,
    local_model: str | None = None,
    splits: Sequence[str] | None = None,
    max_docs: int | None = None,
) -> dict:
    """Run every named teacher (duplicates once, in order); always write the manifest. Returns it.

    ``base_url`` overrides every teacher's endpoint, ``local_base_url`` and ``local_model`` the
    ``local`` one's. Configs (endpoints first) and the gold corpus are all checked before the first
    request, and every teacher is built before the first one runs.
    """
    if isinstance(teachers, str):
        raise TypeError(
            "teachers is a list of names; a script parses its text with clin_distill.cli.comma_list"
        )
    names = list(dict.fromkeys(teachers))
    splits = list(splits or SPLITS)
    check_splits(splits)
    manifest: dict = {"dataset": dataset, "splits": splits, "configured": bool(names), "teachers": []}
    if not names:
        manifest["message"] = "no LLM teachers configured (vars.llm_teachers is empty)"
    specs: list[TeacherSpec] = []
    for name, path in teacher_paths(config_dir, names).items():
        url = base_url or (local_base_url if name == LOCAL else None)
        model = local_model if name == LOCAL else None
        specs.append(read_teacher(path, allow_remote=allow_remote, base_url=url, model_name=model))
    gold = read_gold(corpus_dir, splits, max_docs) if names else {}
    loaded: list[LLMTeacher] = []
    try:
        for spec in specs:
            loaded.append(spec.build())
        for teacher in loaded:
            manifest["teachers"].append(run_teacher(teacher, gold, out_dir, metrics_dir, dataset, cache_dir))
            teacher.close()
    finally:  # a teacher stopped by an error: its journal stays open, the next run reports its cost
        for teacher in loaded[len(manifest["teachers"]) :]:
            teacher.close(finished=False)
    write_json(out_dir / f"llm_manifest.{dataset}.json", manifest)
    return manifest
