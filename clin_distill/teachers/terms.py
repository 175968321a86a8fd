"""Vocabulary terms → EntityRuler patterns: normalisation, the stop-list rule, variants.

Pattern files are JSONL in the EntityRuler format. Terms are matched case-insensitively
(phrase patterns over the ``LOWER`` attribute), except acronyms, which are matched on
their exact spelling (a token pattern on ``ORTH``) so that "AIDS" never fires on "aids".

Stop-list rule (documented, no hand list), applied to every term after normalisation:

1. terms shorter than ``MIN_CHARS`` (3) characters are dropped ("MS", "PT", "Ca");
2. single-word terms that are English stop words (spaCy's ``STOP_WORDS``: "ALL", "AND",
   "WAS", "same") are dropped, whatever their case;
3. acronyms (single words written in capitals/digits in the source, up to ``ACRONYM_MAX``
   (5) characters, e.g. "HIV", "COPD") are kept but matched case-sensitively, and so are
   single words that their source marks case-sensitive (SNOMED CT case significance).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import srsly
from spacy.lang.en.stop_words import STOP_WORDS

from ..docio import atomic_path
from ..labels import DISEASE, LABELS, MEDICATION, SYMPTOM

MIN_CHARS = 3
ACRONYM_MAX = 5
# When one lower-cased term comes with several labels, the first label here wins.
LABEL_PRIORITY: tuple[str, ...] = (DISEASE, MEDICATION, SYMPTOM)

_SPACE = re.compile(r"\s+")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9-]*$")
_ALPHA_WORD = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class Term:
    """One surface form of a concept: ``text`` labelled ``label``, concept ``id``, from ``source``."""

    text: str
    label: str
    id: str
    source: str
    case_sensitive: bool = False


def normalize(text: str) -> str:
    """Collapse whitespace and strip surrounding blanks and quotes."""
    return _SPACE.sub(" ", text).strip().strip("\"'").strip()


def is_acronym(text: str) -> bool:
    """Whether ``text`` is a short all-caps acronym (matched by exact spelling only)."""
    return " " not in text and len(text) <= ACRONYM_MAX and bool(_ACRONYM.match(text))


def stop_reason(text: str) -> str | None:
    """Why the stop-list rule drops ``text`` (a short code), or None to keep it."""
    if len(text) < MIN_CHARS:
        return "short"
    if " " not in text and text.lower() in STOP_WORDS:
        return "stop_word"
    return None


def plural(word: str) -> str | None:
    """Regular English plural of a lower-case alphabetic word (None if not applicable).

    Covers the forms medical vocabularies need: -y → -ies, -sis → -ses, sibilants → -es,
    otherwise -s. Irregular Latin plurals are not guessed.
    """
    if not _ALPHA_WORD.match(word) or len(word) < 4:
        return None
    if word.endswith("sis"):
        return word[:-2] + "es"
    if word.endswith("s"):
        return None  # already plural or a Latin -us/-s form
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def plural_variant(text: str) -> str | None:
    """The term with its last word pluralised ("breast tumor" → "breast tumors")."""
    head, _, last = text.rpartition(" ")
    form = plural(last)
    if form is None:
        return None
    return f"{head} {form}" if head else form


def hyphen_variants(text: str) -> list[str]:
    """Hyphen/space spellings of a term: "ataxia telangiectasia" ↔ "ataxia-telangiectasia".

    Two-word alphabetic terms get a hyphenated form; hyphenated words get a spaced form.
    """
    words = text.split(" ")
    out = []
    if len(words) == 2 and all(w.isalpha() for w in words):
        out.append("-".join(words))
    if "-" in text:
        out.append(text.replace("-", " "))
    return out


_POSSESSIVE = re.compile(r"(\w)['’]s\b")


def possessive_variants(text: str) -> list[str]:
    """Eponym spellings of a possessive term: "huntington's disease" → "huntington disease",
    "huntingtons disease", "huntington’s disease" (typographic apostrophe); and back from "’"."""
    if not _POSSESSIVE.search(text):
        return []
    forms = [
        _POSSESSIVE.sub(r"\1", text),
        _POSSESSIVE.sub(r"\1s", text),
        _POSSESSIVE.sub(r"\1’s", text),
        _POSSESSIVE.sub(r"\1's", text),
    ]
    return [f for f in dict.fromkeys(forms) if f != text]


def exact_spelling(term: Term) -> bool:
    """Acronyms, and one-word terms their source marks case-sensitive, keep their spelling."""
    return is_acronym(term.text) or (term.case_sensitive and " " not in term.text)


def match_key(term: Term) -> str:
    """What a pattern matches on: the exact spelling (see :func:`exact_spelling`), else the lower case."""
    return term.text if exact_spelling(term) else term.text.lower()


def to_pattern(term: Term) -> dict:
    """EntityRuler pattern: exact-spelling token pattern (see :func:`exact_spelling`), else a phrase."""
    if exact_spelling(term):
        return {"label": term.label, "pattern": [{"ORTH": term.text}], "id": term.id}
    return {"label": term.label, "pattern": term.text.lower(), "id": term.id}


@dataclass
class PatternStats:
    """Counts of what :func:`select_terms` kept and dropped, per label and reason."""

    kept: dict[str, int]
    dropped: dict[str, int]
    conflicts: int = 0


def select_terms(
    terms: Iterable[Term],
    plurals: Iterable[str] = (DISEASE, SYMPTOM),
    hyphens: bool = True,
    possessives: bool = True,
) -> tuple[list[Term], PatternStats]:
    """Normalise, stop-list, add plural, hyphen and possessive variants and resolve label conflicts.

    One pattern is kept per match key (the exact spelling for acronyms, the lower-cased
    text otherwise); when a key is seen with several labels, :data:`LABEL_PRIORITY` decides
    and the first concept id seen for the winning label is kept.
    """
    plural_labels = set(plurals)
    best: dict[str, Term] = {}
    stats = PatternStats(kept={lab: 0 for lab in LABELS}, dropped={})
    conflicts: set[str] = set()

    def offer(term: Term) -> None:
        key = match_key(term)
        old = best.get(key)
        if old is None:
            best[key] = term
        elif old.label != term.label:
            conflicts.add(key)
            if LABEL_PRIORITY.index(term.label) < LABEL_PRIORITY.index(old.label):
                best[key] = term

    for raw in terms:
        text = normalize(raw.text)
        reason = stop_reason(text)
        if reason:
            stats.dropped[reason] = stats.dropped.get(reason, 0) + 1
            continue
        term = Term(text, raw.label, raw.id, raw.source, raw.case_sensitive)
        offer(term)
        if exact_spelling(term):
            continue
        forms = [text.lower()]
        if hyphens:
            forms += [f for f in hyphen_variants(forms[0]) if f != forms[0]]
        if possessives:
            forms += possessive_variants(forms[0])
        for form in list(forms) if term.label in plural_labels else []:
            plural_form = plural_variant(form)
            if plural_form:
                forms.append(plural_form)
        for form in forms[1:]:
            offer(Term(form, term.label, term.id, term.source + ":variant"))
    kept = list(best.values())
    for term in kept:
        stats.kept[term.label] += 1
    stats.conflicts = len(conflicts)
    return kept, stats


def write_patterns(path: str | Path, terms: Iterable[Term]) -> int:
    """Write EntityRuler patterns as JSONL atomically; returns the pattern count."""
    patterns = [to_pattern(t) for t in terms]
    with atomic_path(path) as tmp:
        srsly.write_jsonl(tmp, patterns)
    return len(patterns)
