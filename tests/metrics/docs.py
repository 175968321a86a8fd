"""Build small gold/predicted Docs with ids from (text, [(substring, label), ...])."""

from __future__ import annotations

import random

import spacy
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from clin_distill.docio import set_doc_id
from clin_distill.labels import LABELS

NLP = spacy.blank("en")


def make_doc(doc_id: str, text: str, ents: list[tuple[str, str]]) -> Doc:
    """Entities given by first occurrence of a substring (``"word#2"`` = second occurrence)."""
    doc = NLP.make_doc(text)
    spans = []
    for needle, label in ents:
        needle, _, nth = needle.partition("#")
        start = -1
        for _ in range(int(nth or 1)):
            start = text.index(needle, start + 1)
        span = doc.char_span(start, start + len(needle), label=label)
        assert span is not None, f"{needle!r} is not on token boundaries"
        spans.append(span)
    doc.ents = spans
    return set_doc_id(doc, doc_id)


def random_docs(n: int, seed: int, n_tokens: int = 30) -> tuple[list[Doc], list[Doc]]:
    """``n`` (pred, gold) doc pairs: random gold entities, and predictions that keep, shift,
    relabel or drop each one, plus random spurious spans (never overlapping each other)."""
    rng = random.Random(seed)
    words_pool = ["pain", "fever", "aspirin", "diabetes", "the", "with", "of"]
    preds, golds = [], []
    for i in range(n):
        words = [rng.choice(words_pool) for _ in range(n_tokens)]
        gold, pred = Doc(NLP.vocab, words=words), Doc(NLP.vocab, words=words)
        gold_spans, pos = [], 0
        while pos < n_tokens:
            pos += rng.randint(1, 4)
            length = rng.randint(1, 3)
            if pos + length <= n_tokens:
                gold_spans.append((pos, pos + length, rng.choice(LABELS)))
            pos += length
        pred_spans = []
        for start, end, label in gold_spans:
            action = rng.choice(["keep", "keep", "shift", "relabel", "drop"])
            if action == "shift":
                start, end = max(0, start + rng.choice([-1, 1])), end
            elif action == "relabel":
                label = rng.choice([lab for lab in LABELS if lab != label])
            if action != "drop" and start < end:
                pred_spans.append((start, end, label))
        for _ in range(rng.randint(0, 3)):
            start = rng.randrange(n_tokens)
            pred_spans.append((start, min(n_tokens, start + rng.randint(1, 2)), rng.choice(LABELS)))
        gold.ents = [Span(gold, s, e, label=lab) for s, e, lab in gold_spans]
        pred.ents = filter_spans([Span(pred, s, e, label=lab) for s, e, lab in pred_spans])
        preds.append(set_doc_id(pred, f"d{i}"))
        golds.append(set_doc_id(gold, f"d{i}"))
    return preds, golds
