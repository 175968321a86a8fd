"""UMLS teacher pieces around medspacy's ``medspacy_quickumls`` component.

- ``clin_distill_semtype_labels`` turns QuickUMLS entities (label = CUI) into MEDICATION /
  DISEASE / SYMPTOM through a configurable semantic-type → label map; unmapped ones are dropped.
- ``clin_distill.nltk_stopwords.v1`` (an ``[nlp.before_creation]`` callback): QuickUMLS reads
  NLTK's English stop-word corpus, which NLTK downloads at run time. Offline, spaCy's English
  stop words are written in NLTK's corpus format to a local folder added to ``nltk.data.path``.
- :func:`sample_index_path`: the tiny QuickUMLS sample index shipped in medspacy (tests only).
"""

import os
from collections.abc import Callable
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from ..labels import DISEASE, MEDICATION, SYMPTOM

DEFAULT_SEMTYPE_LABELS: dict[str, str] = {
    "T047": DISEASE,  # Disease or Syndrome
    "T191": DISEASE,  # Neoplastic Process
    "T046": DISEASE,  # Pathologic Function
    "T184": SYMPTOM,  # Sign or Symptom
    "T121": MEDICATION,  # Pharmacologic Substance
    "T200": MEDICATION,  # Clinical Drug
    "T195": MEDICATION,  # Antibiotic
}


def sample_index_path() -> Path:
    """medspacy's QuickUMLS sample index for this platform (a handful of concepts)."""
    from medspacy.util import get_quickumls_demo_dir  # heavy import, only when needed

    return Path(get_quickumls_demo_dir("en"))


def ensure_nltk_stopwords(folder: str | Path | None = None) -> Path | None:
    """Make ``nltk.corpus.stopwords.words("english")`` work offline; returns the folder written, if any."""
    import nltk  # quickumls's own dependency, only needed with QuickUMLS

    try:
        nltk.data.find("corpora/stopwords")
        return None
    except LookupError:
        pass
    root = Path(
        folder or os.environ.get("CLIN_DISTILL_NLTK_DATA", Path.home() / ".cache/clin_distill/nltk_data")
    )
    corpus = root / "corpora" / "stopwords"
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "english").write_text("\n".join(sorted(STOP_WORDS)) + "\n", encoding="utf8")
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    return root


@registry.callbacks("clin_distill.nltk_stopwords.v1")
def make_nltk_stopwords_callback() -> Callable[[type[Language]], type[Language]]:
    """A spaCy ``before_creation`` callback that makes NLTK's English stop words available offline."""

    def ensure(lang_cls: type[Language]) -> type[Language]:
        ensure_nltk_stopwords()
        return lang_cls

    return ensure


class SemtypeLabeler:
    """Relabel QuickUMLS entities by their semantic types (first mapped type in map order wins)."""

    def __init__(self, nlp: Language, name: str, semtype_labels: dict[str, str]) -> None:
        self.name = name
        self.semtype_labels = semtype_labels

    def label_for(self, semtypes: set[str]) -> str | None:
        """The label of the first configured semantic type among ``semtypes``, or None."""
        return next((label for st, label in self.semtype_labels.items() if st in semtypes), None)

    def __call__(self, doc: Doc) -> Doc:
        """Label QuickUMLS matches by their semantic types; unmapped matches are dropped."""
        ents = []
        for ent in doc.ents:
            semtypes = ent._.semtypes if Span.has_extension("semtypes") else None
            label = self.label_for(set(semtypes)) if isinstance(semtypes, set | list | tuple) else None
            if label:
                ents.append(Span(doc, ent.start, ent.end, label=label, kb_id=ent.label_, span_id=ent.label_))
        doc.ents = ents
        return doc


@Language.factory(
    "clin_distill_semtype_labels",
    default_config={"semtype_labels": DEFAULT_SEMTYPE_LABELS},
)
def make_semtype_labeler(nlp: Language, name: str, semtype_labels: dict[str, str]) -> SemtypeLabeler:
    """The ``clin_distill_semtype_labels`` component."""
    return SemtypeLabeler(nlp, name, semtype_labels)
