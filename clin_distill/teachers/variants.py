"""Widen ontology matches to the variants corpora annotate, using the ruler's own vocabulary.

Four rules, each switchable, all driven by the patterns of the upstream ruler (no word lists):

- **coordination**: "breast and ovarian cancer" is one mention when "breast cancer" is a term
  of the same label ("T and|or|/|, … E" where T + head(E) is a term);
- **modifiers**: a match is widened left over words that open at least ``min_modifier_terms``
  multi-word terms of its label and are not terms themselves ("hereditary", "familial");
- **gene + head noun**: a gene-like token (has a digit, or two capitals) followed by one of the
  ``n_head_nouns`` commonest alphabetic head nouns of the label's terms is a mention
  ("C9 deficiency", "HPT-JT syndrome");
- **split coordinated terms**: a match "A and|or|/ B" whose parts A and B are each a term (of
  any label) is two mentions, each with its own term's label ("nausea and vomiting" → "nausea",
  "vomiting": corpora annotate coordinated terms one by one).
"""

from collections import Counter
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..labels import DISEASE

_CONJUNCTIONS = {"and", "or", "/", ",", "and/or", "nor"}


@dataclass
class LabelVocabulary:
    """Terms of one label, and the head nouns and modifiers derived from them."""

    terms: set[str]
    heads: set[str]
    modifiers: set[str]


def derive_vocabulary(phrases: list[str], n_heads: int, min_modifier_terms: int) -> LabelVocabulary:
    """Head nouns (commonest last words) and modifiers (common first words that are not terms)."""
    terms = set(phrases)
    heads: Counter = Counter()
    firsts: Counter = Counter()
    for phrase in terms:
        words = phrase.split()
        if len(words) > 1:
            heads[words[-1]] += 1
            firsts[words[0]] += 1
    head_words = [w for w, _ in heads.most_common() if w.isalpha() and not w.endswith("s")][:n_heads]
    modifiers = {w for w, n in firsts.items() if n >= min_modifier_terms and w.isalpha() and w not in terms}
    return LabelVocabulary(terms, set(head_words), modifiers - set(head_words))


def _gene_like(text: str) -> bool:
    return text.isalnum() and (any(c.isdigit() for c in text) or sum(c.isupper() for c in text) >= 2)


def _compound_start(doc: Doc, i: int) -> int:
    """Start of the hyphen-joined compound ending at token ``i`` ("HPT-JT" → the "HPT" token)."""
    while i >= 2 and doc[i - 1].text == "-" and not doc[i - 2].whitespace_ and doc[i - 2].text.isalnum():
        i -= 2
    return i


