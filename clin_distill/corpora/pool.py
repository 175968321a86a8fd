"""The pool the teachers label: every gold corpus's texts, and the user's own unlabeled notes.

``corpus/pool/{train,dev,test}.spacy`` concatenate the splits of each gold corpus in the pool
(``corpus/gold/<dataset>/``), in the order the datasets are listed; every doc keeps its gold
entities, its doc id and its provenance (the corpus and the labels that corpus annotates, set
by the readers). ``notes.spacy`` holds the user's notes (see :mod:`.notes`), unlabeled; they
join the distilled training data only, never dev or test.

Rules, each a one-line error or a counted skip (messages name files and ids, never text):

* doc ids are unique across the pool: two corpora sharing an id, or a note whose id is also a
  gold doc id, is an error (the teachers' labels are paired with gold docs by id);
* a gold doc without provenance (converted by an older clin-distill) is an error;
* a note whose text is the text of a gold doc is skipped and counted: a gold dev or test text
  would leak evaluation data into training, a gold train text is already in the pool;
* empty notes are skipped and counted (by the notes reader).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..docio import CORPUS, get_doc_id, labels_annotated, read_docbin, write_docbin
from ..labels import LABELS
from ..markdown import markdown_table
from ..runtime.scoring import ANNOTATED_LABELS
from ..split_names import NOTES, SPLITS
from ..stepfiles.pool import NotesRead, Pool
from .notes import has_notes, notes_to_docs
from .reading import CorpusError

NOTES_CORPUS = "notes"


def pool_table(pool: Pool) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: docs per corpus and split (notes last) and the labels each corpus annotates."""
    header = ["corpus", *SPLITS, NOTES, *LABELS]
    rows = [
        [
            corpus,
            *(counts.get(s, 0) for s in SPLITS),
            0,
            *("✓" if lab in pool.annotated_labels[corpus] else "–" for lab in LABELS),
        ]
        for corpus, counts in pool.corpora.items()
    ]
    if pool.notes.kept:
        rows.append([NOTES_CORPUS, 0, 0, 0, pool.notes.kept, *("–" for _ in LABELS)])
    return header, rows


def pool_markdown(pool: Pool) -> str:
    """``pool.md``: the table and the notes read, kept and skipped."""
    header, rows = pool_table(pool)
    lines = ["# Pool", "", markdown_table(header, rows).rstrip("\n")]
    notes = pool.notes
    lines += ["", f"Notes read: {notes.read}, kept: {notes.kept}, skipped: {notes.skipped or 'none'}."]
    return "\n".join(lines) + "\n"


def _text_key(text: str) -> str:
    return hashlib.sha1(text.strip().encode("utf8")).hexdigest()


def _gold_split(folder: Path, dataset: str, split: str, vocab: Vocab) -> list[Doc]:
    path = folder / f"{split}.spacy"
    if not path.is_file():
        return []
    docs = read_docbin(path, vocab)
    for doc in docs:
        if CORPUS not in doc.user_data or ANNOTATED_LABELS not in doc.user_data:
            raise CorpusError(
                f"{path} (doc {get_doc_id(doc)}): no corpus/annotated-labels record; "
                f"convert {dataset} again with this clin-distill"
            )
    return docs


def _read_notes(
    nlp: Language, notes: Path | None, gold_ids: dict[str, str], gold_texts: dict[str, str]
) -> tuple[list[Doc], NotesRead]:
    """The kept note docs and the notes summary (see the module docstring for the rules)."""
    if notes is None or not has_notes(notes):
        source = None if notes is None else str(notes)
        return [], NotesRead(source=source, read=0, kept=0, skipped={}, notices=[])
    docs, report = notes_to_docs(nlp, notes)
    skipped = report.skipped
    read = len(docs) + skipped["empty"]
    kept = []
    for doc in docs:
        doc_id = get_doc_id(doc)
        if doc_id in gold_ids:
            raise CorpusError(
                f"{notes}: note id {doc_id!r} is also a doc id of corpus {gold_ids[doc_id]}; "
                "ids must be unique across the pool (rename the note)"
            )
        where = gold_texts.get(_text_key(doc.text))
        if where is not None:
            skipped[f"same text as a gold {where} doc"] += 1
            continue
        doc.user_data[CORPUS] = NOTES_CORPUS
        doc.user_data[ANNOTATED_LABELS] = []
        kept.append(doc)
    return kept, NotesRead(
        source=str(notes), read=read, kept=len(kept), skipped=dict(+skipped), notices=report.notices
    )


def build_pool(
    nlp: Language, gold_root: Path, datasets: Sequence[str], out_dir: Path, notes: Path | None = None
) -> Pool:
    """Pool the gold corpora ``corpus/gold/<dataset>`` of ``datasets`` and the ``notes`` (a folder or file).

    Writes ``out_dir/{train,dev,test,notes}.spacy`` (mode 0600), ``pool.json``
    (:class:`~clin_distill.stepfiles.pool.Pool`: docs per corpus and split, labels annotated, notes read,
    kept and skipped) and ``pool.md``; returns the ``Pool``.

    Raises:
        CorpusError: no dataset, a missing or empty gold corpus, a gold doc without provenance, or a
            doc id used twice in the pool (see the module docstring).
    """
    if not datasets:
        raise CorpusError("the pool needs at least one gold corpus")
    summary = Pool()
    splits: dict[str, list[Doc]] = {split: [] for split in SPLITS}
    owner: dict[str, str] = {}
    texts: dict[str, str] = {}
    for dataset in datasets:
        folder = Path(gold_root) / dataset
        if not folder.is_dir():
            raise CorpusError(f"{folder}: gold corpus {dataset} is missing (convert it first)")
        summary.corpora[dataset] = {}
        for split in SPLITS:
            docs = _gold_split(folder, dataset, split, nlp.vocab)
            for doc in docs:
                doc_id = get_doc_id(doc)
                if doc_id in owner:
                    raise CorpusError(
                        f"{folder / split}.spacy: doc id {doc_id!r} is also a doc id of corpus "
                        f"{owner[doc_id]}; ids must be unique across the pool"
                    )
                owner[doc_id] = dataset
                texts.setdefault(_text_key(doc.text), f"{dataset} {split}")
                summary.annotated_labels.setdefault(dataset, list(labels_annotated(doc)))
            splits[split].extend(docs)
            summary.corpora[dataset][split] = len(docs)
        if not sum(summary.corpora[dataset].values()):
            raise CorpusError(f"{folder}: gold corpus {dataset} holds no docs")
    note_docs, summary.notes = _read_notes(nlp, notes, owner, texts)
    out_dir = Path(out_dir)
    for split, docs in splits.items():
        write_docbin(out_dir / f"{split}.spacy", docs)
    write_docbin(out_dir / f"{NOTES}.spacy", note_docs)
    summary.write(out_dir / "pool.json")
    (out_dir / "pool.md").write_text(pool_markdown(summary), encoding="utf8")
    return summary
