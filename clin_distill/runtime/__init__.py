"""Inference-time code shipped inside the packaged model (``spacy package --code``).

Every module here except this one is copied, as a top-level file, into ``en_clin_distilled`` and
imported when the model loads, so each module must be self-contained: it may import spaCy, medspaCy,
spacy-transformers, thinc, torch and the standard library, never the rest of ``clin_distill``.
"""
