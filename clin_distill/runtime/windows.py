"""Transformer windows that always fit the encoder, so no token of a note goes unseen.

spacy-transformers' ``strided_spans.v1`` cuts a doc into windows of ``window`` spaCy tokens every
``stride`` tokens. A window's wordpieces are not bounded: lab tables, long numbers and clinical words
split into many pieces, and a window over the encoder's limit is cut by spacy-transformers (its tail
tokens get no features; only a one-time warning is printed).

``clin_distill.wordpiece_windows.v1`` makes the same windows, then shortens any window whose text has
more wordpieces than the encoder takes (counted with the transformer's own tokenizer), and moves on by
``stride / window`` of the shortened window, so neighbouring windows still overlap and every token is in
a window that fits. Ordinary notes get exactly the strided windows. One spaCy token with more pieces
than the limit on its own (say a 600-character run of dashes) gets a window of its own; only that
token's tail is cut.

The span getter counts pieces with the tokenizer of the transformer it serves, so it is bound to the
model by the architecture ``clin_distill.TransformerModel.v1`` (spacy-transformers'
``TransformerModel.v3`` plus that binding; the tokenizer is read at each call, so a model loaded from
disk is used). Limit = min(tokenizer ``model_max_length``, encoder ``max_position_embeddings``)
including the special tokens.

Worker processes: ``nlp.pipe(texts, n_process=N)`` forks workers on Linux, and a worker forked from a
process whose torch already ran a parallel region hangs in its first one (explosion/spaCy#6662). Each
process forked after this module is imported runs torch on one thread, so N workers use N cores.
Self-contained (shipped inside the packaged model): imports only spaCy, spacy-transformers, thinc and
torch.
"""

import os
from collections.abc import Callable
from typing import Any

import torch
from spacy.tokens import Doc, Span
from spacy_transformers.data_classes import FullTransformerBatch
from spacy_transformers.layers import TransformerModel
from thinc.api import Model

try:
    from .registration import register_function
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_function

SPAN_GETTER = "clin_distill.wordpiece_windows.v1"
ARCHITECTURE = "clin_distill.TransformerModel.v1"

__all__ = ["ARCHITECTURE", "SPAN_GETTER", "WordpieceWindows", "fitting_windows", "make_transformer_model"]


def _fit(doc: Doc, start: int, end: int, fits: Callable[[str], bool]) -> int:
    """The largest ``e`` in ``(start, end]`` whose window ``doc[start:e]`` fits (``start + 1`` if none)."""
    if fits(doc[start:end].text):
        return end
    low, high = start + 1, end - 1  # doc[start:low] is the fallback; search for a longer fitting window
    best = start + 1
    while low <= high:
        mid = (low + high) // 2
        if fits(doc[start:mid].text):
            best, low = mid, mid + 1
        else:
            high = mid - 1
    return best


def fitting_windows(
    doc: Doc, window: int, stride: int, fits: Callable[[str], bool], first: Callable[[list[str]], list[bool]]
) -> list[Span]:
    """Strided windows of ``doc``, each shortened until ``fits(text)``; ``first`` checks the plain
    strided windows in one batch (when all fit, they are the answer)."""
    n = len(doc)
    strided, start = [], 0
    while start < n:
        strided.append(doc[start : min(start + window, n)])
        if start + window >= n:
            break
        start += stride
    if all(first([span.text for span in strided])):
        return strided
    out, start = [], 0
    while start < n:
        end = _fit(doc, start, min(start + window, n), fits)
        out.append(doc[start:end])
        if end >= n:
            break
        start += max(1, (end - start) * stride // window)
    return out


class WordpieceWindows:
    """The span getter: strided windows that fit the bound transformer's wordpiece limit."""

    def __init__(self, window: int, stride: int) -> None:
        if not 1 <= stride <= window:
            raise ValueError(
                f"{SPAN_GETTER} needs 1 <= stride <= window (got window={window}, stride={stride})"
            )
        self.window, self.stride = window, stride
        self.model: Any = None

    def bind(self, model: Any) -> None:
        """Count wordpieces with ``model.tokenizer`` (a spacy-transformers TransformerModel)."""
        self.model = model

    def budget(self) -> tuple[Any, int]:
        """The tokenizer and the most wordpieces a window's text may have (special tokens excluded)."""
        if self.model is None:
            raise RuntimeError(
                f"{SPAN_GETTER} counts wordpieces with the transformer's tokenizer: use it in {ARCHITECTURE}"
            )
        tokenizer = self.model.tokenizer
        limit = tokenizer.model_max_length
        config = getattr(self.model.transformer, "config", None)
        positions = getattr(config, "max_position_embeddings", None)
        if positions:
            limit = min(limit, positions)
        return tokenizer, limit - tokenizer.num_special_tokens_to_add(pair=False)

    def __call__(self, docs: list[Doc]) -> list[list[Span]]:
        """The windows of each doc (see :func:`fitting_windows`)."""
        tokenizer, budget = self.budget()

        def counts(texts: list[str]) -> list[int]:
            if not texts:
                return []
            encoded = tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)
            return [len(ids) for ids in encoded["input_ids"]]

        def first(texts: list[str]) -> list[bool]:
            return [n <= budget for n in counts(texts)]

        def fits(text: str) -> bool:
            return counts([text])[0] <= budget

        return [fitting_windows(doc, self.window, self.stride, fits, first) for doc in docs]


def make_wordpiece_windows(window: int, stride: int) -> WordpieceWindows:
    """Windows of ``window`` spaCy tokens every ``stride`` tokens, shortened to fit the encoder."""
    return WordpieceWindows(window, stride)


def make_transformer_model(
    name: str,
    get_spans: Callable,
    tokenizer_config: dict | None = None,
    transformer_config: dict | None = None,
    mixed_precision: bool = False,
    grad_scaler_config: dict | None = None,
) -> Model[list[Doc], FullTransformerBatch]:
    """spacy-transformers' TransformerModel.v3, with a span getter that has ``bind`` bound to it."""
    model = TransformerModel(
        name,
        get_spans,
        tokenizer_config or {},
        transformer_config or {},
        mixed_precision,
        grad_scaler_config or {},
    )
    if hasattr(get_spans, "bind"):
        get_spans.bind(model)
    return model


def _one_torch_thread() -> None:
    torch.set_num_threads(1)


os.register_at_fork(after_in_child=_one_torch_thread)
register_function("span_getters", SPAN_GETTER, make_wordpiece_windows)
register_function("architectures", ARCHITECTURE, make_transformer_model)
