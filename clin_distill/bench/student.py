"""The student pipeline as the benchmark sees it: its encoder's shape, its tokenizer, its span windows."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from spacy.language import Language

from ..runtime.windows import make_wordpiece_windows
from ..stepfiles.benchmark import WindowSetting
from .flops import EncoderShape


def transformer_pipe(nlp: Language):
    """The pipeline's spacy-transformers component (the first one)."""
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None and "get_spans" in model.attrs and model.attrs.get("has_transformer"):
            return pipe
    raise ValueError(f"pipeline {nlp.meta.get('name', '?')} has no loaded transformer component")


def encoder_shape(nlp: Language) -> EncoderShape:
    """Layers, hidden and intermediate sizes of the pipeline's encoder."""
    return EncoderShape.from_config(transformer_pipe(nlp).model.transformer.config)


def wordpiece_counts(nlp: Language, texts: Sequence[str]) -> list[int]:
    """Wordpieces per text under the transformer's tokenizer (no special tokens, no windows)."""
    tokenizer = transformer_pipe(nlp).model.tokenizer
    encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
    return [len(ids) for ids in encoded]


def window_setting(nlp: Language) -> WindowSetting:
    """The transformer's configured span getter, e.g. ``clin_distill.wordpiece_windows.v1`` 128/96."""
    name = next(n for n, p in nlp.pipeline if p is transformer_pipe(nlp))
    getter = dict(nlp.config["components"][name]["model"].get("get_spans", {}))
    return WindowSetting.model_validate(
        {k: v for k, v in getter.items() if k in ("@span_getters", "window", "stride")}
    )


@contextlib.contextmanager
def wordpiece_windows(nlp: Language, window: int, stride: int) -> Iterator[None]:
    """Temporarily run the transformer over ``window`` tokens every ``stride`` tokens with the shipped
    span getter (``clin_distill.wordpiece_windows.v1``): windows that do not fit the encoder are
    shortened, so no setting truncates a note."""
    model = transformer_pipe(nlp).model
    before = model.attrs["get_spans"]
    getter = make_wordpiece_windows(window, stride)
    getter.bind(model)
    model.attrs["get_spans"] = getter
    try:
        yield
    finally:
        model.attrs["get_spans"] = before
