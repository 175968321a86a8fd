"""The teach-llm step: label a gold corpus with each configured LLM teacher.

Per teacher it writes ``<out>/<name>/<dataset>/{split}.spacy`` (failed docs excluded),
``failures.json`` (``{split: [doc_id, ...]}``) and ``grounding.json`` (per-doc drop counts),
``<metrics>/<name>.json`` (scores on gold dev/test) and ``<metrics>/<name>.usage.json``
(the ledger). ``<out>/llm_manifest.<dataset>.json`` lists what was done, also when no
teacher is configured.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from spacy.tokens import Doc
from tqdm import tqdm

from ..docio import failure_of, get_doc_id, read_docbin, write_docbin, write_json
from ..metrics.evaluate import scores_by_corpus
from ..splits import POOL_SPLITS, SCORED_SPLITS
from .cache import PromptCache
from .guard import check_endpoint
from .labeling import GROUNDING, label_docs
from .teacher import LLMTeacher, endpoint_of, load_teacher, teacher_config

SPLITS = POOL_SPLITS


def parse_names(teachers: str) -> list[str]:
    return [t.strip() for t in teachers.split(",") if t.strip()]


def teacher_paths(config_dir: Path, names: list[str]) -> dict[str, Path]:
    paths = {name: config_dir / f"{name}.cfg" for name in names}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"no teacher config: {', '.join(missing)}")
    return paths


def check_all_endpoints(paths: dict[str, Path], allow_remote: bool, urls: dict[str, str | None]) -> None:
    """Refuse up front, before any teacher runs, if any endpoint is remote without opt-in."""
    for name, path in paths.items():
        check_endpoint(endpoint_of(teacher_config(path, urls[name])), allow_remote)


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


def run_teacher(
    teacher: LLMTeacher,
    corpus_dir: Path,
    out_dir: Path,
    metrics_dir: Path,
    dataset: str,
    splits: list[str],
    max_docs: int | None,
) -> dict:
    """Label the splits, write outputs and metrics; return the manifest entry."""
    started = time.perf_counter()
    dest = out_dir / teacher.name / dataset
    failures: dict[str, list[str]] = {}
    grounding: dict[str, dict[str, dict]] = {}
    reasons: Counter = Counter()
    totals: Counter = Counter()
    scores, split_counts = {}, {}
    for split in splits:
        gold_path = corpus_dir / f"{split}.spacy"
        if not gold_path.is_file():
            raise FileNotFoundError(f"missing gold split {gold_path}")
        gold = read_docbin(gold_path)[:max_docs] if max_docs else read_docbin(gold_path)
        labelled, failed = _label_split(teacher, split, gold)
        write_docbin(dest / f"{split}.spacy", labelled)
        failures[split] = [get_doc_id(d) for d in failed]
        reasons.update(failure_of(d).split(": ", 1)[-1] for d in failed)
        grounding[split] = {get_doc_id(d): d.user_data[GROUNDING] for d in labelled}
        for counts in grounding[split].values():
            totals.update(counts)
        split_counts[split] = {"docs": len(gold), "labelled": len(labelled), "failed": len(failed)}
        if split in SCORED_SPLITS:
            scores[split] = scores_by_corpus(labelled, gold)
    wall = time.perf_counter() - started
    write_json(dest / "failures.json", failures)
    write_json(dest / "grounding.json", grounding)
    n_docs = sum(c["docs"] for c in split_counts.values())
    ledger = teacher.model.ledger.to_dict()
    usage = {
        "teacher": teacher.name,
        "model": teacher.model.name,
        "endpoint_host": urlsplit(teacher.model.base_url).hostname,
        "dataset": dataset,
        "docs": n_docs,
        "wall_s": round(wall, 3),
        "docs_per_s": round(n_docs / wall, 3) if wall else None,
        **ledger,
    }
    write_json(metrics_dir / f"{teacher.name}.usage.json", usage)
    metrics = {
        "teacher": teacher.name,
        "dataset": dataset,
        "splits": split_counts,
        "scores": scores,
        "failures_by_reason": dict(reasons),
        "grounding_dropped": {k: totals[k] for k in ("unfound", "ambiguous", "unknown_label")},
    }
    write_json(metrics_dir / f"{teacher.name}.json", metrics)
    return {
        "name": teacher.name,
        "splits": split_counts,
        "failed": sum(c["failed"] for c in split_counts.values()),
        "cost_usd": ledger["cost_usd"],
        "grounding_dropped": metrics["grounding_dropped"],
        "output": str(dest),
    }


def run_teachers(
    config_dir: Path,
    corpus_dir: Path,
    out_dir: Path,
    *,
    dataset: str,
    teachers: str,
    cache_dir: Path,
    metrics_dir: Path,
    allow_remote: bool,
    base_url: str | None = None,
    local_base_url: str | None = None,
    splits: list[str] | None = None,
    max_docs: int | None = None,
) -> dict:
    """Run every named teacher; always write the manifest. Returns it.

    ``base_url`` overrides every teacher's endpoint, ``local_base_url`` only the ``local`` one's.
    """
    names = parse_names(teachers)
    splits = splits or list(SPLITS)
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise ValueError(f"unknown split(s) {unknown}; choose from {list(SPLITS)}")
    manifest: dict = {"dataset": dataset, "splits": splits, "configured": bool(names), "teachers": []}
    if not names:
        manifest["message"] = "no LLM teachers configured (vars.llm_teachers is empty)"
    paths = teacher_paths(config_dir, names)
    urls = {name: base_url or (local_base_url if name == "local" else None) for name in names}
    check_all_endpoints(paths, allow_remote, urls)
    for name, path in paths.items():
        teacher = load_teacher(path, allow_remote=allow_remote, base_url=urls[name])
        teacher.model.use_cache(PromptCache(cache_dir / teacher.name))
        try:
            manifest["teachers"].append(
                run_teacher(teacher, corpus_dir, out_dir, metrics_dir, dataset, splits, max_docs)
            )
        finally:
            teacher.close()
    write_json(out_dir / f"llm_manifest.{dataset}.json", manifest)
    return manifest
