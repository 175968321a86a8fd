"""scripts/train.py: model-best, recorded backbone and corpora, labels, schedule, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import srsly
from spacy.scorer import get_ner_prf
from spacy.training import Example
from spacy.util import load_config

from clin_distill.docio import get_doc_id, read_docbin, set_doc_id, write_docbin
from clin_distill.labels import LABELS
from clin_distill.metrics import score_docs
from clin_distill.student.training import build_overrides
from tests.student.conftest import MAX_STEPS, REPO, TrainedStudent, invoke
from tests.student.synthetic import SENTENCES, synthetic_docs, write_corpus


def test_model_best_records_backbone_and_corpora(trained_student: TrainedStudent) -> None:
    meta = srsly.read_json(trained_student.best / "meta.json")
    record = meta["clin_distill"]
    assert record["backbone"] == {
        "requested": str(trained_student.backbone),
        "resolved": str(trained_student.backbone.resolve()),
        "reason": "local model folder",
    }
    assert record["training_corpus"]["docs"] == 16
    assert record["training_corpus"]["entities"]["MEDICATION"] == 0
    assert record["dev_corpus"]["docs"] == 8
    assert record["max_steps"] == MAX_STEPS
    assert record["lowercase"] is True  # the tiny BERT's vocabulary is lower-case
    assert (trained_student.output / "model-last" / "meta.json").is_file()


def test_ner_knows_every_label_even_one_missing_from_training(trained_student: TrainedStudent) -> None:
    nlp = spacy.load(trained_student.best)
    assert set(nlp.get_pipe("ner").labels) == set(LABELS)


def test_config_carries_backbone_casing_and_schedule(trained_student: TrainedStudent) -> None:
    config = load_config(trained_student.best / "config.cfg", interpolate=False)
    assert config["paths"]["backbone"] == str(trained_student.backbone.resolve())
    assert config["components"]["transformer"]["model"]["tokenizer_config"]["do_lower_case"] is True
    schedule = config["training"]["optimizer"]["learn_rate"]
    assert schedule["total_steps"] == MAX_STEPS
    assert schedule["warmup_steps"] == 2  # 10% of the steps
    assert schedule["initial_rate"] == 0.003  # SPACY_CONFIG_OVERRIDES was honoured
    assert config["training"]["eval_frequency"] == 10


def test_tiny_student_learns_the_synthetic_entities(trained_student: TrainedStudent) -> None:
    # 20 CPU steps are not bit-reproducible across machines, so one borderline mention may flip:
    # ask for most trained mentions (an untrained NER finds none), not for one in particular.
    nlp = spacy.load(trained_student.best)
    gold = {
        (text, surface, label) for text, ents in SENTENCES for surface, label in ents if label != "MEDICATION"
    }
    found = {(doc.text, e.text, e.label_) for doc in nlp.pipe({t for t, _, _ in gold}) for e in doc.ents}
    assert len(gold & found) >= 0.75 * len(gold), sorted(gold - found)


def test_env_overrides_win_and_size_the_schedule(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPACY_CONFIG_OVERRIDES", "--training.max_steps=50")
    config = load_config(REPO / "configs" / "student_trf.cfg", interpolate=False)
    overrides = build_overrides(config, tmp_path, tmp_path, tmp_path, None, None, 600, 100, 13)
    assert overrides["training.max_steps"] == 50
    assert overrides["training.optimizer.learn_rate.total_steps"] == 50
    assert overrides["training.optimizer.learn_rate.warmup_steps"] == 5
    cnn = load_config(REPO / "configs" / "student_cnn.cfg", interpolate=False)
    assert "training.optimizer.learn_rate.total_steps" not in build_overrides(
        cnn, tmp_path, tmp_path, tmp_path, None, None, 600, 100, 13
    )


def test_learn_rate_sets_the_schedules_initial_rate_or_the_number(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SPACY_CONFIG_OVERRIDES", raising=False)
    args = (tmp_path, tmp_path, tmp_path, None, None, 600, 100, 13, 0)
    trf = load_config(REPO / "configs" / "student_trf.cfg", interpolate=False)
    assert build_overrides(trf, *args, 5e-5)["training.optimizer.learn_rate.initial_rate"] == 5e-5
    assert "training.optimizer.learn_rate.initial_rate" not in build_overrides(trf, *args)
    cnn = load_config(REPO / "configs" / "student_cnn.cfg", interpolate=False)
    assert build_overrides(cnn, *args, 0.01)["training.optimizer.learn_rate"] == 0.01
    monkeypatch.setenv("SPACY_CONFIG_OVERRIDES", "--training.optimizer.learn_rate.initial_rate=0.001")
    assert build_overrides(trf, *args, 5e-5)["training.optimizer.learn_rate.initial_rate"] == 0.001
    del trf["training"]["optimizer"]["learn_rate"]["initial_rate"]
    with pytest.raises(ValueError, match="no initial_rate"):
        build_overrides(trf, *args, 5e-5)


STEPS = ("--backbone", "auto", "--max-steps", 2, "--eval-frequency", 1)


def test_empty_training_corpus_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.spacy"
    write_docbin(empty, [])
    dev = write_corpus(tmp_path / "dev.spacy", 2)
    result = invoke("train", REPO / "configs/student_cnn.cfg", empty, dev, tmp_path / "out", *STEPS)
    assert result.exit_code == 1
    assert "0 docs" in result.output and str(empty) in result.output
    assert not (tmp_path / "out" / "model-best").exists()


def test_unknown_label_names_the_doc_not_its_text(tmp_path: Path) -> None:
    docs = synthetic_docs(2)
    ent = docs[1].ents[0]
    docs[1].ents = [spacy.tokens.Span(docs[1], ent.start, ent.end, label="PROCEDURE")]
    bad = tmp_path / "bad.spacy"
    write_docbin(bad, docs)
    result = invoke("train", REPO / "configs/student_cnn.cfg", bad, bad, tmp_path / "out", *STEPS)
    assert result.exit_code == 1
    assert "synthetic-1" in result.output and "PROCEDURE" in result.output
    assert ent.text not in result.output


def test_cnn_student_trains_without_a_backbone(tmp_path: Path) -> None:
    train = write_corpus(tmp_path / "train.spacy", 8)
    result = invoke(
        "train", REPO / "configs/student_cnn.cfg", train, train, tmp_path / "out",
        "--backbone", "auto", "--max-steps", 2, "--eval-frequency", 1,
    )  # fmt: skip
    assert result.exit_code == 0, result.output[-2000:]
    record = srsly.read_json(tmp_path / "out" / "model-best" / "meta.json")["clin_distill"]
    assert record["backbone"]["resolved"] is None
    assert set(spacy.load(tmp_path / "out" / "model-best").get_pipe("ner").labels) == set(LABELS)


def test_spacy_train_selects_with_the_registered_label_aware_scorer(trained_student: TrainedStudent) -> None:
    """model-best's dev scores come from clin_distill.annotated_ents_scorer.v1: recomputed from
    model-best's own predictions with the label-aware span metrics, they agree exactly; spaCy's
    default scorer (which counts the symptoms found in the DISEASE-only docs as errors) does not."""
    config = load_config(trained_student.best / "config.cfg", interpolate=False)
    assert config["components"]["ner"]["scorer"] == {"@scorers": "clin_distill.annotated_ents_scorer.v1"}
    assert config["training"]["score_weights"]["ents_macro_f"] == 1.0
    performance = srsly.read_json(trained_student.best / "meta.json")["performance"]
    nlp = spacy.load(trained_student.best)
    gold = read_docbin(trained_student.dev, nlp.vocab)
    pred = [
        set_doc_id(doc, get_doc_id(g)) for doc, g in zip(nlp.pipe(d.text for d in gold), gold, strict=True)
    ]
    ours = score_docs(pred, gold)
    assert performance["ents_f"] == pytest.approx(ours["strict"]["micro"]["f"])
    assert performance["ents_p"] == pytest.approx(ours["strict"]["micro"]["p"])
    present = ours["labels"]
    assert performance["ents_macro_f"] == pytest.approx(sum(ours["strict"][lab]["f"] for lab in present) / 3)
    abstract_symptoms = sum(
        e.label_ == "SYMPTOM"
        for p, g in zip(pred, gold, strict=True)
        if g.user_data["corpus"] == "abs"
        for e in p.ents
    )
    assert abstract_symptoms > 0, "the student found no symptom in the DISEASE-only docs: nothing to ignore"
    default = get_ner_prf([Example(p, g) for p, g in zip(pred, gold, strict=True)])
    assert default["ents_p"] < performance["ents_p"]
