"""Ground every mention of a reply (:mod:`.replies`) in the text it was asked about.

A mention is grounded when it occurs in the chunk as whole tokens (case-insensitive, like
spacy-llm's default; whitespace runs may differ); every such occurrence is labelled. Dropped
and counted, never guessed: ``unfound`` (not in the text, or only inside other words),
``unknown_label``, and ``ambiguous`` (one span given two labels).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc
from spacy.util import filter_spans

from ..offsets import CharSpan
from .replies import clean_mention


@dataclass
class Grounded:
    """Mentions found in the note (character offsets) and counts of those dropped, by reason."""

    spans: list[CharSpan] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def _folded(text: str) -> str:
    return " ".join(text.split()).lower()


def _hits(doc: Doc, folded_text: str, mention: str) -> list[tuple[int, int]]:
    """Token-aligned occurrences of ``mention`` in ``doc`` (any case, any whitespace run)."""
    words = mention.split()
    if not words or " ".join(words).lower() not in folded_text:  # fast exit for mentions not in the text
        return []
    body = r"\s+".join(re.escape(w) for w in words)
    pattern = re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)
    found = [(m.start(), m.end()) for m in pattern.finditer(doc.text)]
    return [(s, e) for s, e in found if doc.char_span(s, e, alignment_mode="strict") is not None]


def ground(doc: Doc, mentions: list[tuple[str, str]]) -> Grounded:
    """Token-aligned (start, end, label) spans in ``doc`` for the mentions, plus drop counts.

    Each mention is looked for cleaned of surrounding punctuation first, and as written only
    if that finds nothing (the punctuation then belongs to a token, as in ``U.T.I.``).
    """
    out = Grounded()
    folded_text = _folded(doc.text)
    labels_at: dict[tuple[int, int], set[str]] = {}
    for text, label in dict.fromkeys(mentions):
        hits = []
        for candidate in dict.fromkeys((clean_mention(text), text)):
            if hits := _hits(doc, folded_text, candidate):
                break
        if not hits:
            out.counts["unfound"] += 1
            continue
        for bounds in hits:
            labels_at.setdefault(bounds, set()).add(label)
    for (start, end), labels in sorted(labels_at.items()):
        if len(labels) > 1:
            out.counts["ambiguous"] += 1
        else:
            out.spans.append((start, end, next(iter(labels))))
    return out


def is_cut(doc: Doc, mention: str) -> bool:
    """Whether ``mention`` occurs in ``doc`` and every occurrence runs on into a longer phrase: the
    next token is a word (letters, not a stop word, not a number) on the same line, as "diabetes"
    after "type 2" or "pain" after "chest" (:mod:`.replies`: the rule for cut replies)."""
    folded_text = _folded(doc.text)
    hits = []
    for candidate in dict.fromkeys((clean_mention(mention), mention)):
        if hits := _hits(doc, folded_text, candidate):
            break
    if not hits:
        return False
    for _, end in hits:
        span = doc.char_span(end, end, alignment_mode="expand")
        nxt = doc[span.start] if span is not None and span.start < len(doc) else None
        if nxt is None or "\n" in doc.text[end : nxt.idx]:
            return False
        word = nxt.text
        if not (word[:1].isalpha() and word.lower() not in STOP_WORDS):
            return False
    return True


def merge_chunk_spans(doc: Doc, chunk_spans: list[CharSpan]) -> tuple[list, int]:
    """De-duplicate spans from overlapping chunks (already in note offsets) and set them on a copy.

    The same span with two labels (from two chunks) is ambiguous and dropped; of overlapping
    different spans the longest wins (spaCy's ``filter_spans``). Returns (spans, n_ambiguous).
    """
    labels_at: dict[tuple[int, int], set[str]] = {}
    for start, end, label in chunk_spans:
        labels_at.setdefault((start, end), set()).add(label)
    spans, ambiguous = [], 0
    for (start, end), labels in sorted(labels_at.items()):
        if len(labels) > 1:
            ambiguous += 1
            continue
        span = doc.char_span(start, end, label=next(iter(labels)), alignment_mode="strict")
        if span is not None:
            spans.append(span)
    return filter_spans(spans), ambiguous
