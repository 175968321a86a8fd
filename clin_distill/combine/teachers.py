"""Read teacher outputs and pair them by doc id.

A teacher's outputs live at ``<teachers_dir>/<teacher>/<dataset>/{train,dev,test}.spacy`` plus
``failures.json`` (:class:`~clin_distill.stepfiles.failures.Failures`). A doc is *failed* for a teacher
if it is listed there or marked with :func:`clin_distill.docio.mark_failed`; it is *missing* if the
teacher neither labelled nor listed it. Both count as "did not label", never as "no entities".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..docio import failure_of, get_doc_id, read_docbin
from ..labels import LABELS
from ..offsets import TokenSpan
from ..split_names import NOTES
from ..stepfiles.failures import Failures

FAILED = "failed"
MISSING = "missing"


@dataclass
class TeacherSplit:
    """One teacher's labels of one split: docs by id, the failed ids, whether a failures.json was read."""

    teacher: str
    split: str
    docs: dict[str, Doc]
    failed: set[str]
    failures_file: bool = True
    capped: int | None = None

    @property
    def asked(self) -> set[str]:
        """The ids the teacher was given: those it labelled and those it failed on."""
        return self.docs.keys() | self.failed


class StaleTeacherError(ValueError):
    """A teacher's labels are not of the pool split they claim to label (ids and counts, no text)."""


def check_against_pool(split: TeacherSplit, pool_ids: Sequence[str]) -> None:
    """The teacher was given exactly the pool split's docs (or, if capped, its first ``capped`` docs).

    Raises:
        StaleTeacherError: naming the teacher, the split and the counts, e.g. after ``pool`` gained
            notes and the teacher step was skipped.
    """
    expected = list(pool_ids)[: split.capped] if split.capped is not None else list(pool_ids)
    asked = split.asked
    missing = len(set(expected) - asked)
    extra = len(asked - set(expected))
    if missing or extra:
        cap = f" (capped at {split.capped})" if split.capped is not None else ""
        raise StaleTeacherError(
            f"teacher {split.teacher!r} labelled {len(asked)} {split.split} docs but the pool's "
            f"{split.split} split has {len(pool_ids)}{cap}: "
            f"{missing} missing, {extra} unexpected; its labels are older than the pool, rerun its "
            "teach step"
        )


