"""The student's abbreviation guard: the teachers' known-abbreviation rule on predicted entities, and
the note-sentence table it is scored on."""

from __future__ import annotations

from pathlib import Path

import spacy

from clin_distill.metrics.note_sentences import load_sentences, score_sentences
from clin_distill.runtime.abbreviation_guard import DROPPED, add_abbreviation_guard
from clin_distill.teachers.clinical_abbreviations import guard_labels

LABELS = {"MS": None, "PCP": None, "HTN": "DISEASE", "SOB": "SYMPTOM"}


def predict(text: str, spans: list[tuple[str, str]]):
    """The guard on a doc whose predicted entities are exactly ``spans`` (found by text)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer", name="ner")  # stands in for the NER the guard follows
    guard = add_abbreviation_guard(nlp, LABELS).get_pipe("abbreviation_guard")
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(s), text.index(s) + len(s), label=label) for s, label in spans]
    return guard(doc)


def test_known_abbreviations_of_another_or_no_label_are_dropped_unless_defined():
    doc = predict(
        "MS: alert, f/u with PCP; HTN and SOB.",
        [("MS", "DISEASE"), ("PCP", "MEDICATION"), ("HTN", "DISEASE"), ("SOB", "DISEASE")],
    )
    assert [(e.text, e.label_) for e in doc.ents] == [("HTN", "DISEASE")]  # SOB is a symptom, not DISEASE
    assert doc.user_data[DROPPED] == 3
    defined = predict("Multiple sclerosis (MS) relapsed; MS worsened.", [("MS", "DISEASE")])
    assert [e.text for e in defined.ents] == ["MS"]  # the note defines it
    other = predict("Chest pain and metformin.", [("Chest pain", "SYMPTOM"), ("metformin", "MEDICATION")])
    assert len(other.ents) == 2  # not abbreviations: untouched


def test_the_guard_table_saves_with_the_pipeline(tmp_path: Path):
    doc = predict("PCP visit.", [("PCP", "MEDICATION")])
    assert not doc.ents
    nlp = spacy.blank("en")
    nlp.add_pipe("clin_distill_abbreviation_guard", name="abbreviation_guard").initialize(labels=LABELS)
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("abbreviation_guard").labels == LABELS


def test_guard_labels_follow_the_teachers_majority_rule():
    table = {
        "MS": ["mental status", "multiple sclerosis", "mitral stenosis"],
        "HTN": ["Hypertension"],
        "a-b": ["x"],
    }
    labels = {"multiple sclerosis": "DISEASE", "hypertension": "DISEASE"}
    assert guard_labels(table, labels) == {
        "HTN": "DISEASE",
        "MS": None,
    }  # 1 of 3: no majority; "a-b": not one token


def test_note_sentence_table_scores_exact_text_and_label():
    rows = load_sentences()
    assert len(rows) >= 30
    covered = {"PE", "ED", "MS", "PT", "PCP", "CA", "RA", "OR", "CC", "DNR", "AMS", "HTN", "SOB"}
    assert all(
        any(abbr in r["text"].replace("/", " ").replace(":", " ").split() for r in rows) for abbr in covered
    )
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "DISEASE", "pattern": "HTN"}, {"label": "DISEASE", "pattern": "MS"}])
    result = score_sentences(nlp, "ruler")
    by_text = {s.text: s for s in result.sentences}
    assert by_text["MS: alert and oriented x3."].predicted == [("MS", "DISEASE")]
    assert not by_text["MS: alert and oriented x3."].correct
    assert by_text["Presented to ED with HTN."].correct
    assert result.scores.tp == sum(r["text"].count("HTN") for r in rows) + 1  # every HTN, and "Hx of MS"


def test_the_report_shows_the_note_sentence_table(tmp_path: Path):
    from clin_distill.report.note_sentences import note_sentences_section

    assert note_sentences_section(tmp_path) is None  # before packaging: no section
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "DISEASE", "pattern": "HTN"}])
    score_sentences(nlp, "ruler").write(tmp_path / "note_sentences.json")
    section = note_sentences_section(tmp_path)
    table, note = section.blocks
    assert len(table.rows) == len(load_sentences()) and "ruler, table v1" in note.text
    assert ["Presented to ED with HTN.", "HTN (DISEASE)", "HTN (DISEASE)", "✓"] in table.rows
