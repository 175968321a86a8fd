"""The teachers' rule for clinical abbreviations, applied to the student's entities.

The distilled corpus teaches abbreviations that abstracts define ("daunorubicin (DNR)") as entities,
and no training text shows an undefined clinical abbreviation as "O", so a student learns that short
capitalised tokens are drugs or diseases: "PCP" in "f/u with PCP", "MS" in "MS: alert and oriented".
The open-vocabulary teacher never guesses a known clinical abbreviation's meaning: it labels one only
when more than half of its meanings in a clinical list are terms of one label ("HTN" → DISEASE; "MS":
mental status, mitral stenosis, morphine sulphate, multiple sclerosis, musculoskeletal → none).

``clin_distill_abbreviation_guard`` (after the NER) keeps the same rule: a one-token entity that is a
known clinical abbreviation is dropped when the list's majority label is not the predicted one, unless
the note defines it (the abbreviation appears in brackets, "(PCP)"). The table (abbreviation →
majority label or null) is set at initialization and saved with the pipeline. Self-contained (shipped
in the package): spaCy and srsly.
"""

from collections.abc import Iterable
from pathlib import Path

import srsly
from spacy.language import Language
from spacy.tokens import Doc

try:
    from .registration import register_factory
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_factory

FACTORY = "clin_distill_abbreviation_guard"
NAME = "abbreviation_guard"
TABLE_FILE = "abbreviations.json"
DROPPED = "abbreviations_dropped"


class AbbreviationGuard:
    """Drop one-token entities that are known clinical abbreviations of another (or no) label."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.labels: dict[str, str | None] = {}

    def initialize(
        self, get_examples=None, *, nlp: Language | None = None, labels: dict | None = None
    ) -> None:
        """``labels``: abbreviation → the label most of its meanings have (None: no majority)."""
        self.labels = dict(labels or {})

    def keeps(self, doc: Doc, start: int, end: int, label: str) -> bool:
        """Whether the entity ``doc[start:end]`` of ``label`` passes the rule (module docstring)."""
        if end - start != 1:
            return True
        text = doc[start].text
        if text not in self.labels or self.labels[text] == label:
            return True
        return f"({text})" in doc.text

    def __call__(self, doc: Doc) -> Doc:
        """Remove the entities the rule drops; their count goes to ``doc.user_data``."""
        kept = [e for e in doc.ents if self.keeps(doc, e.start, e.end, e.label_)]
        if len(kept) != len(doc.ents):
            doc.user_data[DROPPED] = doc.user_data.get(DROPPED, 0) + len(doc.ents) - len(kept)
            doc.ents = kept
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        """Write the table to ``path/abbreviations.json``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / TABLE_FILE, self.labels)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> "AbbreviationGuard":
        """Read the table (none saved: an empty table, nothing dropped)."""
        file = Path(path) / TABLE_FILE
        self.labels = dict(srsly.read_json(file)) if file.is_file() else {}
        return self


def make_abbreviation_guard(nlp: Language, name: str) -> AbbreviationGuard:
    """The ``clin_distill_abbreviation_guard`` component (its table comes from ``initialize``)."""
    return AbbreviationGuard(nlp, name)


register_factory(FACTORY, make_abbreviation_guard, assigns=["doc.ents"])


def add_abbreviation_guard(nlp: Language, labels: dict[str, str | None], after: str = "ner") -> Language:
    """Add the guard right after ``after`` with its table."""
    guard = nlp.add_pipe(FACTORY, name=NAME, after=after)
    guard.initialize(labels=labels)
    return nlp
