"""Shared machinery of the corpus readers: raw documents, label maps, offset checks,
token alignment, the overlap policy, statistics and writing DocBins.

Readers (one module per source format) only parse files into :class:`RawDoc`
objects with character offsets. Everything else happens here, identically for
every corpus:

* **Files** are strict UTF-8; a leading byte-order mark is not text and is dropped by
  :func:`read_utf8` (offsets count the characters after it; brat files whose offsets
  counted it are detected by their stated surfaces, see :mod:`.brat`). A UTF-16 file,
  invalid UTF-8 or an unreadable file is an error naming the file (and line).
* **Doc ids** are checked by :func:`check_doc_id`: a non-empty string or an integer with no
  control characters; null, empty, other types and line breaks are errors. Messages print
  file names and ids through :func:`escaped`, so neither can forge a second message line.
* **Offsets** are checked by the reader with :func:`check_span`: a span outside
  the text, or whose stated surface text differs from the text at its offsets,
  raises :class:`CorpusError` naming the file, doc id and line (never note text).
  Surface texts are compared after collapsing whitespace runs to one space and
  stripping the ends, so annotation files that write a line break inside a
  mention as a space, or pad a mention with spaces (NCBI Disease PMID 10923035),
  still match; such spans are counted as ``surface_whitespace``.
* **Labels** are mapped by a per-dataset :class:`LabelMap` (``configs/labels/*.json``).
  Source labels listed under ``ignore`` are dropped and counted; any other
  unmapped label is an error.
* **Alignment**: a span whose offsets do not fall on token boundaries (the clinical
  tokenizer, :func:`clin_distill.runtime.tokenizer.clinical_blank`) is widened to the
  covering tokens (``alignment_mode="expand"``) and counted per label as ``misaligned``.
* **Overlaps**: ``doc.ents`` cannot overlap, so after alignment exact duplicates
  (same tokens, same label) are merged and counted as ``duplicate_spans``; of
  overlapping spans the longest (in characters) is kept; ties go to the earlier
  start, then to the label order of :data:`clin_distill.labels.LABELS`. Every
  removed span is counted per label as ``overlap_removed``.
* **Documents**: empty (whitespace-only) documents are skipped and counted. A doc
  id seen again with identical text and spans is skipped and counted as
  ``duplicate_id`` (splits are read test, dev, train, so a document shared
  between an evaluation split and train stays in the evaluation split); a doc
  id seen again with different content is an error.

``stats.json`` ``events`` are reader events counted over all source annotations,
mapped or ignored (``surface_whitespace``, ``discontinuous_joined``,
``discontinuous_first_fragment``, ``individual_mention_skipped/<type>``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm

from ..docio import atomic_path, set_doc_id, set_provenance, write_docbin, write_json
from ..labels import LABELS
from .files import (  # noqa: F401 - re-exported: readers import these from .base
    BOM,
    CorpusError,
    check_doc_id,
    csv_rows,
    decode_utf8,
    escaped,
    jsonl_lines,
    read_utf8,
    read_utf8_bom,
    where,
)

SPLITS: tuple[str, ...] = ("train", "dev", "test")
READ_ORDER: tuple[str, ...] = ("test", "dev", "train")
_WS = re.compile(r"\s+")


def normalize_space(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class RawSpan:
    """A source annotation: character offsets, source label and the line it came from."""

    start: int
    end: int
    label: str
    line: int = 0


@dataclass
class RawDoc:
    """A parsed source document before tokenization."""

    doc_id: str
    text: str
    spans: list[RawSpan]
    source: str
    line: int = 0
    events: Counter = field(default_factory=Counter)

    def fingerprint(self) -> str:
        key = json.dumps([self.text, sorted((s.start, s.end, s.label) for s in self.spans)])
        return hashlib.sha1(key.encode("utf8")).hexdigest()


def check_span(
    text: str, start: int, end: int, surface: str | None, source: str, doc_id: str, line: int
) -> bool:
    """Raise :class:`CorpusError` if ``[start, end)`` is outside ``text`` or does not show ``surface``.

    Returns True when the surface matched only after whitespace normalisation.
    """
    if not 0 <= start < end <= len(text):
        raise CorpusError(
            f"{where(source, doc_id, line)}: span {start}-{end} is outside the text (length {len(text)})"
        )
    if surface is None or text[start:end] == surface:
        return False
    if normalize_space(text[start:end]) == normalize_space(surface):
        return True
    raise CorpusError(f"{where(source, doc_id, line)}: span {start}-{end} does not match its stated text")


def join_fragments(text: str, fragments: Sequence[tuple[int, int]]) -> tuple[int, int, str]:
    """One contiguous span for a discontinuous annotation.

    The covering span when every gap between fragments is whitespace only
    (event ``discontinuous_joined``); otherwise the first fragment
    (event ``discontinuous_first_fragment``), so no unannotated words become gold.
    """
    frags = sorted(fragments)
    gaps = (text[a_end:b_start] for (_, a_end), (b_start, _) in zip(frags, frags[1:], strict=False))
    if all(not gap.strip() for gap in gaps):
        return frags[0][0], max(end for _, end in frags), "discontinuous_joined"
    return fragments[0][0], fragments[0][1], "discontinuous_first_fragment"


@dataclass(frozen=True)
class LabelMap:
    """Source label → project label, loaded from ``configs/labels/<dataset>.json``.

    File format: ``{"dataset": str, "map": {source: LABEL}, "ignore": [source, ...]}``.
    """

    dataset: str
    mapping: dict[str, str]
    ignore: frozenset[str]

    @classmethod
    def load(cls, path: str | Path) -> LabelMap:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf8"))
            mapping, ignore = dict(data["map"]), frozenset(data.get("ignore", []))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise CorpusError(f"{path}: not a label map ({type(err).__name__}: {err})") from None
        if not mapping:
            raise CorpusError(
                f"{path}: maps no source label to {list(LABELS)}; the corpus would annotate nothing"
            )
        bad = sorted(set(mapping.values()) - set(LABELS))
        if bad:
            raise CorpusError(f"{path}: unknown target labels {bad}; allowed: {list(LABELS)}")
        both = sorted(ignore & set(mapping))
        if both:
            raise CorpusError(f"{path}: labels both mapped and ignored: {both}")
        return cls(str(data.get("dataset", path.stem)), mapping, ignore)

    @property
    def labels(self) -> tuple[str, ...]:
        """The project labels this corpus annotates (every label some source label maps to)."""
        return tuple(label for label in LABELS if label in self.mapping.values())

    def target(self, label: str, source: str, doc_id: str, line: int) -> str | None:
        """The project label for ``label``; None when ignored; an error when unknown."""
        if label in self.mapping:
            return self.mapping[label]
        if label in self.ignore:
            return None
        raise CorpusError(
            f"{where(source, doc_id, line)}: unknown label {label!r} for dataset {self.dataset} "
            "(add it to the label map's 'map' or 'ignore')"
        )


@dataclass
class SplitStats:
    """Counts for one split; everything a conversion drops or changes is counted here."""

    docs_read: int = 0
    docs: int = 0
    tokens: int = 0
    spans: Counter = field(default_factory=Counter)
    source_spans: Counter = field(default_factory=Counter)
    ignored_spans: Counter = field(default_factory=Counter)
    misaligned: Counter = field(default_factory=Counter)
    overlap_removed: Counter = field(default_factory=Counter)
    duplicate_spans: int = 0
    skipped: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        labels = lambda c: {label: c.get(label, 0) for label in LABELS}  # noqa: E731
        return {
            "docs_read": self.docs_read,
            "docs": self.docs,
            "tokens": self.tokens,
            "spans": labels(self.spans),
            "spans_total": sum(self.spans.values()),
            "source_spans": dict(sorted(self.source_spans.items())),
            "ignored_spans": dict(sorted(self.ignored_spans.items())),
            "misaligned_expanded": labels(self.misaligned),
            "overlap_removed": labels(self.overlap_removed),
            "duplicate_spans": self.duplicate_spans,
            "skipped_docs": dict(sorted(self.skipped.items())),
            "events": dict(sorted(self.events.items())),
        }


def _resolve_overlaps(spans: list[tuple[int, int, str, int, int]], stats: SplitStats) -> list:
    """Apply the documented overlap policy to (start_tok, end_tok, label, start_char, end_char)."""
    unique = set(spans)
    stats.duplicate_spans += len(spans) - len(unique)
    order = sorted(unique, key=lambda s: (-(s[4] - s[3]), s[3], LABELS.index(s[2])))
    taken: set[int] = set()
    kept = []
    for span in order:
        tokens = set(range(span[0], span[1]))
        if tokens & taken:
            stats.overlap_removed[span[2]] += 1
            continue
        taken |= tokens
        kept.append(span)
    return sorted(kept)


def build_doc(nlp: Language, raw: RawDoc, label_map: LabelMap, stats: SplitStats) -> Doc:
    """Tokenize ``raw`` and set its gold ``doc.ents`` by the shared policies (counts go to ``stats``).

    The doc records its corpus and the labels the corpus annotates (``label_map.labels``).
    """
    # The tokenizer itself, not make_doc: notes over nlp.max_length (1M chars) are kept whole.
    doc = set_doc_id(nlp.tokenizer(raw.text), raw.doc_id)
    set_provenance(doc, label_map.dataset, label_map.labels)
    aligned = []
    for span in raw.spans:
        stats.source_spans[span.label] += 1
        label = label_map.target(span.label, raw.source, raw.doc_id, span.line)
        if label is None:
            stats.ignored_spans[span.label] += 1
            continue
        ent = doc.char_span(span.start, span.end, label=label)
        if ent is None:
            ent = doc.char_span(span.start, span.end, label=label, alignment_mode="expand")
            if ent is None:
                raise CorpusError(
                    f"{where(raw.source, raw.doc_id, span.line)}: span {span.start}-{span.end} "
                    "covers no token"
                )
            stats.misaligned[label] += 1
        aligned.append((ent.start, ent.end, label, ent.start_char, ent.end_char))
    doc.ents = [Span(doc, s, e, label=label) for s, e, label, _, _ in _resolve_overlaps(aligned, stats)]
    stats.events.update(raw.events)
    stats.docs += 1
    stats.tokens += len(doc)
    stats.spans.update(ent.label_ for ent in doc.ents)
    return doc


@dataclass
class CorpusStats:
    dataset: str
    splits: dict[str, SplitStats]
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total = SplitStats()
        for st in self.splits.values():
            for name in ("docs_read", "docs", "tokens", "duplicate_spans"):
                setattr(total, name, getattr(total, name) + getattr(st, name))
            for name in ("spans", "source_spans", "ignored_spans", "misaligned", "overlap_removed"):
                getattr(total, name).update(getattr(st, name))
            total.skipped.update(st.skipped)
            total.events.update(st.events)
        return {
            "dataset": self.dataset,
            **self.info,
            "splits": {name: st.to_dict() for name, st in self.splits.items()},
            "total": total.to_dict(),
        }

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows of a per-split summary table."""
        data = self.to_dict()
        header = ["split", "docs", "tokens", *LABELS, "misaligned", "overlap_removed", "skipped"]
        rows = []
        for name, st in [*data["splits"].items(), ("total", data["total"])]:
            rows.append(
                [
                    name,
                    st["docs"],
                    st["tokens"],
                    *(st["spans"][label] for label in LABELS),
                    sum(st["misaligned_expanded"].values()),
                    sum(st["overlap_removed"].values()),
                    sum(st["skipped_docs"].values()),
                ]
            )
        return header, rows

    def markdown(self) -> str:
        header, rows = self.table()
        lines = [f"# {self.dataset}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"


def convert_splits(
    nlp: Language,
    splits: dict[str, Iterable[RawDoc]],
    label_map: LabelMap,
    out_dir: str | Path,
    dataset: str,
    info: dict[str, Any] | None = None,
    evaluation_only: bool = False,
) -> CorpusStats:
    """Build and write ``out_dir/<split>.spacy`` for each split, plus ``stats.json`` and ``stats.md``.

    Splits are processed test, dev, train (see the duplicate-id rule in the module docstring).
    Nothing is written unless every split converts without error. ``evaluation_only``
    corpora (data use agreements that forbid training) may only have a test split.
    """
    unknown = sorted(set(splits) - set(SPLITS))
    if unknown:
        raise CorpusError(f"unknown split names {unknown}; allowed: {list(SPLITS)}")
    if evaluation_only and set(splits) != {"test"}:
        raise CorpusError(f"{dataset} is evaluation-only: it may not be written as a train or dev split")
    stats = CorpusStats(dataset, {s: SplitStats() for s in SPLITS if s in splits}, dict(info or {}))
    seen: dict[str, tuple[str, str]] = {}
    built: dict[str, list[Doc]] = {}
    for split in (s for s in READ_ORDER if s in splits):
        st = stats.splits[split]
        docs = built[split] = []
        for raw in tqdm(splits[split], desc=f"{dataset}/{split}", unit="doc", leave=False):
            st.docs_read += 1
            if not raw.text.strip():
                st.skipped["empty"] += 1
                continue
            fingerprint = raw.fingerprint()
            if raw.doc_id in seen:
                first_fp, first_at = seen[raw.doc_id]
                if first_fp != fingerprint:
                    raise CorpusError(
                        f"{where(raw.source, raw.doc_id, raw.line)}: duplicate doc id with different "
                        f"content (first seen at {first_at})"
                    )
                st.skipped["duplicate_id"] += 1
                continue
            seen[raw.doc_id] = (fingerprint, where(raw.source, line=raw.line))
            docs.append(build_doc(nlp, raw, label_map, st))
    out_dir = Path(out_dir)
    for split in (s for s in SPLITS if s in built):
        write_docbin(out_dir / f"{split}.spacy", built[split])
    write_json(out_dir / "stats.json", stats.to_dict())
    with atomic_path(out_dir / "stats.md") as tmp:
        tmp.write_text(stats.markdown(), encoding="utf8")
    return stats


def carve_dev(ids: Iterable[str], seed: int, fraction: float) -> dict[str, list[str]]:
    """Split official training ids into train and dev: sort, shuffle with ``random.Random(seed)``,
    the first ``round(fraction * n)`` become dev."""
    if not 0 < fraction < 1:
        raise CorpusError(f"dev fraction must be between 0 and 1, got {fraction}")
    ordered = sorted(set(ids))
    random.Random(seed).shuffle(ordered)
    n_dev = round(fraction * len(ordered))
    return {"train": sorted(ordered[n_dev:]), "dev": sorted(ordered[:n_dev])}


def seeded_split(
    ids: Iterable[str], seed: int, fractions: tuple[float, float, float] = (0.7, 0.15, 0.15)
) -> dict[str, list[str]]:
    """Sort ``ids``, shuffle them with ``random.Random(seed)`` and cut train/dev/test by ``fractions``
    (train and dev sizes rounded; test takes the rest)."""
    ordered = sorted(set(ids))
    random.Random(seed).shuffle(ordered)
    n_train = round(fractions[0] * len(ordered))
    n_dev = round(fractions[1] * len(ordered))
    return {
        "train": sorted(ordered[:n_train]),
        "dev": sorted(ordered[n_train : n_train + n_dev]),
        "test": sorted(ordered[n_train + n_dev :]),
    }
