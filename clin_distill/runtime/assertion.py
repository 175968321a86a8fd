"""ConText assertion on the student's entities: ``is_negated``, ``is_historical``, ``is_family``,
``is_hypothetical`` (and medspaCy's ``is_uncertain``) on every ``doc.ents`` span.

medspaCy 1.3.1 registers its spaCy factories with ``@Language.factory`` at import time and declares no
entry points, so importing this module is what makes ``medspacy_context`` loadable; the packaged model
imports it from its ``__init__``. ConText scopes modifiers to the sentence, so a sentencizer runs
first. Self-contained (shipped in the package): imports only spaCy and medspaCy.
"""

from __future__ import annotations

from medspacy.context import ConText
from medspacy.context.context import DEFAULT_ATTRIBUTES
from spacy.language import Language

ASSERTION_ATTRIBUTES = ("is_negated", "is_historical", "is_family", "is_hypothetical")
SENTENCIZER_NAME = "assertion_sentencizer"
CONTEXT_NAME = "context"
CONTEXT_FACTORY = "medspacy_context"

__all__ = ["ASSERTION_ATTRIBUTES", "ConText", "add_assertion"]


def _default_attributes() -> set[str]:
    return {name for attrs in DEFAULT_ATTRIBUTES.values() for name in attrs}


def add_assertion(nlp: Language, after: str | None = "ner") -> Language:
    """Add a sentencizer and medspaCy ConText (its default English rules) right after ``after``
    (at the end of the pipeline when ``after`` is None)."""
    missing = set(ASSERTION_ATTRIBUTES) - _default_attributes()
    if missing:
        raise RuntimeError(f"this medspaCy's ConText does not set {sorted(missing)}")
    nlp.add_pipe("sentencizer", name=SENTENCIZER_NAME, **({"after": after} if after else {}))
    nlp.add_pipe(
        CONTEXT_FACTORY,
        name=CONTEXT_NAME,
        after=SENTENCIZER_NAME,
        config={"rules": "default", "span_attrs": "default", "input_span_type": "ents"},
    )
    return nlp
