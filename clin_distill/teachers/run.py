"""Run any teacher pipeline over a gold corpus: label, capture failures, write DocBins, score.

Teacher outputs are copies of the gold docs (same tokens, same ``user_data`` incl. the doc
id) whose ``doc.ents`` are the teacher's labels. A doc the teacher raises on (or marks with
:func:`~clin_distill.docio.mark_failed`) is listed in ``failures.json`` with its reason counted,
and left out of the output DocBin, so it is never scored as "no entities".
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm
from wasabi import msg

from ..docio import failure_of, get_doc_id, read_docbin, tokens_copy, write_docbin
from ..labels import LABELS
from ..metrics import scores_by_corpus
from ..metrics.compare import PRF_COLUMNS, prf_cells
from ..split_names import POOL_SPLITS, SCORED_SPLITS
from ..stepfiles.failures import Failures
from ..stepfiles.scores import CorpusScores
from ..stepfiles.teacher_metrics import SplitRun, TeacherMetrics


@dataclass
class LabelRun:
    """What labelling one split produced."""

    docs: list[Doc] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def docs_per_s(self) -> float:
        """Docs (labelled and failed) per second of labelling."""
        n = len(self.docs) + len(self.failed)
        return n / self.seconds if self.seconds else 0.0


def _output_doc(nlp: Language, gold: Doc, pred: Doc, labels: Sequence[str]) -> Doc:
    """A clean copy of ``gold`` carrying only ``pred``'s entities (no component extension data)."""
    out = tokens_copy(gold, nlp.vocab, user_data=None)
    out.ents = [
        Span(out, e.start, e.end, label=e.label, kb_id=e.kb_id, span_id=e.id)
        for e in pred.ents
        if e.label_ in labels
    ]
    return out


def label_docs(
    nlp: Language,
    gold_docs: Iterable[Doc],
    desc: str = "labelling",
    labels: Sequence[str] = LABELS,
    on_doc: Callable[[Doc], Doc] | None = None,
) -> LabelRun:
    """Label each gold doc with ``nlp``; a doc that raises is marked failed and skipped.

    ``on_doc`` replaces ``nlp`` as the per-doc call when given (e.g. a cached LLM client).
    Failure reasons hold the exception type only, never note text.
    """
    run = LabelRun()
    gold_docs = list(gold_docs)
    call = on_doc or nlp
    start = time.perf_counter()
    for gold in tqdm(gold_docs, desc=desc, unit=" docs"):
        doc = tokens_copy(gold, nlp.vocab, user_data=None)
        try:
            pred = call(doc)
        except Exception as err:  # noqa: BLE001 - any teacher error fails this doc only
            run.failed.append(get_doc_id(gold))
            run.reasons[type(err).__name__] += 1
            continue
        if failure_of(pred):
            run.failed.append(get_doc_id(gold))
            run.reasons[failure_of(pred)] += 1
            continue
        run.docs.append(_output_doc(nlp, gold, pred, labels))
    run.seconds = time.perf_counter() - start
    return run


def score_table(scores: dict[str, CorpusScores]) -> tuple[list[tuple], list[str]]:
    """Rows (split, corpus, label, strict P/R/F, lenient P/R/F) and header for :func:`wasabi.msg.table`:
    each corpus on the labels it annotates (see :func:`clin_distill.metrics.scores_by_corpus`)."""
    rows = [
        (split, corpus, label, *prf_cells(part, label))
        for split, score in scores.items()
        for corpus, part in score.by_corpus.items()
        for label in part.labels
    ]
    return rows, ["split", "corpus", "label", *PRF_COLUMNS]


def teach_corpus(
    nlp: Language,
    corpus_dir: str | Path,
    out_dir: str | Path,
    name: str,
    metrics_path: str | Path | None = None,
    splits: Sequence[str] = POOL_SPLITS,
) -> TeacherMetrics:
    """Label every split present in ``corpus_dir``; write the labels, ``failures.json`` and the metrics.

    Writes ``out_dir/<split>.spacy`` (failed docs left out) and ``out_dir/failures.json``
    (:class:`~clin_distill.stepfiles.failures.Failures`), and ``metrics_path`` when given. Dev and test are
    scored per source corpus, each on the labels it annotates.

    Returns:
        The :class:`~clin_distill.stepfiles.teacher_metrics.TeacherMetrics` (seconds are wall time).

    Raises:
        FileNotFoundError: ``corpus_dir`` holds none of ``splits``.
    """
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    found = [s for s in splits if (corpus_dir / f"{s}.spacy").is_file()]
    if not found:
        raise FileNotFoundError(f"{corpus_dir}: no {'/'.join(splits)}.spacy files")
    failures: dict[str, list[str]] = {}
    reasons: Counter = Counter()
    summary: dict[str, SplitRun] = {}
    scores: dict[str, dict] = {}
    for split in found:
        gold = read_docbin(corpus_dir / f"{split}.spacy", nlp.vocab)
        run = label_docs(nlp, gold, desc=f"{name} {split}")
        write_docbin(out_dir / f"{split}.spacy", run.docs)
        failures[split] = run.failed
        reasons.update(run.reasons)
        summary[split] = SplitRun(
            docs=len(gold),
            labelled=len(run.docs),
            failed=len(run.failed),
            seconds=round(run.seconds, 2),
            docs_per_s=round(run.docs_per_s, 2),
        )
        if split in SCORED_SPLITS:
            scores[split] = scores_by_corpus(run.docs, gold)
    Failures(failed=failures).write(out_dir / "failures.json")
    metrics = TeacherMetrics(
        teacher=name,
        kind="ontology",
        dataset=corpus_dir.name,
        splits=summary,
        scores=scores,
        failures_by_reason=dict(reasons),
        teacher_meta=nlp.meta.get("clin_distill_teacher", {}),
    )
    if metrics.scores:
        rows, header = score_table(metrics.scores)
        msg.table(rows, header=header, divider=True)
    if metrics_path:
        metrics.write(metrics_path)
    return metrics
