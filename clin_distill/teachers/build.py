"""Build a pattern file (+ ``.meta.json`` beside it) from vocabulary term streams."""

from __future__ import annotations

import itertools
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from ..docio import write_json
from . import terms as term_rules
from .clinical_abbreviations import abbreviation_terms, guard_labels, term_labels
from .concepts import harmonise_concepts
from .terms import Term, match_key, select_terms, write_patterns


class HasMeta(Protocol):
    """A vocabulary source that describes itself for the patterns' meta."""

    def to_dict(self) -> dict:
        """The source's provenance: name, package, versions, licence, counts."""


TermSource = tuple[Iterator[Term], HasMeta]
AbbreviationSource = Callable[[], tuple[dict[str, list[str]], HasMeta]]

STOP_RULE = (
    f"drop terms shorter than {term_rules.MIN_CHARS} characters and single words that are spaCy "
    f"English stop words; acronyms (one word, capitals/digits, <= {term_rules.ACRONYM_MAX} chars) "
    "are matched case-sensitively; everything else matches lower-cased"
)


def meta_path_for(patterns_path: str | Path) -> Path:
    """``training/patterns/x.jsonl`` → ``training/patterns/x.meta.json``."""
    path = Path(patterns_path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".meta.json")


def abbreviations_path_for(patterns_path: str | Path) -> Path:
    """``training/patterns/x.jsonl`` → ``training/patterns/x.abbreviations.json`` (the known list)."""
    path = Path(patterns_path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".abbreviations.json")


def abbreviation_labels_path_for(patterns_path: str | Path) -> Path:
    """``training/patterns/x.jsonl`` → ``x.abbreviation_labels.json`` (the student's guard table)."""
    path = Path(patterns_path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".abbreviation_labels.json")


def _stream(sources: Iterable[Callable[[], TermSource] | TermSource], metas: list[HasMeta], desc: str):
    """Every source's terms, one stream with a progress bar; each source's meta is appended to ``metas``."""
    streams: list[Iterator[Term]] = []
    for source in sources:
        stream, meta = source() if callable(source) else source
        streams.append(stream)
        metas.append(meta)
    return tqdm(itertools.chain(*streams), desc=desc, unit=" terms", mininterval=2)


def build_pattern_file(
    out_path: str | Path,
    sources: Iterable[Callable[[], TermSource] | TermSource],
    name: str,
    plural_labels: Iterable[str] = ("DISEASE", "SYMPTOM"),
    hyphens: bool = True,
    possessives: bool = True,
    abbreviations: AbbreviationSource | None = None,
    relabel_concepts_of: Iterable[str] = (),
    supplementary: Iterable[Callable[[], TermSource] | TermSource] = (),
) -> dict:
    """Stream every source's terms, select patterns, write them and their meta. Returns the meta.

    ``supplementary`` sources only fill gaps: their terms (selected among themselves, variants
    included) are added under match keys that no term of ``sources`` has, and they take no part in
    relabelling concepts, so they never change how the main vocabularies label a text.

    With ``abbreviations``, clinical abbreviations are labelled through the selected terms (see
    :mod:`~clin_distill.teachers.clinical_abbreviations`) and added, and the whole list is
    written beside the patterns (:func:`abbreviations_path_for`). The concepts of the
    ``relabel_concepts_of`` sources get one label (:mod:`~clin_distill.teachers.concepts`).
    """
    start = time.perf_counter()
    metas: list[HasMeta] = []
    all_terms = _stream(sources, metas, f"{name} terms")
    relabelled = 0
    if relabel_concepts_of:
        all_terms, relabelled = harmonise_concepts(all_terms, relabel_concepts_of)
    variants = {"plurals": tuple(plural_labels), "hyphens": hyphens, "possessives": possessives}
    kept, stats = select_terms(all_terms, **variants)
    shadowed = 0
    supplementary = list(supplementary)
    if supplementary:
        extra, _ = select_terms(_stream(supplementary, metas, f"{name} supplementary terms"), **variants)
        taken = {match_key(term) for term in kept}
        for term in extra:
            if match_key(term) in taken:
                shadowed += 1
            else:
                kept.append(term)
                stats.kept[term.label] += 1
    known: list[str] = []
    if abbreviations is not None:
        table, abbr_meta = abbreviations()
        labels = term_labels(kept)
        extra = abbreviation_terms(table, labels, abbr_meta)
        write_json(abbreviation_labels_path_for(out_path), guard_labels(table, labels))
        for term in extra:
            stats.kept[term.label] += 1
        kept += extra
        metas.append(abbr_meta)
        known = sorted(table)
        write_json(abbreviations_path_for(out_path), known)
    n_patterns = write_patterns(out_path, kept)
    meta = {
        "name": name,
        "patterns": n_patterns,
        "patterns_per_label": stats.kept,
        "dropped_terms": stats.dropped,
        "label_conflicts": stats.conflicts,
        "label_priority": list(term_rules.LABEL_PRIORITY),
        "stop_rule": STOP_RULE,
        "plural_variants_for": sorted(set(plural_labels)),
        "hyphen_variants": hyphens,
        "possessive_variants": possessives,
        "sources": [m.to_dict() for m in metas],
        "known_abbreviations": len(known),
        "concepts_relabelled_disease": relabelled,
        "supplementary_terms_shadowed": shadowed,
        "build_seconds": round(time.perf_counter() - start, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    write_json(meta_path_for(out_path), meta)
    return meta
