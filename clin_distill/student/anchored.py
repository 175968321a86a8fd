"""The gold-anchored training corpus: human labels where a corpus has them, teacher labels elsewhere.

Each gold train doc of the pool carries its gold spans for the labels its corpus annotates, and the
combined teacher spans (``corpus/distilled/train.spacy``) for the labels it does not; each of the
user's notes carries its combined teacher spans as they are. Rules, per gold doc (each counted):

* gold spans stay exactly as annotated;
* a teacher span of an unannotated label is added unless it overlaps a gold span: **gold wins**
  (the corpus's annotators looked at those tokens; an NCBI "breast cancer" is not also a SYMPTOM);
* where a corpus class covers another label (BC5CDR's Disease covers signs and symptoms), a gold
  span of that class takes the covered label when the teachers labelled exactly that span so ("nausea"
  becomes a SYMPTOM), and a teacher span of the covered label elsewhere is dropped: the corpus's
  annotators said it is no entity;
* every other token is "O": the doc is then annotated for all three labels and says so in its
  provenance, so the student is taught "O" everywhere (the teachers' missing values are for the
  labels they decided, and a gold corpus decides its own);
* a gold doc of a partially annotated corpus that the combination left out (a teacher failed on
  it) keeps its gold spans, and its other tokens become missing values: its unannotated labels
  are unknown, never "no entities". A fully annotated gold doc is complete without teachers.

A distilled doc whose id is neither a gold train doc nor one of the pool's notes is an error: the
two corpora come from different pools.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span

from ..docio import (
    corpus_of,
    covered_labels,
    get_doc_id,
    labels_annotated,
    set_doc_id,
    set_provenance,
    tokens_copy,
)
from ..labels import LABELS
from ..offsets import token_runs


class AnchoringError(ValueError):
    """The gold and teacher corpora do not pair up (the message names doc ids and counts, no text)."""


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span.start < other.end and other.start < span.end for other in taken)


def anchored_doc(gold: Doc, taught: Doc | None, counts: Counter) -> Doc:
    """``gold`` with the teacher spans of ``taught`` for the labels its corpus does not annotate
    (see the module docstring); ``taught`` None: no teacher labelled it."""
    annotated, covers = labels_annotated(gold), covered_labels(gold)
    doc = tokens_copy(gold, user_data=None)
    taught_at = {(e.start, e.end): e.label_ for e in taught.ents} if taught is not None else {}
    ents = []
    for e in gold.ents:
        if e.label_ not in annotated:
            continue
        label = taught_at.get((e.start, e.end))
        if covers.get(label) == e.label_:
            counts[f"gold {e.label_} spans the teachers call {label} (the class covers it)"] += 1
        else:
            label = e.label_
        ents.append(Span(doc, e.start, e.end, label=label))
    counts["gold spans"] += len(ents)
    complete = set(annotated) | set(covers) >= set(LABELS)
    if taught is not None and not complete:
        if [t.text for t in taught] != [t.text for t in gold]:
            raise AnchoringError(f"doc {get_doc_id(gold)!r}: the teachers' tokens differ from the gold doc's")
        for ent in taught.ents:
            if ent.label_ in annotated or ent.label_ in covers:
                continue
            span = Span(doc, ent.start, ent.end, label=ent.label_)
            if _overlaps(span, ents):
                counts[f"teacher {ent.label_} spans dropped: overlap a gold span"] += 1
            else:
                ents.append(span)
                counts[f"teacher {ent.label_} spans added"] += 1
    missing: list[Span] = []
    if taught is None and not complete:
        inside = {i for e in ents for i in range(e.start, e.end)}
        missing = [Span(doc, s, e) for s, e in token_runs(i for i in range(len(doc)) if i not in inside)]
        counts["gold docs no teacher labelled (unannotated labels left missing)"] += 1
    doc.set_ents(sorted(ents, key=lambda e: e.start), missing=missing, default="outside")
    set_provenance(doc, corpus_of(gold), LABELS if not missing else annotated)
    return set_doc_id(doc, get_doc_id(gold))


def anchor(
    gold_train: Sequence[Doc], taught: Iterable[Doc], notes_ids: Iterable[str]
) -> tuple[list[Doc], Counter]:
    """The gold-anchored corpus: every gold train doc (in order), then the taught notes; and counts.

    Raises:
        AnchoringError: a taught doc that is neither a gold train doc nor a pool note.
    """
    by_id: dict[str, Doc] = {}
    for doc in taught:
        by_id[get_doc_id(doc)] = doc
    gold_ids = [get_doc_id(doc) for doc in gold_train]
    notes = set(notes_ids)
    stray = by_id.keys() - set(gold_ids) - notes
    if stray:
        raise AnchoringError(
            f"{len(stray)} taught docs (e.g. {min(stray)!r}) are neither gold train docs nor pool notes: "
            "the teacher corpus comes from another pool; rerun combine"
        )
    counts: Counter = Counter()
    out = [
        anchored_doc(gold, by_id.get(doc_id), counts)
        for gold, doc_id in zip(gold_train, gold_ids, strict=True)
    ]
    kept_notes = [doc for doc_id, doc in by_id.items() if doc_id in notes]
    counts["notes (teacher labels)"] += len(kept_notes)
    counts["notes the combination left out"] += len(notes - by_id.keys())
    return out + kept_notes, +counts
