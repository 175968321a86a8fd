"""ConText assertion on the student's entities: ``is_negated``, ``is_historical``, ``is_family``,
``is_hypothetical`` (and medspaCy's ``is_uncertain``) on every ``doc.ents`` span.

The component is ``clin_distill_context``: medspaCy's ConText with its default English rules plus the
clinical rules named by ``clinical_rules`` (a version key of :data:`CLINICAL_RULES`; "v1" is never
changed, new rules become "v2"). medspaCy's defaults miss common phrasings, e.g. "Chest x-ray is
negative for pneumonia" (their "is negative" looks backwards and wins over "negative for"), "Headache
has resolved", "PMH: asthma", "s/p MI", "w/o fever", and let "denies X; reports Y" negate Y.

medspaCy 1.3.1 registers its spaCy factories with ``@Language.factory`` at import time and declares no
entry points, so importing this module is what makes ``medspacy_context`` (used by pipelines saved
before ``clin_distill_context``) loadable; the packaged model imports it from its ``__init__``. ConText
scopes modifiers to the sentence, so a sentencizer runs first. Self-contained (shipped in the package):
imports only spaCy and medspaCy.
"""

from medspacy.context import ConText, ConTextRule
from medspacy.context.context import DEFAULT_ATTRIBUTES
from spacy.language import Language

try:
    from .registration import register_factory
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_factory

ASSERTION_ATTRIBUTES = ("is_negated", "is_historical", "is_family", "is_hypothetical")
SENTENCIZER_NAME = "assertion_sentencizer"
CONTEXT_NAME = "context"
CONTEXT_FACTORY = "clin_distill_context"
RULES_VERSION = "v1"

__all__ = ["ASSERTION_ATTRIBUTES", "CLINICAL_RULES", "ConText", "add_assertion", "make_clinical_context"]

NEG, HIST, FAM, HYPO = "NEGATED_EXISTENCE", "HISTORICAL", "FAMILY", "HYPOTHETICAL"
_BE = ["is", "was", "are", "were", "be", "been", "remains", "remained", "came", "comes", "returned"]
_TESTS = ["screen", "test", "testing", "swab", "pcr", "antigen", "culture", "cultures", "panel"]


def _rules_v1() -> list[ConTextRule]:
    def rule(literal: str, category: str, direction: str, pattern: list | None = None) -> ConTextRule:
        return ConTextRule(literal, category, pattern=pattern, direction=direction)

    neg, of = {"LOWER": {"IN": ["negative", "neg"]}}, {"LOWER": {"IN": ["for", "of"]}}
    return [
        # "X is negative for Y": longer than the default backward "is negative", so it wins the overlap
        rule("is negative for", NEG, "FORWARD", [{"LOWER": {"IN": _BE}}, neg, of]),
        rule("screen negative", NEG, "BACKWARD", [{"LOWER": {"IN": _TESTS}}, neg]),
        rule(
            "has resolved",
            NEG,
            "BACKWARD",
            [{"LOWER": {"IN": ["has", "have", "had", "is", "now"]}}, {"LOWER": "resolved"}],
        ),
        rule("w/o", NEG, "FORWARD"),
        # an affirming verb ends a negation's scope ("denies fever; reports cough")
        rule(
            "reports",
            NEG,
            "TERMINATE",
            [{"LOWER": {"IN": ["reports", "reported", "endorses", "endorsed", "admits", "notes"]}}],
        ),
        rule(
            "complains of",
            NEG,
            "TERMINATE",
            [{"LOWER": {"IN": ["complains", "complained", "complaining"]}}, {"LOWER": "of"}],
        ),
        rule("c/o", NEG, "TERMINATE"),
        rule("positive for", NEG, "TERMINATE", [{"LOWER": {"IN": ["positive", "pos"]}}, {"LOWER": "for"}]),
        rule("pmh", HIST, "FORWARD", [{"LOWER": {"IN": ["pmh", "pmhx", "psh", "pshx", "phx"]}}]),
        rule("s/p", HIST, "FORWARD"),
        rule("status post", HIST, "FORWARD"),
        rule(
            "previously treated for",
            HIST,
            "FORWARD",
            [
                {"LOWER": {"IN": ["previously", "formerly"]}},
                {"LOWER": {"IN": ["treated", "diagnosed"]}},
                {"LOWER": {"IN": ["for", "with"]}},
            ],
        ),
        rule("fhx", FAM, "FORWARD", [{"LOWER": {"IN": ["fhx", "famhx"]}}]),
        rule(
            "in case of",
            HYPO,
            "FORWARD",
            [{"LOWER": "in"}, {"LOWER": {"IN": ["case", "the"]}}, {"LOWER": {"IN": ["of", "event"]}}],
        ),
    ]


# Rule sets by version: an existing version is never edited (a saved pipeline names its version)
CLINICAL_RULES = {"v1": _rules_v1}


def make_clinical_context(
    nlp: Language, name: str, clinical_rules: str, span_attrs: str | dict, input_span_type: str
) -> ConText:
    """medspaCy ConText with its default English rules and the clinical rules ``clinical_rules``."""
    if clinical_rules not in CLINICAL_RULES:
        raise ValueError(f"unknown clinical_rules {clinical_rules!r}; known: {sorted(CLINICAL_RULES)}")
    context = ConText(nlp, name=name, rules="default", span_attrs=span_attrs, input_span_type=input_span_type)
    context.add(CLINICAL_RULES[clinical_rules]())
    return context


register_factory(
    CONTEXT_FACTORY,
    make_clinical_context,
    default_config={"clinical_rules": RULES_VERSION, "span_attrs": "default", "input_span_type": "ents"},
    assigns=[f"span._.{attr}" for attr in ASSERTION_ATTRIBUTES],
)


def _default_attributes() -> set[str]:
    return {name for attrs in DEFAULT_ATTRIBUTES.values() for name in attrs}


def add_assertion(nlp: Language, after: str | None = "ner") -> Language:
    """Add a sentencizer and ConText (medspaCy's English rules and the clinical rules) right after
    ``after`` (at the end of the pipeline when ``after`` is None)."""
    missing = set(ASSERTION_ATTRIBUTES) - _default_attributes()
    if missing:
        raise RuntimeError(f"this medspaCy's ConText does not set {sorted(missing)}")
    nlp.add_pipe("sentencizer", name=SENTENCIZER_NAME, **({"after": after} if after else {}))
    nlp.add_pipe(CONTEXT_FACTORY, name=CONTEXT_NAME, after=SENTENCIZER_NAME)
    return nlp
