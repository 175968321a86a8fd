"""Run any teacher pipeline over a gold corpus: label, capture failures, write DocBins, score.

Teacher outputs are copies of the gold docs (same tokens, same ``user_data`` incl. the doc
id) whose ``doc.ents`` are the teacher's labels. A doc the teacher raises on is marked with
:func:`~clin_distill.docio.mark_failed`, listed in ``failures.json`` and left out of the
output DocBin, so it is never scored as "no entities".
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm
from wasabi import msg

from ..docio import failure_of, get_doc_id, mark_failed, read_docbin, write_docbin, write_json
from ..labels import LABELS
from ..metrics import scores_by_corpus
from ..splits import POOL_SPLITS, SCORED_SPLITS


@dataclass
class LabelRun:
    """What labelling one split produced."""

    docs: list[Doc] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def docs_per_s(self) -> float:
        n = len(self.docs) + len(self.failed)
        return n / self.seconds if self.seconds else 0.0


def _input_copy(nlp: Language, gold: Doc) -> Doc:
    """The gold doc's tokens and user_data, without its entities."""
    return Doc(
        nlp.vocab,
        words=[t.text for t in gold],
        spaces=[bool(t.whitespace_) for t in gold],
        user_data=copy.deepcopy(gold.user_data),
    )


def _output_doc(nlp: Language, gold: Doc, pred: Doc, labels: Sequence[str]) -> Doc:
    """A clean copy of ``gold`` carrying only ``pred``'s entities (no component extension data)."""
    out = _input_copy(nlp, gold)
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
        doc = _input_copy(nlp, gold)
        try:
            pred = call(doc)
        except Exception as err:  # noqa: BLE001 - any teacher error fails this doc only
            mark_failed(doc, type(err).__name__)
            run.failed.append(get_doc_id(gold))
            continue
        if failure_of(pred):
            run.failed.append(get_doc_id(gold))
            continue
        run.docs.append(_output_doc(nlp, gold, pred, labels))
    run.seconds = time.perf_counter() - start
    return run


def score_table(scores: dict[str, dict]) -> tuple[list[tuple], list[str]]:
    """Rows (split, corpus, label, strict P/R/F, lenient P/R/F) for :func:`wasabi.msg.table`:
    each corpus on the labels it annotates (see :func:`clin_distill.metrics.scores_by_corpus`)."""
    header = [
        "split",
        "corpus",
        "label",
        "strict P",
        "strict R",
        "strict F",
        "lenient P",
        "lenient R",
        "lenient F",
    ]
    rows = []
    for split, score in scores.items():
        for corpus, part in score["by_corpus"].items():
            for label in part["labels"]:
                s, lax = part["strict"][label], part["lenient"][label]
                rows.append(
                    (split, corpus, label, *(f"{s[k]:.3f}" for k in "prf"), *(f"{lax[k]:.3f}" for k in "prf"))
                )
    return rows, header


def teach_corpus(
    nlp: Language,
    corpus_dir: str | Path,
    out_dir: str | Path,
    name: str,
    metrics_path: str | Path | None = None,
    splits: Sequence[str] = POOL_SPLITS,
) -> dict:
    """Label every split present in ``corpus_dir``, write outputs and the metrics JSON; return it.

    Dev and test are scored per source corpus, each on the labels it annotates.
    """
    corpus_dir, out_dir = Path(corpus_dir), Path(out_dir)
    found = [s for s in splits if (corpus_dir / f"{s}.spacy").is_file()]
    if not found:
        raise FileNotFoundError(f"{corpus_dir}: no {'/'.join(splits)}.spacy files")
    failures: dict[str, list[str]] = {}
    summary: dict[str, dict] = {}
    scores: dict[str, dict] = {}
    for split in found:
        gold = read_docbin(corpus_dir / f"{split}.spacy", nlp.vocab)
        run = label_docs(nlp, gold, desc=f"{name} {split}")
        write_docbin(out_dir / f"{split}.spacy", run.docs)
        failures[split] = run.failed
        summary[split] = {
            "docs": len(gold),
            "labelled": len(run.docs),
            "failed": len(run.failed),
            "seconds": round(run.seconds, 2),
            "docs_per_s": round(run.docs_per_s, 2),
        }
        if split in SCORED_SPLITS:
            scores[split] = scores_by_corpus(run.docs, gold)
    write_json(out_dir / "failures.json", failures)
    metrics = {
        "teacher": name,
        "corpus": str(corpus_dir),
        "splits": summary,
        "scores": scores,
        "failures": {s: len(ids) for s, ids in failures.items()},
        "teacher_meta": nlp.meta.get("clin_distill_teacher", {}),
    }
    if scores:
        rows, header = score_table(scores)
        msg.table(rows, header=header, divider=True)
    if metrics_path:
        write_json(metrics_path, metrics)
    return metrics
