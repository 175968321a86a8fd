"""Gold DocBins from parsed source documents, by the same policies for every corpus.

Readers (one module per source format) only parse files into :class:`~.raw.RawDoc` objects with
character offsets (checked, see :mod:`.raw`); labels are mapped by a :class:`~.label_map.LabelMap`.
Everything else happens here:

* **Files** are strict UTF-8 (:mod:`.reading`); doc ids are checked by :func:`.files.check_doc_id`.
* **Alignment**: a span whose offsets do not fall on token boundaries (the clinical tokenizer,
  :func:`clin_distill.runtime.tokenizer.clinical_blank`) is widened to the covering tokens
  (``alignment_mode="expand"``) and counted per label as ``misaligned``.
* **Whitespace**: a span that starts or ends on whitespace tokens (brat ``\n\n``, tabs, PubTator's
  double spaces) is trimmed to its non-space tokens, counted per label as ``whitespace_trimmed``; a
  span of only whitespace is dropped, counted as ``whitespace_only_dropped`` (spaCy's NER can
  neither predict nor learn an entity edge on a whitespace token).
* **Overlaps**: ``doc.ents`` cannot overlap, so after alignment exact duplicates (same tokens, same
  label) are merged and counted as ``duplicate_spans``; of overlapping spans the longest (in
  characters) is kept; ties go to the earlier start, then to the label order of
  :data:`clin_distill.labels.LABELS`. Every removed span is counted per label as ``overlap_removed``.
* **Control and zero-width characters** (NUL and other C0/C1 codes but tab and line breaks; U+200B,
  joiners, a byte-order mark inside the text) are replaced by spaces,
  offsets unchanged, and counted as the event ``control_characters_replaced``.
* **Documents**: empty (whitespace-only) documents are skipped and counted. A doc id seen again with
  identical text and spans is skipped and counted as ``duplicate_id`` (splits are read test, dev,
  train, so a document shared between an evaluation split and train stays in the evaluation split);
  a doc id seen again with different content is an error.

Counts go to :mod:`.stats` (``stats.json``, ``stats.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm

from ..docio import atomic_path, set_doc_id, set_provenance, write_docbin, write_json
from ..labels import LABELS
from ..split_names import SPLITS
from .label_map import LabelMap
from .raw import RawDoc
from .reading import CorpusError, replace_controls, where
from .stats import CorpusStats, SplitStats

READ_ORDER: tuple[str, ...] = tuple(reversed(SPLITS))  # evaluation splits first (duplicate-id rule)


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

    Raises:
        CorpusError: an unknown source label, or a span that covers no token.
    """
    # The tokenizer itself, not make_doc: notes over nlp.max_length (1M chars) are kept whole.
    text, controls = replace_controls(raw.text)
    if controls:
        stats.events["control_characters_replaced"] += controls
    doc = set_doc_id(nlp.tokenizer(text), raw.doc_id)
    set_provenance(doc, label_map.dataset, label_map.labels, label_map.covers)
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
        start, end = ent.start, ent.end
        while start < end and not doc[start].text.strip():
            start += 1
        while end > start and not doc[end - 1].text.strip():
            end -= 1
        if start == end:
            stats.whitespace_only[label] += 1
            continue
        if (start, end) != (ent.start, ent.end):
            stats.whitespace_trimmed[label] += 1
            ent = doc[start:end]
        aligned.append((start, end, label, ent.start_char, ent.end_char))
    doc.ents = [Span(doc, s, e, label=label) for s, e, label, _, _ in _resolve_overlaps(aligned, stats)]
    stats.events.update(raw.events)
    stats.docs += 1
    stats.tokens += len(doc)
    stats.spans.update(ent.label_ for ent in doc.ents)
    return doc


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

    Raises:
        CorpusError: an unknown split name, a train/dev split of an evaluation-only corpus, a doc id
            seen twice with different content, or any error of :func:`build_doc`.
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
