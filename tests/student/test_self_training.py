"""Self-training: the student's confident spans join the teachers' labels by the documented rule;
every doc and id of the distilled corpus is kept."""

from __future__ import annotations

from collections import Counter

import pytest
import spacy
from spacy.tokens import Span
from spacy.training import Example

from clin_distill.docio import get_doc_id, read_docbin, set_doc_id, set_provenance
from clin_distill.labels import LABELS
from clin_distill.student.self_training import SelfTrainingRule, merge_student, scored_spans, self_label

NLP = spacy.blank("en")
TEXT = "Patient with chest pain and diabetes took metformin for fever today ."
#        0       1    2     3    4   5        6    7         8   9     10    11


def distilled(doc_id: str = "d1"):
    """Teachers kept chest pain (SYMPTOM); token 10 ("today") is missing (a dropped proposal)."""
    doc = NLP.make_doc(TEXT)
    doc.set_ents([Span(doc, 2, 4, label="SYMPTOM")], missing=[doc[10:11]], default="outside")
    return set_provenance(set_doc_id(doc, doc_id), "notes", LABELS)


def iob(doc) -> list[str]:
    return [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ else "-" for t in doc]


def test_confident_spans_join_unsure_ones_become_missing_and_teacher_spans_win():
    rule = SelfTrainingRule(threshold=0.9, floor=0.5)
    student = [
        (5, 6, "DISEASE", 0.97),  # confident, free tokens: joins
        (3, 4, "DISEASE", 0.99),  # overlaps the teachers' chest pain: the teacher span is kept
        (7, 8, "MEDICATION", 0.6),  # unsure: metformin becomes missing
        (9, 11, "SYMPTOM", 0.95),  # confident over a missing token: joins, token 10 is now taught
    ]
    counts = Counter()
    out = merge_student(distilled(), student, rule, counts)
    assert iob(out) == [
        "O-", "O-", "B-SYMPTOM", "I-SYMPTOM", "O-", "B-DISEASE",
        "O-", "-", "O-", "B-SYMPTOM", "I-SYMPTOM", "O-",
    ]  # fmt: skip
    assert get_doc_id(out) == "d1" and out.user_data["corpus"] == "notes"
    assert counts == Counter(
        {
            "added DISEASE": 1,
            "added SYMPTOM": 1,
            "student spans overlapping a teacher span (teacher kept)": 1,
            "tokens marked missing (student unsure)": 1,
        }
    )
    assert Example(NLP.make_doc(TEXT), out).get_aligned_ner()[7] is None


def test_the_rule_is_validated():
    with pytest.raises(ValueError, match="floor <= threshold"):
        SelfTrainingRule(threshold=0.4, floor=0.5)
    with pytest.raises(ValueError, match="beam_width"):
        SelfTrainingRule(beam_width=1)


def test_self_label_keeps_every_doc_and_id_in_order_with_a_real_ner():
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in LABELS:
        ner.add_label(label)
    nlp.initialize()
    docs = [distilled(f"d{i}") for i in range(5)]
    rule = SelfTrainingRule(threshold=0.9, floor=0.01, beam_width=4)
    spans = scored_spans(nlp, docs, rule, batch_size=2)
    assert len(spans) == 5
    assert all(0.01 <= p <= 1.0 + 1e-6 and label in LABELS for doc in spans for _, _, label, p in doc)
    merged, _ = self_label(nlp, docs, rule)
    assert [get_doc_id(d) for d in merged] == [f"d{i}" for i in range(5)]
    assert all(d.text == TEXT and (d[2].ent_iob_, d[2].ent_type_) == ("B", "SYMPTOM") for d in merged)


def test_rounds_stop_when_dev_stops_rising_and_the_best_round_is_the_self_student(tmp_path, monkeypatch):
    """Rounds run through the real labelling; training is replaced by a stand-in that saves the student
    it starts from with a scripted dev score, so the stopping rule is what is tested."""
    import srsly

    from clin_distill.docio import write_docbin
    from clin_distill.student import self_rounds

    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in LABELS:
        ner.add_label(label)
    nlp.initialize()
    first = tmp_path / "distilled"
    nlp.to_disk(first)
    srsly.write_json(
        first / "meta.json", {**srsly.read_json(first / "meta.json"), "performance": {"ents_macro_f": 0.5}}
    )
    taught = tmp_path / "train.spacy"
    write_docbin(taught, [distilled(f"d{i}") for i in range(3)])
    scores = iter([0.6, 0.7, 0.65])  # rounds 1 and 2 improve, round 3 does not

    def fake_train(config, train, dev, out, init_from, **kwargs):
        assert len(list(read_docbin(train))) == 3  # the teachers' corpus, relabelled
        model = spacy.load(init_from)
        model.meta["performance"] = {"ents_macro_f": next(scores)}
        model.to_disk(out / "model-best")

    monkeypatch.setattr(self_rounds, "train_student", fake_train)
    rule = SelfTrainingRule(threshold=0.9, floor=0.01, beam_width=4)
    plan = self_rounds.SelfTrainingPlan(first, taught, taught, rule, rounds=5)
    result = self_rounds.self_train(plan, tmp_path / "config.cfg", tmp_path / "self")
    assert [(r.round, pytest.approx(r.dev_score), r.kept) for r in result.rounds] == [
        (1, 0.6, True),
        (2, 0.7, True),
        (3, 0.65, False),
    ]
    assert result.rounds[1].started_from == str(tmp_path / "self" / "round-1" / "model-best")
    assert result.chosen == str(tmp_path / "self" / "round-2" / "model-best")
    assert self_rounds.dev_score(tmp_path / "self" / "model-best") == pytest.approx(0.7)