class SpanVariants:
    """Apply the coordination, modifier and gene + head-noun rules to ``doc.ents``."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        ruler: str,
        labels: list[str],
        coordination: bool,
        modifiers: bool,
        gene_heads: bool,
        n_head_nouns: int,
        min_modifier_terms: int,
        split_coordinated: bool = False,
    ) -> None:
        self.nlp = nlp
        self.split_coordinated = split_coordinated
        self._all_terms: dict[str, str] | None = None
        self.name = name
        self.ruler = ruler
        self.labels = labels
        self.coordination = coordination
        self.modifiers = modifiers
        self.gene_heads = gene_heads
        self.n_head_nouns = n_head_nouns
        self.min_modifier_terms = min_modifier_terms
        self._vocab: dict[str, LabelVocabulary] | None = None

    def vocabulary(self) -> dict[str, LabelVocabulary]:
        """Derived lazily from the ruler's phrase patterns (they are loaded after construction)."""
        if self._vocab is None:
            phrases: dict[str, list[str]] = {label: [] for label in self.labels}
            for pattern in self.nlp.get_pipe(self.ruler).patterns:
                if pattern["label"] in phrases and isinstance(pattern["pattern"], str):
                    phrases[pattern["label"]].append(pattern["pattern"].lower())
            self._vocab = {
                label: derive_vocabulary(p, self.n_head_nouns, self.min_modifier_terms)
                for label, p in phrases.items()
            }
        return self._vocab

    def all_terms(self) -> dict[str, str]:
        """Lower-cased phrase pattern → label, over every label of the ruler (first label wins)."""
        if self._all_terms is None:
            self._all_terms = {}
            for pattern in self.nlp.get_pipe(self.ruler).patterns:
                if isinstance(pattern["pattern"], str):
                    self._all_terms.setdefault(pattern["pattern"].lower(), pattern["label"])
        return self._all_terms

    def _split(self, doc: Doc, ent: Span) -> list[Span] | None:
        """The two term mentions of a match "A and|or|/ B", or None."""
        terms = self.all_terms()
        for tok in ent[1:-1]:
            if tok.lower_ not in _CONJUNCTIONS or tok.lower_ in {",", "nor"}:
                continue
            left, right = doc[ent.start : tok.i], doc[tok.i + 1 : ent.end]
            if left.text.lower() in terms and right.text.lower() in terms:
                return [
                    Span(doc, left.start, left.end, label=terms[left.text.lower()]),
                    Span(doc, right.start, right.end, label=terms[right.text.lower()]),
                ]
        return None

    def __call__(self, doc: Doc) -> Doc:
        """Add the coordination, modifier and head-noun variants of the ruler's entities."""
        vocab = self.vocabulary()
        ents = list(doc.ents)
        if self.split_coordinated:
            split = [self._split(doc, e) if len(e) >= 3 else None for e in ents]
            if any(split):
                ents = [part for e, parts in zip(ents, split, strict=True) for part in (parts or [e])]
                doc.ents = ents
        new: list[Span] = []
        for ent in ents:
            lab = vocab.get(ent.label_)
            if lab is None:
                continue
            start = ent.start
            if self.coordination:
                start = self._coordinated_start(doc, ent, lab)
            if self.modifiers:
                while start > 0 and doc[start - 1].lower_ in lab.modifiers:
                    start -= 1
            if start < ent.start:
                new.append(Span(doc, start, ent.end, label=ent.label, kb_id=ent.kb_id, span_id=ent.id))
        if self.gene_heads:
            for label, lab in vocab.items():
                for tok in doc[1:]:
                    if tok.lower_ in lab.heads and _gene_like(doc[tok.i - 1].text):
                        new.append(Span(doc, _compound_start(doc, tok.i - 1), tok.i + 1, label=label))
        if new:
            doc.ents = filter_spans(new + ents)
        return doc

    @staticmethod
    def _coordinated_start(doc: Doc, ent: Span, lab: LabelVocabulary) -> int:
        """Leftmost start of "T1, T2 and E" where each "Ti + head(E)" is a term."""
        if len(ent) < 2:
            return ent.start
        head = ent[-1].lower_
        start = ent.start
        i = ent.start - 1
        while i >= 1 and doc[i].lower_ in _CONJUNCTIONS:
            j = i - 1
            if doc[j].lower_ in _CONJUNCTIONS and j >= 1:
                j -= 1
            if f"{doc[j].lower_} {head}" not in lab.terms:
                break
            start = j
            i = j - 1
        return start


@Language.factory(
    "clin_distill_span_variants",
    default_config={
        "ruler": "ontology_ruler",
        "labels": [DISEASE],
        "coordination": True,
        "modifiers": True,
        "gene_heads": True,
        "n_head_nouns": 12,
        "min_modifier_terms": 100,
        "split_coordinated": False,
    },
)
def make_span_variants(
    nlp: Language,
    name: str,
    ruler: str,
    labels: list[str],
    coordination: bool,
    modifiers: bool,
    gene_heads: bool,
    n_head_nouns: int,
    min_modifier_terms: int,
    split_coordinated: bool,
) -> SpanVariants:
    """The ``clin_distill_span_variants`` component."""
    return SpanVariants(
        nlp,
        name,
        ruler,
        labels,
        coordination,
        modifiers,
        gene_heads,
        n_head_nouns,
        min_modifier_terms,
        split_coordinated,
    )
