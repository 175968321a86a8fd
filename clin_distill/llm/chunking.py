"""Split a note into the chunks sent as prompts: overlapping, sentence- and section-aligned.

Segments end at blank lines, line breaks (clinical notes are line structured: section
headers, list items) and sentence ends. Chunks pack whole segments up to ``max_chars``;
the next chunk repeats up to ``overlap_chars`` of trailing segments, so a mention cut by
one boundary is whole in the neighbouring chunk. A segment longer than ``max_chars`` is
cut at whitespace. Every boundary falls on a token boundary of spaCy's tokenizer.

Calls nothing else of the package. spacy-llm's ``ShardMapper`` is not used: it halves a note by token
count until the prompt fits the context, with no overlap (a mention cut by a boundary is lost) and no
regard for lines or sentences, re-rendering the prompt and copying the doc at every try.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from ..docio import tokens_copy

SEGMENT_END = re.compile(r"\n\s*|(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Chunk:
    """A piece of a note sent as one prompt: where it starts in the note, and its tokens."""

    start_char: int
    doc: Doc


def segments(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Sentence/section segments as (start, end) offsets covering ``text``."""
    bounds, start = [], 0
    for m in SEGMENT_END.finditer(text):
        if m.end() > start:
            bounds.append((start, m.end()))
            start = m.end()
    if start < len(text):
        bounds.append((start, len(text)))
    out = []
    for s, e in bounds:
        while e - s > max_chars:
            cut = text.rfind(" ", s + 1, s + max_chars)
            cut = cut + 1 if cut > s else s + max_chars
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


def chunk_bounds(text: str, max_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """Character ranges of the chunks (whole text if it fits)."""
    if max_chars < 1 or overlap_chars < 0 or overlap_chars >= max_chars:
        raise ValueError("need max_chars >= 1 and 0 <= overlap_chars < max_chars")
    if len(text) <= max_chars:
        return [(0, len(text))]
    segs = segments(text, max_chars)
    chunks, i = [], 0
    while i < len(segs):
        j = i
        while j + 1 < len(segs) and segs[j + 1][1] - segs[i][0] <= max_chars:
            j += 1
        chunks.append((segs[i][0], segs[j][1]))
        if j + 1 >= len(segs):
            break
        k = j + 1
        while k - 1 > i and segs[j][1] - segs[k - 1][0] <= overlap_chars:
            k -= 1
        i = k
    return chunks


def chunk_doc(doc: Doc, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """The doc itself if short, else token-aligned chunk docs with their note offsets.

    A blank note has no chunks: there is nothing to ask about (and nothing to pay for).
    """
    if not doc.text.strip():
        return []
    bounds = chunk_bounds(doc.text, max_chars, overlap_chars)
    if len(bounds) == 1:
        return [Chunk(0, doc)]
    out = []
    for s, e in bounds:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is None or not len(span):
            continue
        # Built from the tokens (Span.as_doc copies arrays of the whole doc: quadratic on long notes).
        out.append(Chunk(span.start_char, tokens_copy(span)))
    return out
