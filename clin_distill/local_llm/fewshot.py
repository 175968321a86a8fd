"""Few-shot examples for a small local LLM, drawn deterministically from a gold train split.

Candidates are the sentence/section segments of the train docs (the chunker's segments)
that hold at least one gold entity, cut no entity, and are ``min_chars``..``max_chars``
long. ``pick_examples`` takes ``k`` of them greedily: first the one that adds the most
labels not yet shown, then the one with more entities (up to 3), then the shortest; ties
by doc id and offset, so the same corpus always gives the same file. At most one example
per doc. Spans are written in the spacy.NER.v3 few-shot format, in text order, each with
the reason ``is a <label>`` that the grammar-constrained replies repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import srsly
from spacy.tokens import Doc

from ..docio import atomic_path, get_doc_id
from ..llm.chunking import segments

DENSE_ENOUGH = 3


@dataclass(frozen=True)
class Candidate:
    """A gold train doc that may become a few-shot example: its id, text and (text, label) spans."""

    doc_id: str
    start: int
    text: str
    spans: tuple[tuple[str, str], ...]

    @property
    def labels(self) -> set[str]:
        """The labels of its spans."""
        return {label for _text, label in self.spans}


def reason_for(label: str) -> str:
    """The reason given for every entity of ``label`` (the grammar allows only these)."""
    return f"is a {label.lower()}"


def candidates(docs: list[Doc], min_chars: int, max_chars: int) -> list[Candidate]:
    """Segments with whole gold entities, sized for a prompt."""
    out = []
    for doc in docs:
        ents = list(doc.ents)
        for seg_start, seg_end in segments(doc.text, len(doc.text) or 1):
            raw = doc.text[seg_start:seg_end]
            start = seg_start + len(raw) - len(raw.lstrip())
            end = seg_start + len(raw.rstrip())
            if not min_chars <= end - start <= max_chars:
                continue
            inside = [e for e in ents if start <= e.start_char and e.end_char <= end]
            cut = any(e.start_char < end and e.end_char > start for e in ents if e not in inside)
            if not inside or cut:
                continue
            spans = tuple(dict.fromkeys((e.text, e.label_) for e in inside))
            out.append(Candidate(get_doc_id(doc), start, doc.text[start:end], spans))
    return out


def pick_examples(docs: list[Doc], k: int = 3, min_chars: int = 80, max_chars: int = 400) -> list[Candidate]:
    """``k`` short, label-covering train segments, chosen deterministically (see module doc)."""
    pool = candidates(docs, min_chars, max_chars)
    chosen: list[Candidate] = []
    shown: set[str] = set()
    while pool and len(chosen) < k:
        best = min(
            pool,
            key=lambda c: (
                -len(c.labels - shown),
                -min(len(c.spans), DENSE_ENOUGH),
                len(c.text),
                c.doc_id,
                c.start,
            ),
        )
        chosen.append(best)
        shown |= best.labels
        pool = [c for c in pool if c.doc_id != best.doc_id]
    return chosen


def as_fewshot(examples: list[Candidate]) -> list[dict]:
    """The examples in spacy-llm's NER.v3 (chain-of-thought) few-shot format."""
    return [
        {
            "text": eg.text,
            "spans": [
                {"text": text, "is_entity": True, "label": label, "reason": reason_for(label)}
                for text, label in eg.spans
            ],
        }
        for eg in examples
    ]


def write_fewshot(path: Path, examples: list[Candidate], source: str) -> None:
    """Write the few-shot YAML (mode 0600: it holds corpus text) with its provenance as comments."""
    header = [
        f"# Few-shot examples for the local-llm teacher, picked from {source} by",
        "# clin_distill.local_llm.fewshot.pick_examples (scripts/pick_fewshot.py); do not edit by hand.",
        *(f"# - doc {eg.doc_id}, chars {eg.start}-{eg.start + len(eg.text)}" for eg in examples),
    ]
    body = srsly.yaml_dumps(as_fewshot(examples))
    with atomic_path(path, private=True) as tmp:
        tmp.write_text("\n".join(header) + "\n" + body, encoding="utf8")
