"""Doc ids, failure marks and safe DocBin/JSON files.

Every Doc in this project carries its corpus id in ``doc.user_data["doc_id"]``
(DocBins are written with ``store_user_data=True``). Messages and logs refer to
docs by this id, never by their text (clinical notes are PHI). Gold docs also carry
their provenance: the corpus they come from (``"corpus"``) and the labels that corpus
annotates (``"annotated_labels"``, see :mod:`clin_distill.runtime.scoring`).

Files are written atomically (temp file in the same folder, then ``os.replace``),
so a crash never leaves a partial file at the final path. Files that hold note
text or LLM replies are created with mode 0600.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from .labels import LABELS
from .runtime.scoring import ANNOTATED_LABELS, LABEL_COVERS, annotated_labels

DOC_ID = "doc_id"
CORPUS = "corpus"
FAILURE = "teacher_failure"
PRIVATE_MODE = 0o600


def set_doc_id(doc: Doc, doc_id: str) -> Doc:
    """Record ``doc_id`` on ``doc`` (as text); returns ``doc``."""
    doc.user_data[DOC_ID] = str(doc_id)
    return doc


def get_doc_id(doc: Doc) -> str:
    """The doc id ``doc`` carries; KeyError if it has none."""
    try:
        return doc.user_data[DOC_ID]
    except KeyError:
        raise KeyError("Doc has no doc_id in user_data; read it with clin_distill.docio") from None


def set_provenance(
    doc: Doc, corpus: str, labels: Sequence[str], covers: dict[str, list[str]] | None = None
) -> Doc:
    """Record the corpus ``doc`` comes from, the labels that corpus annotates (LABELS order) and, in
    ``covers``, the other labels one of its classes takes in ({"DISEASE": ["SYMPTOM"]}: BC5CDR's Disease
    covers signs and symptoms; see :func:`clin_distill.runtime.scoring.scored_label`)."""
    covered = {other: label for label, others in (covers or {}).items() for other in others}
    unknown = sorted((set(labels) | set(covered) | set(covered.values())) - set(LABELS))
    if unknown:
        raise ValueError(f"corpus {corpus}: labels {unknown} are not among {list(LABELS)}")
    if set(covered.values()) - set(labels) or set(covered) & set(labels):
        raise ValueError(f"corpus {corpus}: a covering label must be annotated and a covered one not")
    doc.user_data[CORPUS] = corpus
    doc.user_data[ANNOTATED_LABELS] = [label for label in LABELS if label in labels]
    if covered:
        doc.user_data[LABEL_COVERS] = covered
    else:
        doc.user_data.pop(LABEL_COVERS, None)
    return doc


def covered_labels(doc: Doc) -> dict[str, str]:
    """Covered label → the annotated label whose class covers it on ``doc`` (none: empty)."""
    return dict(doc.user_data.get(LABEL_COVERS, {}))


def corpus_of(doc: Doc) -> str:
    """The corpus ``doc`` comes from (``"unknown"`` for docs read without provenance)."""
    return doc.user_data.get(CORPUS, "unknown")


def labels_annotated(doc: Doc) -> tuple[str, ...]:
    """The labels ``doc``'s corpus annotates; every label for a doc without provenance."""
    allowed = annotated_labels(doc)
    return LABELS if allowed is None else tuple(label for label in LABELS if label in allowed)


def tokens_copy(source: Doc | Span, vocab: Vocab | None = None, user_data: Sequence[str] | None = ()) -> Doc:
    """A new Doc with ``source``'s tokens and their whitespace, and no annotation (no entities, no
    extension data). ``user_data``: the keys of the source doc's ``user_data`` to copy (deep copies;
    ``None``: all of it). A span's last token keeps no trailing whitespace."""
    spaces = [bool(t.whitespace_) for t in source]
    if isinstance(source, Span) and spaces:
        spaces[-1] = False
    doc = Doc(vocab or source.vocab, words=[t.text for t in source], spaces=spaces)
    data = source.doc.user_data if isinstance(source, Span) else source.user_data
    keys = list(data) if user_data is None else [key for key in user_data if key in data]
    for key in keys:
        doc.user_data[key] = copy.deepcopy(data[key])
    return doc


def mark_failed(doc: Doc, reason: str) -> Doc:
    """Record that a teacher could not label ``doc``. ``reason`` must not contain note text."""
    doc.user_data[FAILURE] = reason
    return doc


def failure_of(doc: Doc) -> str | None:
    """Why a teacher could not label ``doc`` (see :func:`mark_failed`), or None."""
    return doc.user_data.get(FAILURE)


@contextlib.contextmanager
def atomic_path(path: str | Path, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it into place only on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, PRIVATE_MODE if private else 0o644)
        yield tmp_path
        if private:
            os.chmod(tmp_path, PRIVATE_MODE)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_docbin(path: str | Path, docs: Iterable[Doc]) -> int:
    """Write docs (with their user_data) atomically as mode-0600 DocBin. Returns the doc count."""
    db = DocBin(store_user_data=True)
    n = 0
    for doc in docs:
        db.add(doc)
        n += 1
    with atomic_path(path, private=True) as tmp:
        db.to_disk(tmp)
    return n


def read_docbin(path: str | Path, vocab: Vocab | None = None) -> list[Doc]:
    """Read a DocBin written by :func:`write_docbin`."""
    vocab = vocab or Vocab()
    return list(DocBin().from_disk(path).get_docs(vocab))


def docs_by_id(docs: Iterable[Doc]) -> dict[str, Doc]:
    """Index docs by id; duplicate ids are an error (they would silently merge)."""
    out: dict[str, Doc] = {}
    for doc in docs:
        doc_id = get_doc_id(doc)
        if doc_id in out:
            raise ValueError(f"duplicate doc id {doc_id!r}")
        out[doc_id] = doc
    return out


def write_json(path: str | Path, data: Any, private: bool = False) -> None:
    """Write JSON atomically (mode 0600 when ``private``: use it for anything holding text)."""
    with atomic_path(path, private=private) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf8")
