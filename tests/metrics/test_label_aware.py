"""Label-aware scoring: each gold doc is scored only on the labels its corpus annotates, in our
span metrics (char offsets, with per-corpus parts) and in the registered spaCy scorer."""

from __future__ import annotations

import pytest
from spacy.training import Example
from spacy.util import registry

from clin_distill.docio import set_provenance
from clin_distill.metrics.evaluate import evaluate_docs, scores_by_corpus
from clin_distill.runtime.scoring import SCORER, score_annotated_ents

from .docs import NLP, make_doc

LABELS3 = ["MEDICATION", "DISEASE", "SYMPTOM"]

# corpus "abs" annotates DISEASE only (an NCBI-like abstract); "clin" annotates all three labels
GOLD = [
    ("a1", "abs", ["DISEASE"], "Aspirin did not prevent gout or fever .", [("gout", "DISEASE")]),
    (
        "c1",
        "clin",
        LABELS3,
        "Took aspirin for gout and had fever and cough .",
        [("aspirin", "MEDICATION"), ("gout", "DISEASE"), ("fever", "SYMPTOM"), ("cough", "SYMPTOM")],
    ),
]
PRED = {
    # In the abstract: aspirin and fever are not annotated labels there: neither right nor wrong.
    # "gout or fever" is a wrong DISEASE boundary: 1 fp and 1 fn.
    "a1": [("Aspirin", "MEDICATION"), ("gout or fever", "DISEASE"), ("fever#2", "SYMPTOM")],
    # In the clinical note: aspirin right, gout right, fever right, cough missed, "had" spurious SYMPTOM
    "c1": [("aspirin", "MEDICATION"), ("gout", "DISEASE"), ("had", "SYMPTOM"), ("fever", "SYMPTOM")],
}


def gold_docs():
    return [set_provenance(make_doc(i, text, ents), corpus, labels) for i, corpus, labels, text, ents in GOLD]


def pred_docs():
    out = []
    for doc_id, _, _, text, _ in GOLD:
        ents = [(needle, label) for needle, label in PRED[doc_id] if not needle.endswith("#2")]
        out.append(make_doc(doc_id, text, ents))
    return out


def test_scores_count_each_label_only_on_docs_whose_corpus_annotates_it():
    scores = scores_by_corpus(pred_docs(), gold_docs(), LABELS3)
    strict = scores["strict"]
    # MEDICATION: only c1 counts (a1's "Aspirin" is ignored): tp 1, fp 0, fn 0
    assert (strict["MEDICATION"]["tp"], strict["MEDICATION"]["fp"], strict["MEDICATION"]["fn"]) == (1, 0, 0)
    # DISEASE: a1 wrong boundary (fp 1, fn 1), c1 right (tp 1)
    assert (strict["DISEASE"]["tp"], strict["DISEASE"]["fp"], strict["DISEASE"]["fn"]) == (1, 1, 1)
    assert strict["DISEASE"]["p"] == pytest.approx(0.5) and strict["DISEASE"]["f"] == pytest.approx(0.5)
    # SYMPTOM: only c1 (fever tp, had fp, cough fn)
    assert (strict["SYMPTOM"]["tp"], strict["SYMPTOM"]["fp"], strict["SYMPTOM"]["fn"]) == (1, 1, 1)
    assert (strict["micro"]["tp"], strict["micro"]["fp"], strict["micro"]["fn"]) == (3, 2, 2)
    assert strict["micro"]["f"] == pytest.approx(0.6)
    assert scores["docs_per_label"] == {"MEDICATION": 1, "DISEASE": 2, "SYMPTOM": 1}
    # lenient: "gout or fever" overlaps gout, so DISEASE in a1 is a lenient match
    assert scores["lenient"]["DISEASE"]["tp"] == 2 and scores["lenient"]["DISEASE"]["fp"] == 0

    abstract, clinical = scores["by_corpus"]["abs"], scores["by_corpus"]["clin"]
    assert abstract["labels"] == ["DISEASE"] and clinical["labels"] == LABELS3
    assert (abstract["strict"]["micro"]["tp"], abstract["strict"]["micro"]["fp"]) == (0, 1)
    assert "MEDICATION" not in abstract["strict"]  # not annotated there: no score at all
    assert clinical["strict"]["micro"]["f"] == pytest.approx(0.75)  # 3 tp, 1 fp, 1 fn


