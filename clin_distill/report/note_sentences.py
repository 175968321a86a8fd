"""The packaged model on note sentences with section headers and clinical abbreviations (written by
the package step: ``metrics/note_sentences.json``; the sentences are the table's, not notes)."""

from __future__ import annotations

from pathlib import Path

from ..stepfiles.note_sentences import NoteSentences
from .model import Note, Section, Table

FILE = "note_sentences.json"


def _spans(spans: list[tuple[str, str]]) -> str:
    return "; ".join(f"{text} ({label})" for text, label in spans) or "–"


def note_sentences_section(metrics_dir: Path) -> Section | None:
    """Every sentence with what it should tag and what the packaged model tagged; None before packaging."""
    path = Path(metrics_dir) / FILE
    if not path.is_file():
        return None
    result = NoteSentences.read(path)
    rows = [
        [s.text.replace("\n", " "), _spans(s.expected), _spans(s.predicted), "✓" if s.correct else "✗"]
        for s in result.sentences
    ]
    right = sum(s.correct for s in result.sentences)
    scores = result.scores
    note = Note(
        f"{result.model}, table {result.version}: {right} of {len(rows)} sentences exactly right; entities "
        f"P {scores.p:.2f} R {scores.r:.2f} F1 {scores.f:.2f} (exact text and label). The sentences are "
        "written for the table (section headers; MS, PCP, PE, CC, DNR and the like); none is trained on."
    )
    return Section(
        "Note sentences: headers and clinical abbreviations (packaged model)",
        [Table(["sentence", "expected", "predicted", "exact"], rows), note],
    )
