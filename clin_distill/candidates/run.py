"""The candidates step: unknown-phrase candidates for the texts the distilled corpus is built from.

Reads the pool's ``train.spacy`` and ``notes.spacy`` and writes ``<out>/{train,notes}.spacy``: a
tokens-only copy of each doc (its id kept) with the candidates in ``doc.spans["candidates"]``,
each labelled by its source (:data:`SOURCES`). Counts per source and split go to the summary
(:class:`~clin_distill.stepfiles.candidates.Candidates`); no text is written anywhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span
from tqdm import tqdm

from ..docio import read_docbin, tokens_copy, write_docbin
from ..stepfiles.candidates import Candidates, SourceCounts
from . import CHUNKS, FUZZY, HEADS, SOURCES, SPANS_KEY, SPLITS
from .phrases import Run, head_words, headed_phrases, load_parser, noun_phrases, parsed


@dataclass(frozen=True)
class CandidateSettings:
    """Sources to run; the patterns the head words come from; the QuickUMLS teacher config, index
    and the lower threshold of its approximate matches."""

    sources: tuple[str, ...]
    patterns: Path | None = None
    min_head_terms: int = 60
    quickumls_config: Path | None = None
    quickumls_path: str = ""
    fuzzy_threshold: float = 0.7

    def __post_init__(self) -> None:
        unknown = set(self.sources) - set(SOURCES)
        if unknown or not self.sources:
            raise ValueError(f"candidate sources must be some of {SOURCES}, got {list(self.sources)}")
        if HEADS in self.sources and (self.patterns is None or not Path(self.patterns).is_file()):
            raise ValueError(f"the {HEADS} source needs the vocabulary patterns file (build-open-vocab)")
        if FUZZY in self.sources and self.quickumls_config is None:
            raise ValueError(f"the {FUZZY} source needs the QuickUMLS teacher config")


Finder = Callable[[Doc], Iterator[Run]]


def finders(settings: CandidateSettings) -> dict[str, Finder]:
    """One span finder per selected source (each loads what it needs once)."""
    out: dict[str, Finder] = {}
    if CHUNKS in settings.sources:
        parser = load_parser()
        out[CHUNKS] = lambda doc: noun_phrases(parsed(parser, doc))
    if HEADS in settings.sources:
        heads = head_words(settings.patterns, settings.min_head_terms)
        out[HEADS] = lambda doc: headed_phrases(doc, heads)
    if FUZZY in settings.sources:
        from ..teachers.pipeline import assemble_teacher, quickumls_overrides  # QuickUMLS: heavy

        overrides = quickumls_overrides(
            settings.quickumls_config, settings.quickumls_path, settings.fuzzy_threshold
        )
        fuzzy = assemble_teacher(settings.quickumls_config, overrides)
        out[FUZZY] = lambda doc: ((e.start, e.end) for e in fuzzy(tokens_copy(doc, fuzzy.vocab)).ents)
    return out


def candidate_doc(doc: Doc, found: dict[str, Finder], counts: dict[str, Counter]) -> Doc:
    """A tokens-only copy of ``doc`` (id kept) with its candidates, counted per source."""
    out = tokens_copy(doc, user_data=None)
    spans = []
    for source, find in found.items():
        runs = sorted(set(find(doc)))
        counts[source]["spans"] += len(runs)
        counts[source]["tokens"] += len({i for s, e in runs for i in range(s, e)})
        spans += [Span(out, s, e, label=source) for s, e in runs]
    out.spans[SPANS_KEY] = spans
    return out


def find_candidates(pool_dir: Path, out_dir: Path, settings: CandidateSettings) -> Candidates:
    """Write the candidates of the pool's train split and notes; returns the summary."""
    found = finders(settings)
    summary: dict[str, dict[str, SourceCounts]] = {}
    for split in SPLITS:
        path = Path(pool_dir) / f"{split}.spacy"
        docs: Sequence[Doc] = read_docbin(path) if path.is_file() else []
        counts: dict[str, Counter] = {source: Counter() for source in found}
        written = [
            candidate_doc(d, found, counts) for d in tqdm(docs, desc=f"candidates {split}", unit=" docs")
        ]
        write_docbin(Path(out_dir) / f"{split}.spacy", written)
        summary[split] = {
            source: SourceCounts(docs=len(docs), spans=c["spans"], tokens=c["tokens"])
            for source, c in counts.items()
        }
    return Candidates(sources=list(found), settings=_settings_record(settings), splits=summary)


def _settings_record(settings: CandidateSettings) -> dict[str, str | int | float]:
    return {
        "patterns": str(settings.patterns) if settings.patterns else "",
        "min_head_terms": settings.min_head_terms,
        "quickumls_path": settings.quickumls_path,
        "fuzzy_threshold": settings.fuzzy_threshold,
    }