def test_evaluate_docs_reports_each_corpus_with_its_own_labels_and_intervals():
    result = evaluate_docs(pred_docs(), gold_docs(), LABELS3)
    assert result["labels"] == LABELS3
    assert set(result["by_corpus"]) == {"abs", "clin"}
    abstract = result["by_corpus"]["abs"]
    assert abstract["labels"] == ["DISEASE"] and abstract["n_gold_docs"] == 1
    assert set(abstract["strict"]["DISEASE"]["ci"]) == {"p", "r", "f"}
    assert abstract["errors"]["total"]["spurious"] == 0  # aspirin/fever in the abstract are not errors
    assert result["errors"]["per_label"]["MEDICATION"]["correct"] == 1
    assert result["errors"]["per_label"]["SYMPTOM"]["spurious"] == 1  # "had", not the abstract's fever


def test_registered_spacy_scorer_agrees_with_the_span_metrics():
    scorer = registry.scorers.get(SCORER)()
    examples = [Example(p, g) for p, g in zip(pred_docs(), gold_docs(), strict=True)]
    scores = scorer(examples)
    assert scores["ents_p"] == pytest.approx(0.6) and scores["ents_r"] == pytest.approx(0.6)
    assert scores["ents_per_type"]["MEDICATION"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    assert scores["ents_per_type"]["DISEASE"]["p"] == pytest.approx(0.5)
    # mean over the three labels: (1 + 0.5 + 0.5) / 3
    assert scores["ents_macro_f"] == pytest.approx(2 / 3)
    assert scores == score_annotated_ents(examples)


def test_registered_scorer_ignores_predictions_over_missing_gold_tokens():
    gold = NLP.make_doc("aspirin for gout")
    gold.set_ents([gold.char_span(12, 16, label="DISEASE")], missing=[gold[0:1]], default="outside")
    pred = make_doc("p", "aspirin for gout", [("aspirin", "MEDICATION"), ("gout", "DISEASE")])
    scores = score_annotated_ents([Example(pred, gold)])
    assert scores["ents_per_type"]["DISEASE"] == {"p": 1.0, "r": 1.0, "f": 1.0}
    # aspirin lies over a missing gold token: neither a true nor a false positive
    assert scores["ents_per_type"]["MEDICATION"] == {"p": 0.0, "r": 0.0, "f": 0.0}
    assert scores["ents_p"] == 1.0


def test_a_doc_without_provenance_annotates_every_label():
    gold = make_doc("x", "aspirin for gout", [("gout", "DISEASE")])
    pred = make_doc("x", "aspirin for gout", [("aspirin", "MEDICATION"), ("gout", "DISEASE")])
    scores = scores_by_corpus([pred], [gold], LABELS3)
    assert scores["strict"]["MEDICATION"]["fp"] == 1 and scores["labels"] == LABELS3


def test_a_symptom_on_a_corpus_whose_disease_covers_symptoms_is_scored_as_a_disease():
    """BC5CDR's Disease covers signs and symptoms: a SYMPTOM over a gold Disease span is right, a
    SYMPTOM elsewhere a wrong DISEASE, in our span metrics and in the registered spaCy scorer alike."""
    text = "Cisplatin caused nausea and renal failure ; chest pain later ."
    gold = make_doc(
        "cdr", text, [("Cisplatin", "MEDICATION"), ("nausea", "DISEASE"), ("renal failure", "DISEASE")]
    )
    set_provenance(gold, "bc5cdr", ["MEDICATION", "DISEASE"], {"DISEASE": ["SYMPTOM"]})
    pred = make_doc(
        "cdr", text, [("nausea", "SYMPTOM"), ("renal failure", "DISEASE"), ("chest pain", "SYMPTOM")]
    )
    scores = evaluate_docs([pred], [gold], LABELS3)
    assert scores["labels"] == ["MEDICATION", "DISEASE"]
    assert {k: scores["strict"]["DISEASE"][k] for k in ("tp", "fp", "fn")} == {"tp": 2, "fp": 1, "fn": 0}
    spacy_scores = score_annotated_ents([Example(pred, gold)])
    assert spacy_scores["ents_per_type"]["DISEASE"]["p"] == pytest.approx(2 / 3)
    assert spacy_scores["ents_per_type"]["DISEASE"]["r"] == pytest.approx(1.0)
    assert set(spacy_scores["ents_per_type"]) == {"MEDICATION", "DISEASE"}
