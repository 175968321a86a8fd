"""A transformer + NER student with random NER weights: the shipped architecture over a tiny backbone,
for timing and packaging tests (its predictions mean nothing)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example

from clin_distill.labels import LABELS
from clin_distill.runtime.windows import ARCHITECTURE, SPAN_GETTER


def untrained_student(
    backbone: str | Path, labels: Sequence[str] = LABELS, window: int = 128, stride: int = 96
) -> Language:
    """``clin_distill.TransformerModel.v1`` over ``backbone`` (wordpiece windows) and an NER listener."""
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "transformer",
        config={
            "model": {
                "@architectures": ARCHITECTURE,
                "name": str(backbone),
                "tokenizer_config": {"use_fast": True},
                "get_spans": {"@span_getters": SPAN_GETTER, "window": window, "stride": stride},
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
