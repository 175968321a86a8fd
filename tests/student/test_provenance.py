"""What each `final_student` choice says it learned from (meta.json's ``learned_from`` and the model card)."""

from __future__ import annotations

import pytest

from clin_distill.stepfiles.anchored import AnchoredCorpus
from clin_distill.stepfiles.combine import LabelChoice
from clin_distill.student.provenance import learned_from
from tests.helpers.files import combine_choice, pool

CHOICE = combine_choice(
    {
        "MEDICATION": LabelChoice(teachers=["open_vocab"], strategy="union"),
        "DISEASE": LabelChoice(teachers=["open_vocab", "quickumls"], strategy="vote"),
    },
    ["open_vocab", "quickumls"],
)
ANCHORED = AnchoredCorpus(docs=16, gold_labels={"abs": ["DISEASE"], "clin": []}, notes=2, counts={})


@pytest.mark.parametrize("system", ["distilled", "self"])
def test_a_student_of_the_teachers_alone_names_no_human_label(system: str):
    record = learned_from(system, CHOICE, pool(), ANCHORED)
    assert record["system"] == system and not record["human_labels"] and record["gold"] == {}
    assert {info["on"] for info in record["teachers"].values()} == {"every pool train doc and note"}
    assert record["self_training"] is (system == "self")
    assert record["continued_from"] == (None if system == "distilled" else "the distilled student")
    assert record["summary"].startswith("No human label.") and "User notes: 2." in record["summary"]


def test_the_anchored_student_names_its_gold_and_where_teachers_taught():
    record = learned_from("anchored", CHOICE, pool(), ANCHORED)
    # a corpus whose gold the anchored corpus took no label from is left out
    assert record["human_labels"] and record["gold"] == {"abs": ["DISEASE"]}
    medication = record["teachers"]["MEDICATION"]["on"]
    assert medication == "the notes and the train docs of abs (gold wins an overlap)"
    assert record["teachers"]["DISEASE"]["on"] == "the notes only"
    assert record["summary"].startswith("Human labels from abs (DISEASE), teacher labels elsewhere.")


def test_an_unknown_system_or_an_anchored_student_without_its_corpus_is_an_error():
    with pytest.raises(ValueError, match="system must be one of"):
        learned_from("human", CHOICE, pool(), ANCHORED)
    with pytest.raises(ValueError, match="run the anchor step"):
        learned_from("anchored", CHOICE, pool(), None)
