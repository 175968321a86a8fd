"""Parse spacy.NER.v3 replies and ground every mention in the text it was asked about.

A reply line reads ``N. mention | True | LABEL | reason``. A mention is grounded when it
occurs in the chunk as whole tokens (case-insensitive, like spacy-llm's default; whitespace
runs may differ); every such occurrence is labelled. Dropped and counted, never guessed:
``unfound`` (not in the text, or only inside other words), ``unknown_label``, and
``ambiguous`` (one span given two labels).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc
from spacy.util import filter_spans

LINE = re.compile(r"^\s*(?:\d+\s*[.)]\s*)?(?P<rest>.*)$")
NONE_LABEL = "==NONE=="


class ReplyFormatError(ValueError):
    """The reply has text but no line in the task's format."""


@dataclass
class Grounded:
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)


def parse_reply(reply: str, label_of: dict[str, str], normalize) -> tuple[list[tuple[str, str]], int]:
    """(mention, label) pairs marked True, and how many named an unknown label.

    ``label_of`` maps normalised labels to the task's labels (spacy-llm's ``label_dict``).
    """
    mentions, unknown, parsed = [], 0, 0
    for line in reply.splitlines():
        parts = [p.strip() for p in LINE.match(line).group("rest").split("|", 3)]
        if len(parts) != 4 or parts[1].lower() not in {"true", "false"}:
            continue
        parsed += 1
        text, is_entity, label = parts[0].strip("\"'`"), parts[1].lower() == "true", parts[2]
        if not is_entity or label == NONE_LABEL:
            continue
        if normalize(label) not in label_of:
            unknown += 1
            continue
        mentions.append((text, label_of[normalize(label)]))
    if not parsed and reply.strip():
        raise ReplyFormatError("reply not in the task format")
    return mentions, unknown


def _pattern(mention: str) -> re.Pattern | None:
    words = mention.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def ground(doc: Doc, mentions: list[tuple[str, str]]) -> Grounded:
    """Token-aligned (start, end, label) spans in ``doc`` for the mentions, plus drop counts."""
    out = Grounded()
    labels_at: dict[tuple[int, int], set[str]] = {}
    for text, label in dict.fromkeys(mentions):
        pattern = _pattern(text)
        hits = list(pattern.finditer(doc.text)) if pattern else []
        aligned = [m for m in hits if doc.char_span(m.start(), m.end(), alignment_mode="strict") is not None]
        if not aligned:
            out.counts["unfound"] += 1
            continue
        for m in aligned:
            labels_at.setdefault((m.start(), m.end()), set()).add(label)
    for (start, end), labels in sorted(labels_at.items()):
        if len(labels) > 1:
            out.counts["ambiguous"] += 1
        else:
            out.spans.append((start, end, next(iter(labels))))
    return out


def merge_chunk_spans(doc: Doc, chunk_spans: list[tuple[int, int, str]]) -> tuple[list, int]:
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
