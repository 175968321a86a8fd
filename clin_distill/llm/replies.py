"""Read one reply into what the model said: (mention, label) pairs, whatever decoration it added.

Its one job is the reply text: :func:`read_reply` returns a :class:`Reading` (mentions as written,
the count of unknown labels, the open last mention) or raises :class:`UnusableReply` with the reason
(the model's failure marker, an empty reply, no line in the task's format, a cut v3 line). Finding
the mentions in the note is :mod:`.grounding`'s job.

Two line formats are read, each with or without list markers (``-``, ``*``, ``•``, ``1.``, ``2)``)
and Markdown emphasis or quotes around any field:

- spacy.NER.v3: ``1. mention | True | LABEL | reason`` (lines marked False are skipped);
- ``LABEL: mention, mention`` (spacy.NER.v1/v2, and what models often answer anyway), read
  only where LABEL is one of the task's labels.

Grounding drops the punctuation a model leaves around a mention (``metformin.``, ``fever,``,
``hypotension),``, quotes) with :func:`clean_mention`, and keeps it only where it is part of a
token of the note (``U.T.I.``). A reply with text but no line in either
format raises :class:`ReplyFormatError`.

A reply can be cut mid-line and still say ``finish_reason: stop`` (a proxy, a server's own limit;
cf. explosion/spacy-llm#379). Rule: its last line, when the reply does not end with a line end, is
*open*. An open spacy.NER.v3 line with fewer than its four fields raises :class:`ReplyCutError`; the
last mention of an open ``LABEL:`` line is returned by :func:`open_mention`, and grounding fails the
doc when that mention is, wherever it occurs in the note, a strict prefix of a longer phrase there
(``DISEASE: hypertension, type 2`` over "type 2 diabetes"; :func:`~.grounding.is_cut`). A cut reply
fails its doc (the rest of the answer is missing too), never a partial span.

Calls nothing else of the package (:func:`.rest.failure_reason` reads the model's failure marker).
spacy-llm's span parsers are not used: they skip what they cannot read, so a prose, empty or cut reply
reads as "no entities", and they count no mention they drop.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .rest import failure_reason

NONE_LABEL = "==NONE=="
MARKER = re.compile(r"^\s*(?:(?:[-*+•·‣–—]|\d{1,3}\s*[.)]|\(\d{1,3}\))\s+)*")
EMPHASIS = "*_`~"
OPENING_QUOTES, CLOSING_QUOTES = "\"'“‘«`", "\"'”’»`"
TRAILING_PUNCT = ".,;:!?"
BRACKETS = {")": "(", "]": "[", "}": "{"}
EMPTY_MENTIONS = frozenset({"", "none", "n/a", "na", "-", "—", NONE_LABEL.lower()})


class UnusableReply(ValueError):
    """The reply cannot be read; the message is the reason (no text of the reply)."""


class ReplyFormatError(UnusableReply):
    """The reply has text but no line in the task's format."""


class ReplyCutError(ReplyFormatError):
    """The reply stops inside a line (see the module docstring)."""


def strip_emphasis(field: str) -> str:
    """``**SYMPTOM**`` -> ``SYMPTOM``; also backticks, underscores, strikes and surrounding space."""
    return field.strip().strip(EMPHASIS).strip()


def _balanced(text: str) -> bool:
    depth = {opener: 0 for opener in BRACKETS.values()}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in BRACKETS:
            depth[BRACKETS[char]] -= 1
            if depth[BRACKETS[char]] < 0:
                return False
    return not any(depth.values())


def clean_mention(text: str) -> str:
    """The mention without decoration: emphasis, wrapping quotes or brackets, trailing punctuation,
    and brackets not balanced inside it (``amoxicillin (Amoxil)`` stays whole, ``fever),`` loses ``),``)."""
    previous = None
    while text != previous:
        previous = text
        text = strip_emphasis(text).rstrip(TRAILING_PUNCT)
        if text[:1] in OPENING_QUOTES:
            wrapped = len(text) > 1 and text[-1] in CLOSING_QUOTES
            text = text[1:-1] if wrapped else text[1:]
        elif text[-1:] in '"”»`':
            text = text[:-1]
        if len(text) > 1 and BRACKETS.get(text[-1]) == text[0] and _balanced(text[1:-1]):
            text = text[1:-1]  # wrapped whole: "(hypotension)"
        if text[-1:] in BRACKETS and text.count(text[-1]) > text.count(BRACKETS[text[-1]]):
            text = text[:-1]
        opener = {v: k for k, v in BRACKETS.items()}.get(text[:1])
        if opener and text.count(text[0]) > text.count(opener):
            text = text[1:]
    return text