@dataclass
class DocVotes:
    """One doc: its tokens (``None`` if no teacher labelled it), each labelling teacher's
    spans, and the teachers that did not label it, with why."""

    doc_id: str
    base: Doc | None
    spans: dict[str, tuple[TokenSpan, ...]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def load_teacher_split(
    teachers_dir: Path, teacher: str, dataset: str, split: str, vocab: Vocab, missing_ok: bool = False
) -> TeacherSplit:
    """One teacher's labels of one split. With ``missing_ok``, a split the teacher did not label
    (e.g. the user's notes, for a teacher run on some splits only) holds no docs: its docs are
    then *missing* for that teacher, never "no entities" (it was asked none of them: ``capped`` 0)."""
    folder = Path(teachers_dir) / teacher / dataset
    if not folder.is_dir():
        raise FileNotFoundError(f"teacher {teacher!r} has no outputs for {dataset!r}: {folder} is missing")
    path = folder / f"{split}.spacy"
    if not path.is_file() and missing_ok:
        return TeacherSplit(teacher, split, {}, set(), failures_file=False, capped=0)
    if not path.is_file():
        raise FileNotFoundError(f"teacher {teacher!r}: {path} is missing")
    failures = Failures.read_beside(folder)
    failed = failures.of(split) if failures is not None else set()
    docs: dict[str, Doc] = {}
    for doc in read_docbin(path, vocab):
        doc_id = get_doc_id(doc)
        if doc_id in docs:
            raise ValueError(f"{path}: duplicate doc id {doc_id!r}")
        if failure_of(doc) is not None:
            failed.add(doc_id)
        else:
            docs[doc_id] = doc
    both = failed & docs.keys()
    if both:
        raise ValueError(f"{path}: doc {min(both)!r} is both labelled and listed in failures.json")
    capped = failures.capped.get(split) if failures is not None else None
    return TeacherSplit(teacher, split, docs, failed, failures is not None, capped)


def pool_split_ids(pool_dir: Path, split: str) -> list[str]:
    """The doc ids of ``pool_dir/<split>.spacy`` in order (none if the pool has no such split)."""
    path = Path(pool_dir) / f"{split}.spacy"
    return [get_doc_id(doc) for doc in read_docbin(path)] if path.is_file() else []


def load_checked_split(
    teachers_dir: Path, teacher: str, dataset: str, split: str, vocab: Vocab, pool_dir: Path
) -> TeacherSplit:
    """:func:`load_teacher_split`, then :func:`check_against_pool` against ``pool_dir``'s split (a
    teacher without the notes split was asked none of the notes)."""
    loaded = load_teacher_split(teachers_dir, teacher, dataset, split, vocab, missing_ok=split == NOTES)
    check_against_pool(loaded, pool_split_ids(pool_dir, split))
    return loaded


def merge_splits(splits: Sequence[TeacherSplit], name: str) -> TeacherSplit:
    """One teacher's splits as one (e.g. train and the user's notes); doc ids must not repeat."""
    teacher = splits[0].teacher
    docs: dict[str, Doc] = {}
    failed: set[str] = set()
    for split in splits:
        if split.teacher != teacher:
            raise ValueError(f"cannot merge splits of {teacher!r} and {split.teacher!r}")
        repeated = (split.docs.keys() | split.failed) & (docs.keys() | failed)
        if repeated:
            raise ValueError(f"teacher {teacher!r}: doc {min(repeated)!r} is in two splits")
        docs.update(split.docs)
        failed |= split.failed
    return TeacherSplit(teacher, name, docs, failed, all(s.failures_file for s in splits))


def _same_tokens(a: Doc, b: Doc) -> bool:
    return len(a) == len(b) and a.text == b.text and all(x.idx == y.idx for x, y in zip(a, b, strict=True))


def collect_votes(
    splits: Sequence[TeacherSplit],
    base_docs: Sequence[Doc] | None = None,
    labels: Sequence[str] = LABELS,
) -> tuple[list[DocVotes], Counter]:
    """Pair teacher docs by id. With ``base_docs`` (e.g. gold dev) these are the docs and
    their order; otherwise every id any teacher labelled or listed as failed, in first-seen
    order. Returns the docs and counts of failures, missing docs and skipped spans."""
    counts: Counter = Counter()
    if base_docs is not None:
        bases: dict[str, Doc | None] = {get_doc_id(d): d for d in base_docs}
    else:
        bases = {}
        for split in splits:
            for doc_id in [*split.docs, *sorted(split.failed)]:
                bases.setdefault(doc_id, None)
    for split in splits:
        extra = (split.docs.keys() | split.failed) - bases.keys()
        counts[f"{split.teacher}: docs not in the base corpus (skipped)"] += len(extra)
    out: list[DocVotes] = []
    for doc_id, base in bases.items():
        votes = DocVotes(doc_id, base)
        for split in splits:
            doc = split.docs.get(doc_id)
            if doc is None:
                reason = FAILED if doc_id in split.failed else MISSING
                votes.failed[split.teacher] = reason
                counts[f"{split.teacher}: {reason}"] += 1
                continue
            if votes.base is None:
                votes.base = doc
            elif not _same_tokens(votes.base, doc):
                raise ValueError(
                    f"doc {doc_id!r}: {split.teacher}'s {split.split} tokens differ from the base doc's "
                    "(every teacher must keep the text and the gold corpus's clinical tokens)"
                )
            kept = tuple((e.start, e.end, e.label_) for e in doc.ents if e.label_ in labels)
            counts[f"{split.teacher}: spans with other labels (skipped)"] += len(doc.ents) - len(kept)
            votes.spans[split.teacher] = kept
        out.append(votes)
    return out, +counts
