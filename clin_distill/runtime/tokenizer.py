"""The clinical tokenizer: spaCy's English tokenizer plus the splits clinical text needs.

Notes run words together that spaCy's English rules keep as one token: medication lists
(``lisinopril;metformin;atorvastatin``), brand names in brackets (``amoxicillin(Amoxil)``),
combinations (``HCTZ+lisinopril``), lab tables (``WBC|12.3|H``, ``Na=140``) and commas between
a word and a number (``aspirin,81``). A mention glued to its neighbours cannot be an entity
of its own, so every pipeline of the project (gold readers, teachers, students) tokenizes with
this one tokenizer, registered as ``clin_distill.ClinicalTokenizer.v1``.

Split inside a token (in addition to spaCy's English infixes):

* ``;`` ``|`` ``=`` and brackets ``( ) [ ] { }`` anywhere;
* ``+`` and ``&`` between letters (``HCTZ+lisinopril``, ``HTN&DM``; ``K+`` and ``2+ edema`` as before);
* ``,`` unless it is between digits (``aspirin,81`` and ``(Zantac),metoprolol`` split; ``1,000`` stays);
* zero-width characters (a byte-order mark or zero-width space inside a note), so
  ``\\ufeffFever`` is the token ``Fever``.

Kept whole: decimals (``2.5``), dates (``01/02/2023``), blood pressures (``120/80``), doses
(``500mg`` is ``500`` ``mg`` as in spaCy), counts (``x2``), letter-digit words (``HbA1c``,
``T2DM``), and the slash shorthands of :data:`SLASH_SHORTHANDS` (``s/p``, ``S/p``, ``S/P``,
``h/o``...), which spaCy would cut into three tokens. Ranges split at the hyphen as in spaCy (``4.0-11.0``).

Self-contained (shipped inside the packaged model): imports only spaCy.
"""

from __future__ import annotations

from collections.abc import Callable

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

try:
    from .registration import register_function
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_function

NAME = "clin_distill.ClinicalTokenizer.v1"
ZERO_WIDTH = r"[\ufeff\u200b\u200c\u200d\u2060]"
CLINICAL_INFIXES = (
    r"[;|=\(\)\[\]\{\}]",
    r"(?<=[^\W\d_])[+&](?=[^\W\d_])",
    r"(?<![0-9]),|,(?![0-9])",
    ZERO_WIDTH,
)
# Clinical shorthands written with a slash, one word each (spaCy keeps only "w/o" whole)
SLASH_SHORTHANDS = ("s/p", "h/o", "c/o", "n/v", "n/v/d", "r/o", "f/u", "d/c", "b/l", "y/o", "a/p", "i/o")

__all__ = ["NAME", "clinical_blank", "create_clinical_tokenizer"]


def _exceptions(base: dict) -> dict:
    rules = dict(base)
    for word in SLASH_SHORTHANDS:
        for form in {word, word.upper(), word.capitalize()}:
            rules[form] = [{ORTH: form}]
    return rules


def create_clinical_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's tokenizer for the language's defaults, with the clinical infixes and shorthands."""

    def make_tokenizer(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules=_exceptions(defaults.tokenizer_exceptions),
            prefix_search=compile_prefix_regex([*defaults.prefixes, ZERO_WIDTH]).search,
            suffix_search=compile_suffix_regex([*defaults.suffixes, ZERO_WIDTH]).search,
            infix_finditer=compile_infix_regex([*defaults.infixes, *CLINICAL_INFIXES]).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make_tokenizer


register_function("tokenizers", NAME, create_clinical_tokenizer)


def clinical_blank(lang: str = "en") -> Language:
    """A blank pipeline that tokenizes with the clinical tokenizer (use it wherever text becomes a Doc)."""
    return spacy.blank(lang, config={"nlp": {"tokenizer": {"@tokenizers": NAME}}})
