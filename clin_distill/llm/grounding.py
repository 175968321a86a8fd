"""Ground what a reply said (a :class:`~.replies.Reading`) in the chunk it was asked about.

Its one job is finding mentions in the note: :func:`ground_chunk` gives a chunk's spans in note
offsets with its drop counts, or fails the chunk when the reply was cut inside a mention.

A mention is grounded when it occurs in the chunk as whole tokens (case-insensitive, like
spacy-llm's default; whitespace runs may differ); every such occurrence is labelled. Dropped
and counted, never guessed: ``unfound`` (not in the text, or only inside other words),
``unknown_label``, and ``ambiguous`` (one span given two labels).

Calls nothing else of the package (it reads :mod:`.replies`' types and its rule for decoration,
:func:`~.replies.clean_mention`). spacy-llm's ``find_substrings`` is not used: it also matches inside
words, and its callers drop what it does not find without counting it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from ..offsets import CharSpan
from .chunking import Chunk
from .replies import Reading, ReplyCutError, clean_mention


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


def ground_chunk(chunk: Chunk, reading: Reading) -> Grounded:
    """The reading's spans in note offsets, with its drop counts (``unknown_label`` included).

    Raises:
        ReplyCutError: the reply's open last mention runs on in the chunk (:func:`is_cut`).
    """
    if reading.open_mention is not None and is_cut(chunk.doc, reading.open_mention):
        raise ReplyCutError("reply cut inside a mention (its last line has no line end)")
    grounded = ground(chunk.doc, reading.mentions)
    grounded.counts["unknown_label"] += reading.unknown
    offset = chunk.start_char
    grounded.spans = [(start + offset, end + offset, label) for start, end, label in grounded.spans]
    return grounded
