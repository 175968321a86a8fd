"""A tiny assertion component for the tests: sets ``Span._.is_negated`` on entities that follow
"no" or "denies" in the same note. Imported in each Ray actor through ``ModelSource.code``."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

NEGATION_CUES = {"no", "denies", "without"}

if not Span.has_extension("is_negated"):
    Span.set_extension("is_negated", default=False)


@Language.component("clin_distill_test_negation", assigns=["span._.is_negated"])
def negation(doc: Doc) -> Doc:
    for ent in doc.ents:
        ent._.is_negated = ent.start > 0 and doc[ent.start - 1].lower_ in NEGATION_CUES
    return doc
