"""Abbreviations defined in the text ("long form (SF)"), Schwartz & Hearst (PSB 2003) style.

When a long form ends on an entity found by an upstream component, the short form and
every other mention of it in the same doc get that entity's label. Optionally the entity is
widened to the whole long form ("adenomatous polyposis coli (APC)" when only "polyposis
coli" matched).

An acronym never defined in the doc may take the label of an entity that spells it out
(``match_undefined``), when every word of that entity starts with a letter of the acronym, in
order ("ALD" ← "adrenoleukodystrophy", not "CT" ← "cystic tumor"; never an entity holding the
acronym itself: "G6PD deficiency"), and the acronym is not in the ``known`` list of clinical
abbreviations given at initialization (their meanings are known: "CT" is computed tomography,
so no guess).

Why not scispaCy's ``AbbreviationDetector`` (same algorithm: Schwartz & Hearst, "A simple algorithm
for identifying abbreviation definitions in biomedical text", PSB 2003): scispaCy 0.6 pulls in
nmslib and scipy for its entity linkers, and the detector finds pairs only; the part kept here is the
pairing (about 70 lines), and what this module adds is the label transfer and the known-list rule.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

MAX_SF_CHARS = 10
MAX_SF_TOKENS = 3
_STOP_TOKENS = {".", ";", ":", "(", ")", "[", "]", "!", "?"}


@dataclass(frozen=True)
class Abbreviation:
    """A definition: token ranges of the long form and the short form (without the brackets)."""

    long_start: int
    long_end: int
    short_start: int
    short_end: int


def best_long_form(short: str, long: str) -> int | None:
    """Schwartz–Hearst match: the character offset in ``long`` where the long form starts.

    Each alphanumeric character of ``short``, right to left, must be found in ``long``
    right to left; the first one must start a word. Returns None when there is no match.
    """
    s, i = len(short) - 1, len(long) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != char or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    while i >= 0 and not long[i].isspace():
        i -= 1
    return i + 1


def _is_short_form(span: Span) -> bool:
    text = span.text
    return (
        2 <= len(text) <= MAX_SF_CHARS
        and text[0].isalnum()
        and any(c.isalpha() for c in text)
        and len(span) <= MAX_SF_TOKENS
    )


def find_abbreviations(doc: Doc) -> list[Abbreviation]:
    """All "long form (short form)" definitions in ``doc``."""
    found = []
    for open_tok in doc:
        if open_tok.text != "(" or open_tok.i == 0:
            continue
        close = next(
            (t.i for t in doc[open_tok.i + 1 : open_tok.i + 2 + MAX_SF_TOKENS] if t.text == ")"),
            None,
        )
        if close is None or close == open_tok.i + 1:
            continue
        short = doc[open_tok.i + 1 : close]
        if not _is_short_form(short):
            continue
        max_words = min(len(short.text) + 5, 2 * len(short.text))
        start = open_tok.i
        while start > 0 and open_tok.i - start < max_words and doc[start - 1].text not in _STOP_TOKENS:
            start -= 1
        while start < open_tok.i and doc[start].is_space:
            start += 1
        if start == open_tok.i:
            continue
        window = doc[start : open_tok.i]
        offset = best_long_form(short.text, window.text)
        if offset is None:
            continue
        long_char = window.start_char + offset
        long_start = next((t.i for t in window if t.idx >= long_char), None)
        if long_start is None or short.text.lower() in doc[long_start : open_tok.i].text.lower().split():
            continue
        found.append(Abbreviation(long_start, open_tok.i, short.start, short.end))
    return found


_WORD_SPLIT = re.compile(r"[^0-9A-Za-z]+")


def initials_in_order(short: str, long: str) -> bool:
    """Each word of ``long`` starts with a letter or digit of ``short``, in order (case-insensitive),
    and no word of ``long`` is ``short`` itself ("G6PD deficiency" does not spell out "G6PD")."""
    chars = [c for c in short.lower() if c.isalnum()]
    words = [w for w in _WORD_SPLIT.split(long.lower()) if w]
    if "".join(chars) in words:
        return False
    i = 0
    for word in words:
        while i < len(chars) and chars[i] != word[0]:
            i += 1
        if i == len(chars):
            return False
        i += 1
    return True


def _mentions(doc: Doc, short: Span) -> list[tuple[int, int]]:
    words = [t.text for t in short]
    n = len(words)
    return [(i, i + n) for i in range(len(doc) - n + 1) if [t.text for t in doc[i : i + n]] == words]


def _acronym_token(text: str) -> bool:
    return 2 <= len(text) <= MAX_SF_CHARS and text.isalnum() and sum(c.isupper() for c in text) >= 2


class AbbreviationLabeler:
    """Label short forms (and their other mentions) like the entity their long form ends on.

    With ``match_undefined``, an acronym token that is never defined in the doc takes the label
    of an entity whose whole text is its Schwartz–Hearst long form ("ALD" ← "adrenoleukodystrophy").
    """

    def __init__(self, nlp: Language, name: str, expand_long_form: bool, match_undefined: bool) -> None:
        self.name = name
        self.expand_long_form = expand_long_form
        self.match_undefined = match_undefined
        self.known: set[str] = set()

    def initialize(
        self, get_examples=None, *, nlp: Language | None = None, known: Iterable[str] = ()
    ) -> None:
        """``known``: abbreviations whose meanings a clinical list gives (never guessed from the doc)."""
        self.known = set(known)

    def to_bytes(self, exclude: Iterable[str] = ()) -> bytes:
        """The known abbreviations as JSON bytes."""
        return srsly.json_dumps(sorted(self.known)).encode("utf8")

    def from_bytes(self, data: bytes, exclude: Iterable[str] = ()) -> "AbbreviationLabeler":
        """Read the known abbreviations from JSON bytes."""
        self.known = set(srsly.json_loads(data))
        return self

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        """Write the known abbreviations to ``path/known.json``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "known.json", sorted(self.known))

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> "AbbreviationLabeler":
        """Read ``path/known.json`` (none: no known abbreviations)."""
        file = Path(path) / "known.json"
        self.known = set(srsly.read_json(file)) if file.is_file() else set()
        return self

    def __call__(self, doc: Doc) -> Doc:
        """Label abbreviations defined in the note, and known ones (module docstring)."""
        ents = list(doc.ents)
        new: list[Span] = []
        for abbr in find_abbreviations(doc):
            ent = next((e for e in ents if e.end == abbr.long_end and e.start >= abbr.long_start), None)
            if ent is None:
                continue
            if self.expand_long_form and ent.start > abbr.long_start:
                new.append(
                    Span(
                        doc, abbr.long_start, abbr.long_end, label=ent.label, kb_id=ent.kb_id, span_id=ent.id
                    )
                )
            short = doc[abbr.short_start : abbr.short_end]
            for start, end in _mentions(doc, short):
                new.append(Span(doc, start, end, label=ent.label, kb_id=ent.kb_id, span_id=ent.id))
        if self.match_undefined:
            new += self._undefined(doc, ents + new, self.known)
        if new:
            # filter_spans keeps the longest: a widened long form replaces the match inside it.
            doc.ents = filter_spans(new + ents)
        return doc

    @staticmethod
    def _undefined(doc: Doc, spans: list[Span], known: set[str]) -> list[Span]:
        covered = {i for span in spans for i in range(span.start, span.end)}
        found: list[Span] = []
        by_text: dict[str, Span | None] = {}
        for tok in doc:
            if tok.i in covered or not _acronym_token(tok.text) or tok.text in known:
                continue
            if tok.text not in by_text:
                by_text[tok.text] = next(
                    (
                        s
                        for s in spans
                        if s.text[:1].lower() == tok.text[:1].lower()
                        and best_long_form(tok.text, s.text) == 0
                        and initials_in_order(tok.text, s.text)
                    ),
                    None,
                )
            source = by_text[tok.text]
            if source is not None:
                found.append(
                    Span(doc, tok.i, tok.i + 1, label=source.label, kb_id=source.kb_id, span_id=source.id)
                )
        return found


@Language.factory(
    "clin_distill_abbreviations",
    default_config={"expand_long_form": True, "match_undefined": True},
)
def make_abbreviation_labeler(
    nlp: Language, name: str, expand_long_form: bool, match_undefined: bool
) -> AbbreviationLabeler:
    """The ``clin_distill_abbreviations`` component."""
    return AbbreviationLabeler(nlp, name, expand_long_form, match_undefined)
