"""What a teacher misses and gets wrong on gold train/dev splits, grouped by kind.

Each gold and predicted span of a doc takes part in exactly one outcome (as in
:func:`clin_distill.metrics.errors.classify_spans`): ``correct``, ``boundary`` (same label,
overlapping, other offsets), ``confusion`` (overlapping, other label), ``missed`` or
``spurious``. Boundary errors get a kind from how the predicted edges differ from the gold
ones (``wider_left``, ``narrower_right``...); misses and spurious spans a kind from their
shape (``acronym``, ``has_digit``, ``one_word``, ``multi_word``). Errors are counted per
(label, kind, lower-cased text) so that whole kinds show up, not single docs.

Only for public gold corpora: the report holds span texts, so it never runs on user notes or
credentialed corpora, and the test split is refused (tuning on it would bias every reported score).
:func:`public_corpus_reports` scores what a teacher wrote for the pool's split, one report per corpus;
:func:`corpus_errors` and :func:`errors_markdown` give the teacher-errors step's file and tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from ..corpora.public import DATASETS as PUBLIC_CORPORA
from ..docio import corpus_of, covered_labels, docs_by_id
from ..markdown import markdown_table
from ..metrics import score_docs, scored_labels
from ..metrics.compare import PRF_COLUMNS, prf_cells
from ..metrics.errors import pair_spans
from ..metrics.spans import char_spans
from ..offsets import CharSpan
from ..split_names import TUNING_SPLITS
from ..stepfiles.scores import Scores
from ..stepfiles.teacher_errors import CorpusErrors, ErrorText, KindCount, TeacherErrors

ERROR_OUTCOMES: tuple[str, ...] = ("missed", "spurious", "boundary", "confusion")


@dataclass
class ErrorReport:
    """Scores and error counts of one teacher on one corpus split."""

    corpus: str
    split: str
    labels: list[str]
    scores: Scores
    errors: Counter = field(default_factory=Counter)  # (outcome, label, kind, text) → count

    def top(self, outcome: str, label: str | None = None, n: int = 20) -> list[tuple[tuple, int]]:
        """The ``n`` commonest errors of ``outcome`` (optionally one ``label``)."""
        rows = [
            (k, v) for k, v in self.errors.items() if k[0] == outcome and (label is None or k[1] == label)
        ]
        return sorted(rows, key=lambda kv: (-kv[1], kv[0]))[:n]

    def by_kind(self) -> Counter:
        """Counts per (outcome, label, kind), texts summed."""
        out: Counter = Counter()
        for (outcome, label, kind, _), n in self.errors.items():
            out[outcome, label, kind] += n
        return out


def check_split(split: str) -> None:
    """ValueError unless ``split`` may be analysed (train or dev, never test)."""
    if split not in TUNING_SPLITS:
        raise ValueError(f"error analysis runs on {'/'.join(TUNING_SPLITS)} only, not {split!r}")


def shape_kind(text: str) -> str:
    """``acronym`` (one word, >= 2 capitals, no lower case), ``has_digit``, ``one_word``, ``multi_word``."""
    if " " not in text and sum(c.isupper() for c in text) >= 2 and not any(c.islower() for c in text):
        return "acronym"
    if any(c.isdigit() for c in text):
        return "has_digit"
    return "one_word" if " " not in text.strip() else "multi_word"


def boundary_kind(pred: CharSpan, gold: CharSpan) -> str:
    """How predicted edges differ from gold: ``wider_left+narrower_right`` etc."""
    parts = []
    if pred[0] != gold[0]:
        parts.append("wider_left" if pred[0] < gold[0] else "narrower_left")
    if pred[1] != gold[1]:
        parts.append("wider_right" if pred[1] > gold[1] else "narrower_right")
    return "+".join(parts)


def classify_doc(pred_doc: Doc, gold_doc: Doc, labels: Sequence[str]) -> Counter:
    """Error counts keyed (outcome, label, kind, text) for one doc (see the module docstring).

    Boundary and confusion texts are ``"gold text → predicted text"``. A predicted label a corpus
    class covers is that class (a SYMPTOM on a BC5CDR doc is a DISEASE, as the scores count it); other
    predictions of labels the corpus does not annotate count only as confusions, never as spurious.
    """
    text, covers = gold_doc.text, covered_labels(gold_doc)
    predicted = {(s, e, covers.get(label, label)) for s, e, label in char_spans(pred_doc)}
    outcomes = pair_spans(predicted, char_spans(gold_doc, labels))
    out: Counter = Counter()

    def lower(span: CharSpan) -> str:
        return text[span[0] : span[1]].lower()

    for span in outcomes.correct:
        out["correct", span[2], shape_kind(text[span[0] : span[1]]), lower(span)] += 1
    for g, p in outcomes.confusion:
        out["confusion", g[2], f"as_{p[2]}", f"{lower(g)} → {lower(p)}"] += 1
    for g, p in outcomes.boundary:
        out["boundary", g[2], boundary_kind(p, g), f"{lower(g)} → {lower(p)}"] += 1
    for span in outcomes.missed:
        out["missed", span[2], shape_kind(text[span[0] : span[1]]), lower(span)] += 1
    for span in (p for p in outcomes.spurious if p[2] in labels):
        out["spurious", span[2], shape_kind(text[span[0] : span[1]]), lower(span)] += 1
    return out


def analyse(
    pred_docs: Iterable[Doc],
    gold_docs: Sequence[Doc],
    corpus: str,
    split: str,
    labels: Sequence[str] | None = None,
) -> ErrorReport:
    """Score ``pred_docs`` against ``gold_docs`` on the labels the corpus annotates and count errors."""
    check_split(split)
    labels = list(labels) if labels is not None else scored_labels(gold_docs)
    pred_docs = list(pred_docs)
    scores = Scores.model_validate(score_docs(pred_docs, gold_docs, labels))
    report = ErrorReport(corpus, split, labels, scores)
    pred = docs_by_id(pred_docs)
    for doc_id, gold in docs_by_id(gold_docs).items():
        if doc_id in pred:
            report.errors.update(classify_doc(pred[doc_id], gold, labels))
    return report


def public_corpus_reports(
    pred_docs: Sequence[Doc], gold_docs: Iterable[Doc], split: str
) -> list[ErrorReport]:
    """One :func:`analyse` report per public gold corpus among ``gold_docs`` (others are skipped)."""
    check_split(split)
    by_corpus: dict[str, list[Doc]] = {}
    for doc in gold_docs:
        by_corpus.setdefault(corpus_of(doc), []).append(doc)
    return [
        analyse(pred_docs, docs, corpus, split)
        for corpus, docs in sorted(by_corpus.items())
        if corpus in PUBLIC_CORPORA
    ]


def corpus_errors(report: ErrorReport, top: int) -> CorpusErrors:
    """``report`` as the step file holds it: every kind's count, and the ``top`` commonest texts of each
    (outcome, label), correct spans left out."""
    kinds = [
        KindCount(outcome=o, label=lab, kind=k, n=n)
        for (o, lab, k), n in sorted(report.by_kind().items(), key=lambda kv: (kv[0][:2], -kv[1], kv[0][2]))
        if o != "correct"
    ]
    texts = [
        ErrorText(outcome=o, label=lab, kind=k, text=t, n=n)
        for label in report.labels
        for outcome in ERROR_OUTCOMES
        for (o, lab, k, t), n in report.top(outcome, label, top)
    ]
    return CorpusErrors(
        corpus=report.corpus,
        split=report.split,
        labels=report.labels,
        scores=report.scores,
        kinds=kinds,
        texts=texts,
    )


def errors_markdown(errors: TeacherErrors, texts_shown: int = 6) -> str:
    """Per teacher and corpus split: P/R/F and error counts per label, then each (label, outcome)'s
    kinds and commonest texts."""
    parts = [f"# What the teachers miss and get wrong ({', '.join(errors.splits)}; never test)\n"]
    for teacher, reports in errors.teachers.items():
        for rep in reports:
            counts: Counter = Counter()
            for k in rep.kinds:
                counts[k.label, k.outcome] += k.n
            rows = [
                [label, *prf_cells(rep.scores, label), *(counts[label, o] for o in ERROR_OUTCOMES)]
                for label in rep.labels
            ]
            parts.append(f"## {teacher} on {rep.corpus} {rep.split}\n")
            parts.append(markdown_table(["label", *PRF_COLUMNS, *ERROR_OUTCOMES], rows))
            detail = []
            for label in rep.labels:
                for outcome in ERROR_OUTCOMES:
                    kinds = [k for k in rep.kinds if (k.label, k.outcome) == (label, outcome)]
                    shown = [t for t in rep.texts if (t.label, t.outcome) == (label, outcome)][:texts_shown]
                    if kinds:
                        detail.append(
                            [
                                label,
                                outcome,
                                ", ".join(f"{k.kind} {k.n}" for k in kinds),
                                "; ".join(f"{_cell(t.text)} ×{t.n}" for t in shown),
                            ]
                        )
            parts.append(markdown_table(["label", "outcome", "kinds", "commonest"], detail))
    return "\n".join(parts)


def _cell(text: str) -> str:
    """``text`` on one line, its pipes escaped, for a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")
