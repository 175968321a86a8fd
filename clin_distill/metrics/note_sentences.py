"""Score a pipeline on the note-sentence table: section headers and clinical abbreviations ("MS:
alert and oriented", "f/u with PCP") that a model distilled from abstracts can misread as entities.

Each sentence lists the entities a clinical NER should tag as (text, label); an entity is right when
its text and label match one expected entity (exact match; each expected entity counts once).
"""

from __future__ import annotations

from collections import Counter
from importlib import resources

import srsly
from spacy.language import Language

from ..stepfiles.note_sentences import NoteSentences, SentenceResult
from ..stepfiles.scores import PRF

VERSION = "v1"


def load_sentences(version: str = VERSION) -> list[dict]:
    """The table's sentences (``text`` and ``entities`` as ``[text, label]``)."""
    path = resources.files("clin_distill").joinpath(
        "resources", "notes", f"abbreviation_sentences.{version}.json"
    )
    return srsly.json_loads(path.read_text(encoding="utf8"))["sentences"]


def score_sentences(nlp: Language, model: str, version: str = VERSION) -> NoteSentences:
    """Run ``nlp`` over the table and score every sentence (module docstring)."""
    table = load_sentences(version)
    results, tp, fp, fn = [], 0, 0, 0
    for row, doc in zip(table, nlp.pipe(r["text"] for r in table), strict=True):
        expected = [(text, label) for text, label in row["entities"]]
        predicted = [(e.text, e.label_) for e in doc.ents]
        hits = sum((Counter(expected) & Counter(predicted)).values())
        tp, fp, fn = tp + hits, fp + len(predicted) - hits, fn + len(expected) - hits
        results.append(
            SentenceResult(
                text=row["text"],
                expected=expected,
                predicted=predicted,
                correct=sorted(expected) == sorted(predicted),
            )
        )
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return NoteSentences(
        version=version, model=model, sentences=results, scores=PRF(tp=tp, fp=fp, fn=fn, p=p, r=r, f=f)
    )
