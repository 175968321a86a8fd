"""Source documents as the readers parse them, before tokenization: text, character-offset spans
and the line each came from, and the offset checks every reader applies.

* **Offsets** are checked by the reader with :func:`check_span`: a span outside the text, or whose
  stated surface text differs from the text at its offsets, raises :class:`CorpusError` naming the
  file, doc id and line (never note text). Surface texts are compared after collapsing whitespace
  runs to one space and stripping the ends, so annotation files that write a line break inside a
  mention as a space, or pad a mention with spaces (NCBI Disease PMID 10923035), still match; such
  spans are counted as ``surface_whitespace``.
* **Discontinuous** annotations become one span (:func:`join_fragments`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .reading import CorpusError, where

_WS = re.compile(r"\s+")


def normalize_space(text: str) -> str:
    """``text`` with whitespace runs collapsed to one space and the ends stripped."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class RawSpan:
    """A source annotation: character offsets, source label and the line it came from."""

    start: int
    end: int
    label: str
    line: int = 0


@dataclass
class RawDoc:
    """A parsed source document before tokenization."""

    doc_id: str
    text: str
    spans: list[RawSpan]
    source: str
    line: int = 0
    events: Counter = field(default_factory=Counter)

    def fingerprint(self) -> str:
        """A hash of the text and spans: the same document read twice has the same fingerprint."""
        key = json.dumps([self.text, sorted((s.start, s.end, s.label) for s in self.spans)])
        return hashlib.sha1(key.encode("utf8")).hexdigest()


def check_span(
    text: str, start: int, end: int, surface: str | None, source: str, doc_id: str, line: int
) -> bool:
    """Raise :class:`CorpusError` if ``[start, end)`` is outside ``text`` or does not show ``surface``.

    Returns True when the surface matched only after whitespace normalisation.
    """
    if not 0 <= start < end <= len(text):
        raise CorpusError(
            f"{where(source, doc_id, line)}: span {start}-{end} is outside the text (length {len(text)})"
        )
    if surface is None or text[start:end] == surface:
        return False
    if normalize_space(text[start:end]) == normalize_space(surface):
        return True
    raise CorpusError(f"{where(source, doc_id, line)}: span {start}-{end} does not match its stated text")


def join_fragments(text: str, fragments: Sequence[tuple[int, int]]) -> tuple[int, int, str]:
    """One contiguous span for a discontinuous annotation.

    The covering span when every gap between fragments is whitespace only
    (event ``discontinuous_joined``); otherwise the first fragment
    (event ``discontinuous_first_fragment``), so no unannotated words become gold.
    """
    frags = sorted(fragments)
    gaps = (text[a_end:b_start] for (_, a_end), (b_start, _) in zip(frags, frags[1:], strict=False))
    if all(not gap.strip() for gap in gaps):
        return frags[0][0], max(end for _, end in frags), "discontinuous_joined"
    return fragments[0][0], fragments[0][1], "discontinuous_first_fragment"
