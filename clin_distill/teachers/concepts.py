"""One label per concept: a phenotype concept that other vocabularies call a disease is a disease.

HPO files many disorders under Phenotypic abnormality ("Renal insufficiency", synonyms "Renal
failure", "Kidney failure"; "Congestive heart failure", "CHF"), so each of their names would be
a SYMPTOM. Rule, per concept of a ``relabelled`` source (HPO), over all its names:

- if one of its names is a DISEASE term of another source (Disease Ontology, ICD-10-CM
  chapters 1–17) and none is a SYMPTOM term of another source (ICD-10-CM chapter 18: signs
  and symptoms), every name of the concept becomes DISEASE;
- otherwise the concept keeps its labels ("Seizure" stays a SYMPTOM: ICD-10-CM R56.9 lists
  "Seizure(s) NOS" among signs and symptoms).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..labels import DISEASE, SYMPTOM
from .terms import Term, normalize


def harmonise_concepts(terms: Iterable[Term], relabelled: Iterable[str]) -> tuple[list[Term], int]:
    """``terms`` with the concepts of ``relabelled`` sources made DISEASE by the rule; and their count."""
    terms = list(terms)
    sources = set(relabelled)
    names: dict[str, set[str]] = {DISEASE: set(), SYMPTOM: set()}
    concepts: dict[str, list[Term]] = {}
    for term in terms:
        if term.source in sources:
            if term.label == SYMPTOM:
                concepts.setdefault(term.id, []).append(term)
        elif term.label in names:
            names[term.label].add(normalize(term.text).lower())
    diseases = {
        cid
        for cid, forms in concepts.items()
        if any(normalize(t.text).lower() in names[DISEASE] for t in forms)
        and not any(normalize(t.text).lower() in names[SYMPTOM] for t in forms)
    }
    out = [
        dataclasses.replace(t, label=DISEASE) if t.source in sources and t.id in diseases else t
        for t in terms
    ]
    return out, len(diseases)
