"""``metrics/teachers/<t>.json``: what a teacher labelled, how fast, why it failed, and its scores.

Written by every teach step, ontology (:func:`clin_distill.teachers.run.teach_corpus`) and LLM
(:func:`clin_distill.llm.run.run_teacher`, also for the local-llm teacher); read by the benchmark
(ontology teachers' speed), the evaluate step (``small_local_model``) and the teach scripts' tables.
"""

from __future__ import annotations

from typing import Any, Literal

from .base import FileModel, Record
from .scores import CorpusScores


class SplitRun(Record):
    """One split: docs read, labelled and failed; ``seconds`` (wall, one process) and ``docs_per_s``
    where the step timed it (ontology teachers; an LLM teacher's time is in its usage ledger)."""

    docs: int
    labelled: int
    failed: int
    seconds: float | None = None
    docs_per_s: float | None = None


class TeacherMetrics(FileModel):
    """A teacher's run over a corpus.

    ``kind``: ``ontology`` or ``llm``. ``dataset``: the corpus labelled (e.g. ``pool``).
    ``scores``: per scored split (dev, test), per corpus, on the labels each corpus annotates.
    ``failures_by_reason``: failed docs per reason (an exception type or an LLM failure reason,
    never note text). ``teacher_meta``: an ontology teacher's vocabulary record (sources, versions).
    ``grounding_dropped``: an LLM teacher's mentions dropped because they were not found in the note,
    ambiguous, or of an unknown label. ``small_local_model``: set by the local-llm step: the teacher is
    a small model run offline as a stand-in (SmolLM2-135M), so its scores say nothing about large LLMs.
    """

    SCHEMA = "clin_distill.teacher_metrics.v1"
    teacher: str
    kind: Literal["ontology", "llm"]
    dataset: str
    splits: dict[str, SplitRun]
    scores: dict[str, CorpusScores]
    failures_by_reason: dict[str, int]
    teacher_meta: dict[str, Any] = {}
    grounding_dropped: dict[str, int] = {}
    small_local_model: bool = False
