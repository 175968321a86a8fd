"""The packaged model's ``meta.json``: spaCy's, plus the ``clin_distill`` record: labels trained and
dropped, the pool, what the model learned from, the teacher choice per label, test scores per corpus,
speed and licences. The model card (the package README spaCy writes) shows the description and
sources set here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from ..labels import LABELS
from ..runtime.assertion import ASSERTION_ATTRIBUTES
from ..stepfiles.anchored import AnchoredCorpus
from ..stepfiles.benchmark import Benchmark
from ..stepfiles.combine import CombineChoice
from ..stepfiles.pool import Pool
from ..stepfiles.system_metrics import Evaluated, SystemMetrics
from .provenance import learned_from

# Pinned to what trained the model: the serialized transformer and tokenizer are read back by these
PINNED = ("torch", "transformers", "medspacy")


@dataclass(frozen=True)
class MetaInputs:
    """The step files the meta is written from (each optional) and the packaged system's name.

    ``metrics_dir``: ``metrics`` (test scores in ``<system>/pool.json``); ``benchmark``:
    ``metrics/benchmark.json``; ``combine``: ``metrics/combine/subsets.json`` (``choice.json`` beside
    it is read); ``pool``: ``corpus/pool/pool.json``; ``anchored``: ``metrics/anchored.json``.
    """

    metrics_dir: Path | None = None
    benchmark: Path | None = None
    combine: Path | None = None
    pool: Path | None = None
    anchored: Path | None = None
    system: str = "distilled"


def pinned_requirements() -> list[str]:
    """``name==version`` for PINNED, from this environment (local labels such as ``+cpu`` dropped)."""
    return [f"{name}=={metadata.version(name).split('+')[0]}" for name in PINNED]


def licence_notes(datasets: list[str], teachers: list[str]) -> dict[str, Any]:
    """Licence notes of the corpora, the ontology teachers used (all of them if none) and the backbones."""
    notes = json.loads(
        (resources.files("clin_distill") / "resources" / "student" / "licences.json").read_text()
    )
    ontologies = notes["ontologies"]
    chosen = [t for t in teachers if t in ontologies] or list(ontologies)
    return {
        "data": {d: notes["datasets"].get(d, "see the corpus's own licence") for d in datasets},
        "ontologies": {name: ontologies[name] for name in chosen},
        "backbones": notes["backbones"],
        "note": "Teacher labels from LLM services are subject to each provider's terms of use.",
    }


def label_scores(evaluation: Evaluated) -> dict[str, Any]:
    """Strict and lenient P/R/F (with 95% CIs) of each scored label (+ micro) of a system's record
    (:class:`~clin_distill.stepfiles.system_metrics.SystemMetrics`) or one of its ``by_corpus`` parts."""
    out: dict[str, Any] = {"n_docs": evaluation.n_docs, "labels": list(evaluation.labels)}
    for mode in ("strict", "lenient"):
        table = getattr(evaluation, mode)
        out[mode] = {
            key: table[key].model_dump(include={"p", "r", "f", "ci"})
            for key in (*evaluation.labels, "micro")
            if key in table
        }
    return out


def scores_record(
    model_meta: dict, metrics_dir: Path | None, corpus: str = "pool", system: str = "distilled"
) -> dict[str, Any]:
    """Test-set scores from the evaluate step (pooled, and per source corpus on the labels each
    annotates) when present, else spaCy's label-aware dev scores from training."""
    if metrics_dir is not None:
        path = metrics_dir / system / f"{corpus}.json"
        if path.is_file():
            evaluation = SystemMetrics.read(path)
            by_corpus = {name: label_scores(part) for name, part in evaluation.by_corpus.items()}
            return {"source": str(path), "split": "test", **label_scores(evaluation), "by_corpus": by_corpus}
    perf = model_meta.get("performance", {})
    return {
        "source": "training (spaCy scorer, gold dev set, best checkpoint)",
        "split": "dev",
        "strict": {
            **{label: vals for label, vals in (perf.get("ents_per_type") or {}).items()},
            "micro": {"p": perf.get("ents_p"), "r": perf.get("ents_r"), "f": perf.get("ents_f")},
        },
    }


def trained_labels(choice: CombineChoice | None, model_labels: list[str]) -> dict[str, Any]:
    """Which labels the student was taught, and which the teacher combination dropped (and why)."""
    if choice is None:
        return {"trained": model_labels, "dropped": {}}
    return {
        "trained": [label for label in LABELS if label in choice.labels_decided],
        "dropped": choice.labels_dropped,
    }


