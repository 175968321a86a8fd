"""The student pipeline as the benchmark sees it: its encoder's shape, its tokenizer, its span windows."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example

from ..labels import LABELS
from .flops import EncoderShape

STRIDED = "spacy-transformers.strided_spans.v1"


def transformer_pipe(nlp: Language):
    """The pipeline's spacy-transformers component (the first one)."""
    for _, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None and "get_spans" in model.attrs and model.attrs.get("has_transformer"):
            return pipe
    raise ValueError(f"pipeline {nlp.meta.get('name', '?')} has no loaded transformer component")


def encoder_shape(nlp: Language) -> EncoderShape:
    return EncoderShape.from_config(transformer_pipe(nlp).model.transformer.config)


def wordpiece_counts(nlp: Language, texts: Sequence[str]) -> list[int]:
    """Wordpieces per text under the transformer's tokenizer (no special tokens, no windows)."""
    tokenizer = transformer_pipe(nlp).model.tokenizer
    encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
    return [len(ids) for ids in encoded]


def window_setting(nlp: Language) -> dict:
    """The transformer's configured span getter, e.g. ``{"window": 128, "stride": 96}``."""
    name = next(n for n, p in nlp.pipeline if p is transformer_pipe(nlp))
    getter = dict(nlp.config["components"][name]["model"].get("get_spans", {}))
    return {k: v for k, v in getter.items() if k in ("@span_getters", "window", "stride")}


@contextlib.contextmanager
def strided_windows(nlp: Language, window: int, stride: int) -> Iterator[None]:
    """Temporarily run the transformer over strided spans of ``window`` tokens every ``stride``."""
    model = transformer_pipe(nlp).model
    before = model.attrs["get_spans"]
    model.attrs["get_spans"] = spacy.registry.get("span_getters", STRIDED)(window=window, stride=stride)
    try:
        yield
    finally:
        model.attrs["get_spans"] = before


def untrained_student(
    backbone: str | Path, labels: Sequence[str] = LABELS, window: int = 128, stride: int = 96
):
    """A spacy-transformers + NER pipeline over ``backbone`` with random NER weights (for speed only)."""
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "transformer",
        config={
            "model": {
                "@architectures": "spacy-transformers.TransformerModel.v3",
                "name": str(backbone),
                "tokenizer_config": {"use_fast": True},
                "get_spans": {"@span_getters": STRIDED, "window": window, "stride": stride},
            }
        },
    )
    nlp.add_pipe(
        "ner",
        config={
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": False,
                "tok2vec": {
                    "@architectures": "spacy-transformers.TransformerListener.v1",
                    "grad_factor": 1.0,
                    "pooling": {"@layers": "reduce_mean.v1"},
                },
            }
        },
    )
    sample = nlp.make_doc(" ".join(labels).lower())
    examples = [Example.from_dict(sample, {"entities": [(0, len(labels[0]), labels[0])]})]
    ner = nlp.get_pipe("ner")
    for label in labels:
        ner.add_label(label)
    nlp.initialize(lambda: examples)
    return nlp
