"""Inference-time code shipped inside the packaged model (``spacy package --code``).

Every module here except this one is copied, as a top-level file, into ``en_clin_distilled`` and
imported when the model loads, so each module must be self-contained: it may import spaCy, medspaCy,
spacy-transformers, thinc, torch, the standard library and :mod:`.registration` (the one way every
module registers its factories and functions, so the library's and the package's copies coexist),
never the rest of ``clin_distill``.
"""