def _v3_line(line: str) -> tuple[str, bool, str] | None:
    """(mention, is_entity, label) of a ``mention | True | LABEL | reason`` line."""
    parts = [strip_emphasis(p) for p in line.split("|", 3)]
    if len(parts) != 4 or parts[1].lower() not in ("true", "false"):
        return None
    return parts[0], parts[1].lower() == "true", parts[2].rstrip(".:")


def _label_line(line: str, known: Callable[[str], bool]) -> tuple[str, list[str]] | None:
    """(label, mentions) of a ``LABEL: mention, mention`` line whose label is known."""
    label, sep, rest = line.partition(":")
    label = strip_emphasis(label)
    if not sep or not known(label):
        return None
    rest = rest.strip().lstrip(EMPHASIS)
    return label, [m for m in rest.split(",") if clean_mention(m).lower() not in EMPTY_MENTIONS]


def parse_reply(
    reply: str, label_of: dict[str, str], normalize: Callable[[str], str]
) -> tuple[list[tuple[str, str]], int]:
    """(mention, label) pairs the reply marks as entities, and how many named an unknown label.

    Mentions are as written, less emphasis: grounding tries each cleaned first (:func:`clean_mention`).

    ``label_of`` maps normalised labels to the task's labels (spacy-llm's ``label_dict``).
    """
    mentions, unknown, parsed = [], 0, 0

    def known(label: str) -> bool:
        return label == NONE_LABEL or normalize(label) in label_of

    def add(text: str, label: str) -> None:
        nonlocal unknown
        if label == NONE_LABEL:
            return
        if normalize(label) not in label_of:
            unknown += 1
        elif clean_mention(text):
            mentions.append((strip_emphasis(text), label_of[normalize(label)]))

    lines = reply.splitlines()
    for number, raw in enumerate(lines, 1):
        line = MARKER.sub("", raw, count=1)
        if number == len(lines) and _is_open(reply) and "|" in line and _v3_line(line) is None:
            raise ReplyCutError(f"reply cut inside its last line ({line.count('|') + 1} of 4 fields)")
        if (v3 := _v3_line(line)) is not None:
            parsed += 1
            if v3[1]:
                add(v3[0], v3[2])
        elif (by_label := _label_line(line, known)) is not None:
            parsed += 1
            for text in by_label[1]:
                add(text, by_label[0])
    if not parsed and reply.strip():
        raise ReplyFormatError("reply not in the task format")
    return mentions, unknown


def _is_open(reply: str) -> bool:
    return bool(reply.strip()) and not reply.endswith(("\n", "\r"))


def open_mention(reply: str, label_of: dict[str, str], normalize: Callable[[str], str]) -> str | None:
    """The last mention of the reply's last line when that line is an open ``LABEL:`` line (no line
    end after it), as written; None otherwise (see the module docstring)."""
    if not _is_open(reply):
        return None
    line = MARKER.sub("", reply.splitlines()[-1], count=1)
    by_label = _label_line(line, lambda label: normalize(label) in label_of)
    return strip_emphasis(by_label[1][-1]) if by_label and by_label[1] else None


@dataclass(frozen=True)
class Reading:
    """What a reply says: (mention, label) pairs as written (less emphasis), how many named an unknown
    label, and the last mention of an open ``LABEL:`` line (:func:`open_mention`)."""

    mentions: list[tuple[str, str]]
    unknown: int
    open_mention: str | None


def read_reply(reply: str, label_of: dict[str, str], normalize: Callable[[str], str]) -> Reading:
    """The :class:`Reading` of ``reply``; :class:`UnusableReply` for a failure marker, an empty reply,
    a reply not in the task format or one cut inside a v3 line."""
    reason = failure_reason(reply) or (None if reply.strip() else "empty reply")
    if reason is not None:
        raise UnusableReply(reason)
    mentions, unknown = parse_reply(reply, label_of, normalize)
    return Reading(mentions, unknown, open_mention(reply, label_of, normalize))
