"""Train a student (configs/student_*.cfg) in-process with spaCy and record how it was made.

The config's ``[paths]`` are filled here: train/dev corpora, the resolved backbone and a labels file
built from :data:`clin_distill.labels.LABELS` (so the NER always knows all three labels, even when the
training corpus lacks one). The learning-rate schedule is sized to the final ``max_steps`` (10% warm-up),
the tokenizer's casing follows the backbone's vocabulary, and ``SPACY_CONFIG_OVERRIDES`` wins over
everything, as in ``spacy train``.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.cli._util import parse_config_overrides
from spacy.cli.train import train as spacy_train
from spacy.training import Example
from spacy.util import load_config

from ..backbone import BackboneChoice, backbone_lowercases, resolve_backbone
from ..docio import get_doc_id, read_docbin, write_json
from ..labels import LABELS

WARMUP_FRACTION = 0.1
TRANSFORMER = "transformer"


@dataclass(frozen=True)
class CorpusSummary:
    """A training corpus: path, docs, words and entities."""

    path: str
    docs: int
    words: int
    entities: dict[str, int]

    def record(self) -> dict[str, Any]:
        """The summary as the model's meta records it."""
        return {"path": self.path, "docs": self.docs, "words": self.words, "entities": self.entities}


def summarise_corpus(path: Path, role: str) -> CorpusSummary:
    """Count docs, words and entities per label; reject an empty corpus or a label outside LABELS."""
    docs = read_docbin(path)
    if not docs:
        raise ValueError(f"{role} corpus {path} holds 0 docs: nothing to train or select on")
    counts: Counter = Counter()
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ not in LABELS:
                raise ValueError(
                    f"{role} corpus {path}, doc {get_doc_id(doc)}: label {ent.label_!r} not in {LABELS}"
                )
            counts[ent.label_] += 1
    return CorpusSummary(
        path=str(path),
        docs=len(docs),
        words=sum(len(doc) for doc in docs),
        entities={label: counts[label] for label in LABELS},
    )


def write_ner_labels(path: Path, labels: Sequence[str] = LABELS) -> Path:
    """Write the NER label data (all transitions) for ``labels``, as ``spacy init labels`` writes it."""
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in labels:
        ner.add_label(label)
    doc = nlp.make_doc("x")
    nlp.initialize(lambda: [Example(doc, doc)])
    path.parent.mkdir(parents=True, exist_ok=True)
    srsly.write_json(path, ner.label_data)
    return path


def uses_transformer(config: dict) -> bool:
    """Whether the config's pipeline has a spacy-transformers component."""
    return config["components"].get(TRANSFORMER, {}).get("factory") == TRANSFORMER


def has_warmup_schedule(config: dict) -> bool:
    """Whether the optimizer's learning rate is a warm-up schedule."""
    rate = config["training"]["optimizer"].get("learn_rate")
    return isinstance(rate, dict) and "warmup_steps" in rate and "total_steps" in rate


def learn_rate_key(config: dict) -> str:
    """The config key that sets the (initial) learning rate: a number, or a schedule's ``initial_rate``."""
    rate = config["training"]["optimizer"].get("learn_rate")
    if isinstance(rate, dict):
        if "initial_rate" not in rate:
            raise ValueError("the config's learn_rate schedule has no initial_rate to set")
        return "training.optimizer.learn_rate.initial_rate"
    return "training.optimizer.learn_rate"


