"""The benchmark's view of the student: its span windows, and the window sweep's alternative settings,
which run through the shipped span getter and so never truncate a note."""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy
import spacy

from clin_distill.bench.student import transformer_pipe, window_setting, wordpiece_windows
from tests.student.test_windows import lab_table

STRIDED = "spacy-transformers.strided_spans.v1"
POSITIONS = 512  # the tiny BERT's limit, special tokens included


@contextlib.contextmanager
def strided_windows(nlp, window: int, stride: int):
    """spacy-transformers' own strided spans (what the sweep used before): windows are not bounded."""
    model = transformer_pipe(nlp).model
    before = model.attrs["get_spans"]
    model.attrs["get_spans"] = spacy.registry.get("span_getters", STRIDED)(window=window, stride=stride)
    try:
        yield
    finally:
        model.attrs["get_spans"] = before


def unseen_tokens(doc) -> list[int]:
    """Tokens with text that no window gave a wordpiece to (cut off by truncation)."""
    align = doc._.trf_data.align
    return [t.i for t in doc if not t.is_space and align[t.i].lengths.sum() == 0]


def test_the_configured_windows_are_read_from_the_pipeline(tiny_student: Path):
    setting = window_setting(spacy.load(tiny_student))
    assert (setting.span_getter, setting.window, setting.stride) == (
        "clin_distill.wordpiece_windows.v1",
        8,
        6,
    )


def test_a_swept_window_setting_never_truncates(tiny_student: Path):
    nlp = spacy.load(tiny_student)
    text = lab_table()
    with strided_windows(nlp, 400, 300):
        strided = nlp(text)
    assert unseen_tokens(strided), "the lab table must overflow a plain 400-token window"
    with wordpiece_windows(nlp, 400, 300):
        doc = nlp(text)
    assert unseen_tokens(doc) == []
    assert int(numpy.max(doc._.trf_data.wordpieces.lengths)) <= POSITIONS
    assert window_setting(nlp).window == 8  # the configured getter is back afterwards
    assert transformer_pipe(nlp).model.attrs["get_spans"].window == 8
