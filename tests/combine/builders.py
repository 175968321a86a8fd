"""Hand-built teacher votes: one shared text, token-offset spans per teacher."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import Doc, Span

from clin_distill.combine.teachers import DocVotes
from clin_distill.docio import set_doc_id, set_provenance, write_docbin
from clin_distill.offsets import TokenSpan
from clin_distill.stepfiles.failures import Failures

NLP = spacy.blank("en")
TEXT = "Patient with chest pain and diabetes took metformin for fever today ."
# tokens:  0       1    2     3    4   5        6    7         8   9     10    11


def doc_with(
    doc_id: str,
    spans: list[TokenSpan],
    text: str = TEXT,
    corpus: str = "",
    annotated: list[str] | None = None,
) -> Doc:
    """A doc with ``spans``; with ``corpus``, from that corpus, annotated for ``annotated`` labels."""
    doc = NLP.make_doc(text)
    doc.set_ents([Span(doc, s, e, label=label) for s, e, label in spans])
    if corpus:
        set_provenance(doc, corpus, annotated if annotated is not None else [lab for _, _, lab in spans])
    return set_doc_id(doc, doc_id)


def votes(doc_id: str = "d1", failed: dict[str, str] | None = None, text: str = TEXT, **spans) -> DocVotes:
    """``votes(a=[(2, 4, "SYMPTOM")], b=[...])``: the spans each teacher proposed on one doc."""
    return DocVotes(doc_id, NLP.make_doc(text), {t: tuple(s) for t, s in spans.items()}, dict(failed or {}))


def write_teacher(
    root: Path, teacher: str, dataset: str, splits: dict[str, list[Doc]], failures: dict[str, list[str]]
) -> None:
    folder = root / teacher / dataset
    for split, docs in splits.items():
        write_docbin(folder / f"{split}.spacy", docs)
    Failures(failed=failures).write(folder / "failures.json")
