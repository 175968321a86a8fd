"""Collect predictions of the systems we compare: trained pipelines and teachers.

A pipeline (a model folder or an installed package such as ``en_clin_distilled``) is run
over the gold texts, keeping doc ids. A teacher's labels are read from
``<teachers_dir>/<teacher>/<corpus>/test.spacy``; the docs it failed on (its
``failures.json``, or a failure mark on the doc) are counted and left out of scoring.
Whether a teacher is a small local model comes from its metrics file, never from its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import Doc
from tqdm import tqdm

from ..docio import corpus_of, failure_of, get_doc_id, read_docbin, set_doc_id
from ..runtime.abbreviation_guard import FACTORY as GUARD_FACTORY
from ..runtime.abbreviation_guard import add_abbreviation_guard
from ..stepfiles.failures import Failures
from ..stepfiles.specialists import Specialists
from ..stepfiles.system_metrics import SystemMetrics
from ..stepfiles.teacher_metrics import TeacherMetrics
from .bootstrap import DEFAULT_SPEC, BootstrapSpec
from .evaluate import evaluate_docs
from .spans import char_spans


class PredictionError(ValueError):
    """A system's predictions cannot be read (message names files and doc ids, never text)."""


@dataclass
class Predictions:
    """One system's predictions: its docs, the ids it failed, where they come from."""

    name: str
    kind: str  # "model" or "teacher"
    source: str
    docs: list[Doc]
    failed_ids: list[str] = field(default_factory=list)
    small_local_model: bool = False


