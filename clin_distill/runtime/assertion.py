"""ConText assertion on the student's entities: ``is_negated``, ``is_historical``, ``is_family``,
``is_hypothetical`` (and medspaCy's ``is_uncertain``) on every ``doc.ents`` span.

The component is ``clin_distill_context``: medspaCy's ConText with its default English rules and the
project's clinical rules, a versioned JSON resource (``clin_distill/resources/context/
clinical_rules.<version>.json``, medspaCy's rule format, plus the default rules it drops; a version is
never edited, new rules become a new version). v1 fixes phrasings medspaCy's defaults miss ("Chest
x-ray is negative for pneumonia", "Headache has resolved", "PMH: asthma", "s/p MI", "w/o fever",
"denies X; reports Y"); v2 adds clause ends that terminate every scope (";", line breaks, " - ", a
comma or colon before a new predicate), lists that keep theirs, section-header colons that no longer
swallow a negation ("ROS: No fever", medspacy/medspacy#155) and pseudo-negations ("No increase in
edema", "not only").

The rules are read when the component is created inside clin-distill and saved with the pipeline
(``context/clinical_rules.json``), so the packaged model reads them from its own folder. medspaCy
1.3.1 registers its spaCy factories at import time and declares no entry points, so importing this
module is what makes ``medspacy_context`` loadable. ConText scopes modifiers to the sentence, so a
sentencizer runs first. Self-contained (shipped in the package): spaCy, medspaCy, srsly.
"""

from importlib import resources
from importlib.util import find_spec
from pathlib import Path

import srsly
from medspacy.context import ConText, ConTextRule
from medspacy.context.context import DEFAULT_ATTRIBUTES
from spacy.language import Language
from spacy.tokens import Doc

try:
    from .registration import register_factory
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_factory

ASSERTION_ATTRIBUTES = ("is_negated", "is_historical", "is_family", "is_hypothetical")
SENTENCIZER_NAME = "assertion_sentencizer"
CONTEXT_NAME = "context"
CONTEXT_FACTORY = "clin_distill_context"
RULES_VERSION = "v2"
RULES_FILE = "clinical_rules.json"
RULE_VERSIONS = ("v1", "v2")

__all__ = ["ASSERTION_ATTRIBUTES", "ClinicalContext", "ConText", "add_assertion", "read_rule_set"]


def read_rule_set(version: str) -> dict:
    """The clinical rule set ``version`` from clin-distill's resources.

    Raises:
        ValueError: an unknown version. RuntimeError: clin-distill is not installed (a packaged model
            carries its rules in its own folder instead).
    """
    if version not in RULE_VERSIONS:
        raise ValueError(f"unknown clinical_rules {version!r}; known: {list(RULE_VERSIONS)}")
    if find_spec("clin_distill") is None:
        raise RuntimeError(f"clinical_rules {version!r} are read from clin-distill, which is not installed")
    path = resources.files("clin_distill").joinpath("resources", "context", f"clinical_rules.{version}.json")
    return srsly.json_loads(path.read_text(encoding="utf8"))


class ClinicalContext(ConText):
    """medspaCy's ConText with its default English rules (but those a rule set drops) and a clinical
    rule set: the one saved with the pipeline, else version ``clinical_rules`` from clin-distill."""

    def __init__(self, nlp: Language, name: str, clinical_rules: str, **config) -> None:
        super().__init__(nlp, name=name, rules=None, **config)
        self.version = clinical_rules
        self.rule_set: dict | None = None

    def use_rules(self, rule_set: dict) -> None:
        """Add medspaCy's default rules (but ``default_rules_dropped``) and ``context_rules``, once."""
        if self.rule_set is not None:
            raise RuntimeError(f"{self.name}: its clinical rules are set already")
        dropped = set(rule_set.get("default_rules_dropped", []))
        defaults = [r for r in ConTextRule.from_json(self.DEFAULT_RULES_FILEPATH) if r.literal not in dropped]
        self.add(defaults + [ConTextRule.from_dict(r) for r in rule_set["context_rules"]])
        self.rule_set = rule_set

    def _ensure_rules(self) -> dict:
        if self.rule_set is None:
            self.use_rules(read_rule_set(self.version))
        return self.rule_set

    def __call__(self, doc: Doc, targets: str | None = None) -> Doc:
        """Set the assertion attributes of ``doc``'s entities."""
        self._ensure_rules()
        return super().__call__(doc, targets)

    def to_disk(self, path: str | Path, *, exclude=()) -> None:
        """Save the clinical rule set (medspaCy's defaults come with medspaCy)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / RULES_FILE, self._ensure_rules())

    def from_disk(self, path: str | Path, *, exclude=()) -> "ClinicalContext":
        """Use the saved rule set (a pipeline saved without one gets its version's on first use)."""
        file = Path(path) / RULES_FILE
        if file.is_file():
            self.use_rules(srsly.read_json(file))
        return self


def make_clinical_context(
    nlp: Language, name: str, clinical_rules: str, span_attrs: str | dict, input_span_type: str
) -> ClinicalContext:
    """ConText with medspaCy's default English rules and the clinical rule set ``clinical_rules``."""
    if clinical_rules not in RULE_VERSIONS:
        raise ValueError(f"unknown clinical_rules {clinical_rules!r}; known: {list(RULE_VERSIONS)}")
    return ClinicalContext(nlp, name, clinical_rules, span_attrs=span_attrs, input_span_type=input_span_type)


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
