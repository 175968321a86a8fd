"""Human-label references, the paper's setting: one student per gold corpus, on that corpus alone.

Each specialist is trained on ``corpus/gold/<corpus>/train.spacy`` only, predicts only the labels
that corpus annotates (its NER knows no other), is taught "O" everywhere else for them
(``clin_distill.partial_annotation.v2`` with those labels) and is selected on that corpus's dev
split. In the report, the human reference of a (corpus, label) cell is that corpus's specialist.
Models land in ``<out>/<corpus>/model-best``; ``<out>/specialists.json`` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..docio import get_doc_id, labels_annotated, read_docbin
from ..stepfiles.specialists import Specialist, Specialists
from .training import train_student


def corpus_labels(train_path: Path) -> tuple[str, ...]:
    """The labels a gold corpus annotates, from its train docs' provenance (all docs must agree).

    Raises:
        ValueError: no docs, docs that disagree, or a corpus that annotates no label.
    """
    docs = read_docbin(train_path)
    if not docs:
        raise ValueError(f"{train_path}: no docs to train a specialist on")
    labels = {labels_annotated(doc) for doc in docs}
    if len(labels) > 1:
        raise ValueError(f"{train_path}: docs annotate different labels (e.g. doc {get_doc_id(docs[0])})")
    found = labels.pop()
    if not found:
        raise ValueError(f"{train_path}: the corpus annotates no label (check its label map)")
    return found


def train_specialists(
    config_path: Path, gold_root: Path, out_root: Path, datasets: Sequence[str], **training: Any
) -> Specialists:
    """Train one specialist per dataset (``training``: :func:`train_student`'s keyword arguments)."""
    trained: dict[str, Specialist] = {}
    for dataset in datasets:
        folder = Path(gold_root) / dataset
        train, dev = folder / "train.spacy", folder / "dev.spacy"
        for path in (train, dev):
            if not path.is_file():
                raise ValueError(f"{path} is missing: convert {dataset} first")
        labels = corpus_labels(train)
        record = train_student(config_path, train, dev, Path(out_root) / dataset, labels=labels, **training)
        trained[dataset] = Specialist(
            labels=list(labels),
            model=str(Path(out_root) / dataset / "model-best"),
            train_docs=record["training_corpus"]["docs"],
            dev_docs=record["dev_corpus"]["docs"],
            max_steps=record["max_steps"],
        )
    result = Specialists(specialists=trained)
    result.write(Path(out_root) / "specialists.json")
    return result
