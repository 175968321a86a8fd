"""Bad input is found before the first paid request: doc ids, splits, every teacher's config."""

from __future__ import annotations

import re

import pytest
import spacy

from clin_distill.docio import set_doc_id, write_docbin
from tests.faults.conftest import error_line, invoke, teach_llm_args

from .conftest import NOTES, teach, write_corpus


def docs(texts, ids):
    nlp = spacy.blank("en")
    out = [nlp(t) for t in texts]
    return [d if i is None else set_doc_id(d, i) for d, i in zip(out, ids, strict=True)]


@pytest.mark.parametrize(
    "ids,message",
    [
        ([None, None], "dev.spacy: doc 0 has no doc id"),
        (["a", None], "dev.spacy: doc 1 has no doc id"),
        (["a", ""], "dev.spacy: doc 1 has no doc id"),
        (["a", "a"], "dev.spacy: doc id 'a' is used by docs 0 and 1"),
        (["a\n✘ forged", "a\n✘ forged"], "doc id 'a\\n✘ forged' is used by docs 0 and 1"),
    ],
)
def test_doc_ids_are_checked_before_any_request(tmp_path, server, teacher_dir, ids, message):
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    write_docbin(corpus / "dev.spacy", docs(["Fever.", "Cough."], ids))
    result = invoke("teach_llm", *teach_llm_args(teacher_dir, corpus, tmp_path, server.url, "train,dev,test"))
    assert message in error_line(result)  # one line: an id with a newline is printed escaped
    assert server.stats()["requests"] == 0  # train (read first) was not labelled either
    assert not (tmp_path / "labels" / "local").exists()


def test_a_missing_split_is_found_before_the_splits_before_it_are_paid_for(tmp_path, server, teacher_dir):
    corpus = write_corpus(tmp_path / "corpus", {"train": NOTES["train"]})
    result = invoke("teach_llm", *teach_llm_args(teacher_dir, corpus, tmp_path, server.url, "train,dev"))
    assert re.search(r"missing gold split .*dev\.spacy", error_line(result))
    assert server.stats()["requests"] == 0


def test_every_teacher_is_loaded_before_the_first_one_runs(tmp_path, server, teacher_dir):
    broken = (teacher_dir / "local.cfg").read_text().replace("max_concurrency = 4", "max_concurrency = 0")
    (teacher_dir / "broken.cfg").write_text(broken.replace('name = "local"', 'name = "broken"'))
    corpus = write_corpus(tmp_path / "corpus", NOTES)
    with pytest.raises(ValueError, match="max_concurrency"):
        teach(teacher_dir, corpus, tmp_path, server.url, teachers=["local", "broken"])
    assert server.stats()["requests"] == 0
