"""Docs where teachers disagree most, exported for human review.

Disagreement score of a doc, over the teachers that labelled it (at least two): cluster all
their spans (see :mod:`.clusters`); a cluster where the largest group of teachers proposing
the identical (start, end, label) has ``a`` members out of ``n`` teachers scores
``1 − a / n``; the doc scores the sum over its clusters (roughly, the number of mentions
reviewers must settle). Ties: lower doc id first; docs scoring 0 are not exported. A
teacher that proposed no span anywhere in the split is left out of the score (it would
turn every other teacher's span into a disagreement).

Each record is a Prodigy task (``ner_manual``/``spans_manual``): ``text``, ``tokens``,
``spans`` (the combined labels as pre-annotations, character offsets plus inclusive token
offsets) and ``meta`` (``doc_id``, each teacher's spans or ``"failed"``/``"missing"``, the
score, and whether the doc is in the distilled corpus). Label Studio imports tasks as a
JSON list: wrap the lines (``jq -s . disagreements.jsonl``) and a flat record's ``text``
feeds ``$text`` in the labeling config; :func:`label_studio_task` turns a record into a
task whose ``predictions`` hold the combined spans as pre-annotations.
The file holds note text: it is written with mode 0600.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path

import srsly
from spacy.tokens import Doc

from ..docio import atomic_path
from ..offsets import TokenSpan
from .clusters import cluster_spans
from .teachers import DocVotes


def disagreement(dv: DocVotes, teachers: Collection[str] | None = None) -> float | None:
    """The doc's score (module docstring) over ``teachers`` (default: all that labelled it),
    or ``None`` if fewer than two of them labelled it."""
    spans = {t: s for t, s in dv.spans.items() if teachers is None or t in teachers}
    n = len(spans)
    if n < 2:
        return None
    score = 0.0
    for cluster in cluster_spans(spans):
        agree = max(Counter(cluster.proposals.values()).values())
        score += 1 - agree / n
    return score


def top_disagreements(docs: Sequence[DocVotes], n: int) -> tuple[list[tuple[DocVotes, float]], int]:
    """The ``n`` highest-scoring docs, and how many docs had fewer than two labelling teachers.
    Teachers that proposed no span in any of ``docs`` are left out of the scores."""
    active = {t for dv in docs for t, spans in dv.spans.items() if spans}
    scored, too_few = [], 0
    for dv in docs:
        score = disagreement(dv, active)
        if score is None:
            too_few += 1
        elif score > 0:
            scored.append((dv, score))
    scored.sort(key=lambda x: (-x[1], x[0].doc_id))
    return scored[:n], too_few


def _char_span(doc: Doc, span: TokenSpan) -> dict:
    start, end, label = span
    return {"start": doc[start].idx, "end": doc[end - 1].idx + len(doc[end - 1]), "label": label}


def review_record(dv: DocVotes, score: float, spans: Iterable[TokenSpan], in_corpus: bool) -> dict:
    """A Label Studio task of one doc for review: its text, every teacher's and the output's spans."""
    doc = dv.base
    if doc is None:
        raise ValueError(f"doc {dv.doc_id!r}: no teacher labelled it, nothing to review")
    teachers: dict[str, list[dict] | str] = {
        t: [_char_span(doc, s) for s in sp] for t, sp in dv.spans.items()
    }
    teachers.update(dv.failed)
    return {
        "text": doc.text,
        "tokens": [
            {"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i, "ws": bool(t.whitespace_)}
            for t in doc
        ],
        "spans": [{**_char_span(doc, s), "token_start": s[0], "token_end": s[1] - 1} for s in spans],
        "meta": {
            "doc_id": dv.doc_id,
            "disagreement": round(score, 4),
            "in_distilled_corpus": in_corpus,
            "teachers": dict(sorted(teachers.items())),
        },
    }


def label_studio_task(record: Mapping) -> dict:
    """A Label Studio task, the combined spans as predictions for ``<Labels name="label" toName="text">``."""
    text = record["text"]
    result = [
        {
            "from_name": "label",
            "to_name": "text",
            "type": "labels",
            "value": {
                "start": s["start"],
                "end": s["end"],
                "text": text[s["start"] : s["end"]],
                "labels": [s["label"]],
            },
        }
        for s in record["spans"]
    ]
    return {
        "data": {"text": text, "doc_id": record["meta"]["doc_id"]},
        "predictions": [{"model_version": "clin_distill.combine", "result": result}],
    }


def write_review_jsonl(path: str | Path, records: Iterable[dict]) -> None:
    """Write records atomically as JSONL, mode 0600 (they contain note text)."""
    with atomic_path(path, private=True) as tmp:
        srsly.write_jsonl(tmp, records)
