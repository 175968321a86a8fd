import pytest
import spacy
import srsly
from spacy.util import load_model_from_config

from clin_distill.teachers.pipeline import META_KEY, assemble_teacher

from .conftest import CONFIGS

TEXT = "Wilson Disease (WD) was treated with penicillamine. WD recurred. AIDS, not aids."
EXPECTED = [
    ("Wilson Disease", "DISEASE"),
    ("WD", "DISEASE"),
    ("penicillamine", "MEDICATION"),
    ("WD", "DISEASE"),
    ("AIDS", "DISEASE"),
]


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


@pytest.fixture
def teacher(patterns_file):
    return assemble_teacher(CONFIGS / "open_vocab.cfg", {"paths.patterns": str(patterns_file)})


def test_open_vocab_teacher_is_case_insensitive_except_acronyms(teacher):
    assert ents(teacher(TEXT)) == EXPECTED
    assert teacher.meta[META_KEY]["vocabulary"]["sources"] == [{"name": "fixture"}]
    assert [e.ent_id_ for e in teacher(TEXT).ents][:2] == ["DOID:893", "DOID:893"]


def test_patterns_are_saved_inside_the_pipeline(teacher, tmp_path, patterns_file):
    teacher.to_disk(tmp_path / "teacher")
    patterns_file.unlink()  # the saved teacher must not need the pattern file
    loaded = spacy.load(tmp_path / "teacher")
    assert ents(loaded(TEXT)) == EXPECTED
    assert loaded.meta[META_KEY]["vocabulary"]["name"] == "open_vocab"
    restored = load_model_from_config(teacher.config, auto_fill=True)
    restored.from_bytes(teacher.to_bytes())
    assert ents(restored(TEXT)) == EXPECTED
    assert len(restored.get_pipe("ontology_ruler")) == len(teacher.get_pipe("ontology_ruler"))


def test_missing_pattern_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="build step"):
        assemble_teacher(CONFIGS / "open_vocab.cfg", {"paths.patterns": str(tmp_path / "none.jsonl")})


def test_known_abbreviations_beside_the_patterns_are_loaded_and_saved(patterns_file, tmp_path):
    srsly.write_json(patterns_file.with_name("open_vocab.abbreviations.json"), ["CT", "WD"])
    teacher = assemble_teacher(CONFIGS / "open_vocab.cfg", {"paths.patterns": str(patterns_file)})
    assert teacher.get_pipe("abbreviations").known == {"CT", "WD"}
    assert teacher.meta[META_KEY]["known_abbreviations"] == 2
    # "WD" is defined in the text, so the known list does not stop it; only undefined guesses stop
    assert ents(teacher(TEXT)) == EXPECTED
    teacher.to_disk(tmp_path / "teacher")
    assert spacy.load(tmp_path / "teacher").get_pipe("abbreviations").known == {"CT", "WD"}
    restored = load_model_from_config(teacher.config, auto_fill=True)
    restored.from_bytes(teacher.to_bytes())
    assert restored.get_pipe("abbreviations").known == {"CT", "WD"}