def parse_named(values: Iterable[str]) -> dict[str, str]:
    """``["distilled=training/distilled/model-best", ...]`` → ``{name: path_or_package}``."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, target = value.partition("=")
        if not sep or not name or not target:
            raise PredictionError(f"--model {value!r}: expected NAME=PATH_OR_PACKAGE")
        if name in out:
            raise PredictionError(f"--model: duplicate system name {name!r}")
        out[name] = target
    return out


def not_loadable(name: str, target: str) -> str:
    """The one-line error for a pipeline that cannot be loaded: a folder, or a package to install."""
    if Path(target).exists() or "/" in target or "\\" in target:
        return f"model {name!r}: cannot load {target!r} (not a trained pipeline folder)"
    return (
        f"model {name!r}: no folder or installed package {target!r}; install the packaged model first: "
        f"pip install packages/{target}-<version>/dist/*.whl (built by `weasel run package`)"
    )


def predict_with_model(
    name: str,
    target: str,
    gold_docs: Sequence[Doc],
    batch_size: int = 32,
    guard: dict[str, str | None] | None = None,
) -> Predictions:
    """Run the pipeline at ``target`` (a folder or an installed package name) over the gold texts.

    With ``guard`` (abbreviation → label table), the abbreviation guard the package ships runs after
    the NER unless the pipeline has one (:mod:`clin_distill.runtime.abbreviation_guard`), so a student
    is scored as it is shipped. Returns docs with the gold doc ids, in gold order.

    Raises:
        PredictionError: ``target`` cannot be loaded (for a package name: how to install its wheel).
    """
    try:
        nlp = spacy.load(target)
    except OSError as err:
        raise PredictionError(not_loadable(name, target)) from err
    if guard is not None and GUARD_FACTORY not in {nlp.get_pipe_meta(n).factory for n in nlp.pipe_names}:
        add_abbreviation_guard(nlp, guard)
    # Long notes are scored whole: the transformer reads them in strided windows.
    nlp.max_length = max([nlp.max_length, *(len(doc.text) + 1 for doc in gold_docs)])
    texts = (doc.text for doc in gold_docs)
    docs = []
    for gold, doc in zip(
        gold_docs,
        tqdm(nlp.pipe(texts, batch_size=batch_size), total=len(gold_docs), desc=f"predict {name}"),
        strict=True,
    ):
        docs.append(set_doc_id(doc, get_doc_id(gold)))
    return Predictions(name, "model", str(target), docs)


def predict_with_specialists(
    name: str, specialists: Specialists, gold_docs: Sequence[Doc], guard: dict[str, str | None] | None = None
) -> Predictions:
    """Each gold doc predicted by the specialist of its corpus (:mod:`clin_distill.student.specialists`).

    Docs of a corpus without a specialist get no prediction (they are reported as missing, never
    scored as "no entities"). Returns docs in gold order.
    """
    by_corpus: dict[str, list[Doc]] = {}
    for doc in gold_docs:
        by_corpus.setdefault(corpus_of(doc), []).append(doc)
    predicted: dict[str, Doc] = {}
    for corpus, docs in by_corpus.items():
        spec = specialists.specialists.get(corpus)
        if spec is not None:
            for doc in predict_with_model(f"{name}/{corpus}", spec.model, docs, guard=guard).docs:
                predicted[get_doc_id(doc)] = doc
    docs = [predicted[i] for i in (get_doc_id(d) for d in gold_docs) if i in predicted]
    sources = ", ".join(f"{c}={s.model}" for c, s in specialists.specialists.items())
    return Predictions(name, "model", sources, docs)


def read_teacher(
    teachers_dir: Path, teacher: str, corpus: str, split: str = "test", metrics: Path | None = None
) -> Predictions:
    """A teacher's labels of ``split`` from ``<teachers_dir>/<teacher>/<corpus>/`` (see
    :func:`read_predictions`). ``metrics`` is the teacher's ``metrics/teachers/<t>.json``
    (:class:`~clin_distill.stepfiles.teacher_metrics.TeacherMetrics`); when it exists, it says whether
    the teacher is a small local model standing in for an LLM.

    Raises:
        PredictionError: the labels are missing; FileFormatError: a file of the wrong schema.
    """
    pred = read_predictions(teacher, teachers_dir / teacher / corpus, split, "teacher")
    if metrics is not None and metrics.is_file():
        pred.small_local_model = TeacherMetrics.read(metrics).small_local_model
    return pred


def read_predictions(name: str, folder: Path, split: str = "test", kind: str = "teacher") -> Predictions:
    """Labels written as ``<folder>/<split>.spacy`` with ``failures.json`` (a teacher's, or the
    teacher combination's); failed docs are counted and left out of scoring.

    Raises:
        PredictionError: ``<folder>/<split>.spacy`` is missing; FileFormatError: a bad ``failures.json``.
    """
    path = folder / f"{split}.spacy"
    if not path.is_file():
        raise PredictionError(f"{kind} {name!r}: {path} not found (run the step that writes it)")
    docs = read_docbin(path)
    failures = Failures.read_beside(folder)
    failed = failures.of(split) if failures is not None else set()
    failed.update(get_doc_id(doc) for doc in docs if failure_of(doc))
    kept = [doc for doc in docs if get_doc_id(doc) not in failed]
    return Predictions(name, kind, str(folder), kept, sorted(failed))


def spans_by_doc(docs: Iterable[Doc], labels: Sequence[str]) -> dict[str, list[list]]:
    """``{doc_id: [[start_char, end_char, label], ...]}``: offsets only, no text."""
    return {get_doc_id(doc): sorted([list(s) for s in char_spans(doc, labels)]) for doc in docs}


def system_metrics(
    pred: Predictions,
    gold_docs: Sequence[Doc],
    corpus: str,
    labels: Sequence[str],
    spec: BootstrapSpec = DEFAULT_SPEC,
) -> SystemMetrics:
    """The ``metrics/<system>/<corpus>.json`` record for one system
    (:class:`~clin_distill.stepfiles.system_metrics.SystemMetrics`): what it is, the docs it failed on
    (``failed_doc_ids``) or did not predict (``missing_doc_ids``), strict and lenient scores with
    bootstrap intervals (:func:`~clin_distill.metrics.evaluate.evaluate_docs`), the error breakdown,
    for the whole gold and per source corpus."""
    gold_ids = {get_doc_id(doc) for doc in gold_docs}
    pred_ids = {get_doc_id(doc) for doc in pred.docs}
    failed = [i for i in pred.failed_ids if i in gold_ids]
    missing = sorted(gold_ids - pred_ids - set(failed))
    result = evaluate_docs(pred.docs, gold_docs, labels, spec)
    return SystemMetrics.model_validate(
        {
            "system": pred.name,
            "kind": pred.kind,
            "source": pred.source,
            "corpus": corpus,
            "n_gold_docs": len(gold_ids),
            "failures": len(failed),
            "failed_doc_ids": failed,
            "missing": len(missing),
            "missing_doc_ids": missing,
            "small_local_model": pred.small_local_model,
            **result,
        }
    )