def build_overrides(
    config: dict,
    train_path: Path,
    dev_path: Path,
    labels_path: Path,
    backbone: BackboneChoice | None,
    lowercase: bool | None,
    max_steps: int,
    eval_frequency: int,
    seed: int,
    negative_max_len: int = 0,
    learn_rate: float | None = None,
    labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Config overrides for one training run (``learn_rate`` None: the config's; ``labels`` None: every
    label of LABELS); ``SPACY_CONFIG_OVERRIDES`` entries take precedence."""
    overrides: dict[str, Any] = {
        "paths.train": str(train_path),
        "paths.dev": str(dev_path),
        "paths.labels": str(labels_path),
        "paths.negative_max_len": negative_max_len,
        "system.seed": seed,
        "training.max_steps": max_steps,
        "training.eval_frequency": eval_frequency,
    }
    if backbone is not None:
        overrides["paths.backbone"] = backbone.resolved
        overrides["components.transformer.model.tokenizer_config.do_lower_case"] = bool(lowercase)
    if learn_rate is not None:
        overrides[learn_rate_key(config)] = learn_rate
    if labels is not None:
        overrides["corpora.train.augmenter.labels"] = list(labels)
    overrides.update(parse_config_overrides([], env_var="SPACY_CONFIG_OVERRIDES"))
    steps = int(overrides["training.max_steps"])
    if has_warmup_schedule(config) and steps > 0:
        overrides.setdefault("training.optimizer.learn_rate.total_steps", steps)
        overrides.setdefault(
            "training.optimizer.learn_rate.warmup_steps", max(1, round(WARMUP_FRACTION * steps))
        )
    return overrides


def write_sourced_config(config: dict, model_dir: Path, path: Path) -> Path:
    """``config`` with every pipeline component sourced from ``model_dir`` (weights and labels come
    from there, so nothing is initialised again), written to ``path``."""
    sourced = copy.deepcopy(config)
    for name in sourced["nlp"]["pipeline"]:
        sourced["components"][name] = {"source": str(model_dir)}
    sourced["initialize"]["components"] = {}
    sourced.to_disk(path)
    return path


def _backbone_record(choice: BackboneChoice | None, backbone: str, init_from: Path | None) -> dict[str, Any]:
    if init_from is not None:
        first = srsly.read_json(Path(init_from) / "meta.json").get("clin_distill", {}).get("backbone", {})
        return {**first, "reason": f"{first.get('reason', '')}; continued from {init_from}".lstrip("; ")}
    if choice is not None:
        return choice.record()
    return {"requested": backbone, "resolved": None, "reason": "config has no transformer"}


def train_student(
    config_path: Path,
    train_path: Path,
    dev_path: Path,
    output_dir: Path,
    backbone: str,
    max_steps: int,
    eval_frequency: int,
    gpu_id: int = -1,
    seed: int = 13,
    negative_max_len: int = 0,
    init_from: Path | None = None,
    learn_rate: float | None = None,
    labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Train, write ``output_dir/model-best`` and ``model-last``, and add our record to their meta.

    ``negative_max_len``: see :mod:`clin_distill.student.partial` (0: missing values only).
    ``init_from``: a trained student whose components (weights, labels) this run starts from and
    goes on training (self-training); its backbone is used and ``backbone`` is ignored.
    ``learn_rate``: the (initial) learning rate, None for the config's.
    ``labels``: the labels the student predicts (a specialist's), None for every label of LABELS.
    """
    if labels is not None and (not labels or set(labels) - set(LABELS)):
        raise ValueError(f"labels must be some of {list(LABELS)}, got {list(labels)}")
    config = load_config(config_path, interpolate=False)
    train_summary = summarise_corpus(train_path, "training")
    dev_summary = summarise_corpus(dev_path, "dev")
    choice, lowercase = None, None
    output_dir.mkdir(parents=True, exist_ok=True)
    if init_from is not None:
        config_path = write_sourced_config(config, init_from, output_dir / "config.init.cfg")
    elif uses_transformer(config):
        choice = resolve_backbone(backbone)
        lowercase = backbone_lowercases(choice.resolved)
    labels_path = write_ner_labels(output_dir / "labels" / "ner.json", labels or LABELS)
    overrides = build_overrides(
        config,
        train_path,
        dev_path,
        labels_path,
        choice,
        lowercase,
        max_steps,
        eval_frequency,
        seed,
        negative_max_len,
        learn_rate,
        labels,
    )
    spacy_train(config_path, output_dir, use_gpu=gpu_id, overrides=overrides)
    record = {
        "config": Path(config_path).name,
        "backbone": _backbone_record(choice, backbone, init_from),
        "init_from": str(init_from) if init_from is not None else None,
        "lowercase": lowercase,
        "training_corpus": train_summary.record(),
        "dev_corpus": dev_summary.record(),
        "seed": seed,
        "negative_max_len": overrides["paths.negative_max_len"],
        "max_steps": overrides["training.max_steps"],
        "eval_frequency": overrides["training.eval_frequency"],
        "learn_rate": learn_rate,
        "labels": list(labels or LABELS),
    }
    for model in ("model-best", "model-last"):
        meta_path = output_dir / model / "meta.json"
        meta = srsly.read_json(meta_path)
        meta["clin_distill"] = record
        write_json(meta_path, meta)
    return record
