import spacy

from clin_distill.teachers.pipeline import assemble_teacher, quickumls_overrides
from clin_distill.teachers.umls import SemtypeLabeler, ensure_nltk_stopwords, sample_index_path

from .conftest import CONFIGS


def test_quickumls_teacher_on_medspacy_sample_index(tmp_path, monkeypatch):
    monkeypatch.setenv("CLIN_DISTILL_NLTK_DATA", str(tmp_path / "nltk"))
    overrides = quickumls_overrides(CONFIGS / "quickumls.cfg", "", 0.9)
    assert overrides == {
        "paths.quickumls": str(sample_index_path()),
        "components.quickumls.threshold": 0.9,
    }
    nlp = assemble_teacher(CONFIGS / "quickumls.cfg", overrides)
    doc = nlp("Dipalmitoyllecithin was given, then heart rate rose.")
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("Dipalmitoyllecithin", "MEDICATION", "C0000039")
    ]
    nlp.to_disk(tmp_path / "umls")
    loaded = spacy.load(tmp_path / "umls")
    assert [e.label_ for e in loaded("Dipalmitoyllecithin").ents] == ["MEDICATION"]


def test_configs_without_quickumls_get_no_overrides():
    assert quickumls_overrides(CONFIGS / "open_vocab.cfg", "", 0.5) == {}


def test_semtype_map_order_decides_and_unmapped_types_drop():
    labeler = SemtypeLabeler(spacy.blank("en"), "x", {"T047": "DISEASE", "T184": "SYMPTOM"})
    assert labeler.label_for({"T184", "T047"}) == "DISEASE"
    assert labeler.label_for({"T184"}) == "SYMPTOM"
    assert labeler.label_for({"T999"}) is None


def test_offline_nltk_stopwords(tmp_path):
    import nltk

    folder = ensure_nltk_stopwords(tmp_path)
    if folder is not None:
        assert "the" in nltk.corpus.stopwords.words("english")
