"""Rounds of self-training (BOND's teacher-student rounds, arXiv 2006.15509), as far as dev says.

Round k labels the distilled training corpus (the teachers' combined labels, never an earlier round's
corpus) with the best student so far (:func:`~.self_training.self_label`) and trains a new student
from it, starting from that student. Rounds go on up to ``rounds`` while the new student's dev score
(the label-aware macro F spaCy selected its ``model-best`` by) beats the best so far; the first round
that does not ends them. ``<out>/model-best`` is the best round's model; every round's corpus counts
and dev score go to the summary.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import srsly

from ..docio import read_docbin, write_docbin
from ..stepfiles.self_training import RoundRecord, RuleSettings, SelfTraining
from .self_training import SelfTrainingRule, self_label
from .training import train_student

SCORE = "ents_macro_f"


def dev_score(model_dir: Path) -> float:
    """The dev score spaCy recorded for ``model_dir`` (its ``meta.json`` performance)."""
    return float(srsly.read_json(Path(model_dir) / "meta.json").get("performance", {}).get(SCORE) or 0.0)


@dataclass(frozen=True)
class SelfTrainingPlan:
    """The student to start from, the teachers' corpus, the dev corpus, the rule and the rounds."""

    first: Path
    taught: Path
    dev: Path
    rule: SelfTrainingRule
    rounds: int

    def __post_init__(self) -> None:
        if self.rounds < 1:
            raise ValueError(f"rounds must be at least 1, got {self.rounds}")


def self_train(plan: SelfTrainingPlan, config: Path, out_dir: Path, **training: Any) -> SelfTraining:
    """Run the rounds (module docstring); ``training``: :func:`train_student`'s keyword arguments
    (``init_from`` is set per round). Writes ``out_dir/round-<k>/`` and ``out_dir/model-best``."""
    out_dir = Path(out_dir)
    best, best_score = Path(plan.first), dev_score(plan.first)
    records: list[RoundRecord] = []
    for k in range(1, plan.rounds + 1):
        nlp = spacy.load(best)
        merged, counts = self_label(nlp, read_docbin(plan.taught, nlp.vocab), plan.rule)
        corpus = write_docbin(out_dir / f"round-{k}" / "train.spacy", merged)
        train_student(
            config,
            out_dir / f"round-{k}" / "train.spacy",
            plan.dev,
            out_dir / f"round-{k}",
            init_from=best,
            **training,
        )
        score = dev_score(out_dir / f"round-{k}" / "model-best")
        improved = score > best_score
        records.append(
            RoundRecord(
                round=k,
                started_from=str(best),
                docs=corpus,
                dev_score=score,
                kept=improved,
                counts=dict(sorted(counts.items())),
            )
        )
        if not improved:
            break
        best, best_score = out_dir / f"round-{k}" / "model-best", score
    if best == Path(plan.first):  # no round beat the first student: the first round is the self student
        best = out_dir / "round-1" / "model-best"
    target = out_dir / "model-best"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(best, target)
    return SelfTraining(
        model=str(plan.first),
        first_dev_score=dev_score(plan.first),
        rule=RuleSettings(**vars(plan.rule)),
        max_rounds=plan.rounds,
        rounds=records,
        chosen=str(best),
    )