def pool_record(pool: Path | None) -> dict[str, Any] | None:
    """The pool the teachers labelled: corpora with their split sizes and annotated labels, notes."""
    if pool is None or not pool.is_file():
        return None
    data = Pool.read(pool)
    return {
        "corpora": {
            name: {"docs": counts, "annotated_labels": data.annotated_labels.get(name, [])}
            for name, counts in data.corpora.items()
        },
        "notes": {"read": data.notes.read, "kept": data.notes.kept, "skipped": data.notes.skipped},
    }


def speed_record(path: Path) -> dict[str, Any]:
    """A compact speed summary for the model's meta (``spacy info`` prints it in one row): the best
    notes per second of each precision and its threads, int8's speed-up and F1 loss, the machine,
    and where the whole benchmark is."""
    result = Benchmark.read(path)
    summary = result.summary
    best = {run.precision: run for run in result.runs if run.name in summary.best.values()}
    return {
        "notes_per_s": {p: round(run.notes_per_s, 2) for p, run in best.items()},
        "threads": {p: run.threads for p, run in best.items()},
        "int8_speedup": summary.int8_speedup_best_vs_best,
        "int8_f1_loss_points": summary.f1_loss_points,
        "notes": result.n_docs,
        "machine": f"{result.machine.cpu_model}, {result.machine.usable_cpus} usable CPUs",
        "source": str(path),
    }


def _read(path: Path | None, model):
    return model.read(path) if path is not None and path.is_file() else None


def build_meta(model_meta: dict, name: str, version: str, inputs: MetaInputs) -> dict[str, Any]:
    """The packaged model's meta.json: spaCy's, plus the ``clin_distill`` record (labels trained and
    dropped, pool, what the model learned from, teacher choice per label, test scores of
    ``inputs.system`` per corpus, speed, licences) and the model card's description and sources.

    Raises:
        FileFormatError: a step file of the wrong schema (e.g. from an older clin-distill).
        ValueError: an unknown system, or the gold-anchored student without ``inputs.anchored``.
    """
    record = model_meta.get("clin_distill", {})
    combine = inputs.combine
    choice = _read(combine.parent / "choice.json" if combine is not None else None, CombineChoice)
    teachers = choice.teachers_selected if choice is not None else []
    pooled = pool_record(inputs.pool)
    origin = learned_from(
        inputs.system, choice, _read(inputs.pool, Pool), _read(inputs.anchored, AnchoredCorpus)
    )
    labels = trained_labels(choice, list(LABELS))
    meta = dict(model_meta)
    meta.update(
        {
            "name": name,
            "version": version,
            "description": (
                f"Clinical NER ({', '.join(labels['trained'])}) from LLM and ontology teachers"
                + (" and human labels" if origin["human_labels"] else "")
                + ", with medspaCy ConText assertion (negated, historical, family, hypothetical). "
                + origin["summary"]
                + (f" Not trained on: {', '.join(labels['dropped'])}." if labels["dropped"] else "")
            ),
            "sources": model_sources(origin),
            "license": "MIT (code); see clin_distill.licences for data, ontology and backbone terms",
            "requirements": pinned_requirements(),
        }
    )
    meta["clin_distill"] = {
        **record,
        "labels": labels["trained"],
        "labels_dropped": labels["dropped"],
        "assertion_attributes": list(ASSERTION_ATTRIBUTES),
        "pool": pooled,
        "learned_from": origin,
        "teacher_combination": {
            "per_label": {label: c.model_dump(exclude_defaults=True) for label, c in choice.labels.items()}
            if choice is not None
            else None,
            "teachers": teachers,
            "strategy": choice.strategy if choice is not None else None,
            "subsets_table": str(combine) if combine is not None and combine.is_file() else None,
        },
        "scores": scores_record(model_meta, inputs.metrics_dir, system=inputs.system),
        "speed": speed_record(inputs.benchmark)
        if inputs.benchmark is not None and inputs.benchmark.is_file()
        else None,
    }
    datasets = list((pooled or {}).get("corpora", {})) or ["unknown"]
    meta["clin_distill"]["licences"] = licence_notes(datasets, teachers)
    return meta


def model_sources(origin: dict[str, Any]) -> list[dict[str, str]]:
    """spaCy meta ``sources`` (the model card's Sources row): the gold corpora it learned from, its
    teachers and the user's notes."""
    sources = [{"name": f"{corpus} gold ({', '.join(labels)})"} for corpus, labels in origin["gold"].items()]
    teachers = dict.fromkeys(t for info in origin["teachers"].values() for t in info["teachers"])
    sources += [{"name": f"teacher {t}"} for t in teachers]
    if origin["user_notes"]:
        sources.append({"name": f"{origin['user_notes']} user notes (teacher labels)"})
    return sources
