from __future__ import annotations

from pathlib import Path

import pytest

from clin_distill.bench.flops import EncoderShape

MINILM = {"num_hidden_layers": 6, "hidden_size": 384, "intermediate_size": 1536}


def test_minilm_flops_match_a_hand_computation():
    shape = EncoderShape.from_config(MINILM)
    # per layer: Q,K,V,O = 4 * 384*384 weights, FFN = 2 * 384*1536; 2 FLOPs per weight
    per_layer = 2 * (4 * 384 * 384 + 2 * 384 * 1536)
    assert per_layer == 3_538_944
    assert shape.linear_flops_per_wordpiece == 6 * per_layer == 21_233_664
    # attention at L=130: QK^T and AV, each 2*L*h per wordpiece and layer
    assert shape.attention_flops_per_wordpiece(130) == 6 * 2 * 2 * 130 * 384 == 1_198_080
    assert shape.flops_per_wordpiece(130) == 22_431_744


def test_sequence_and_padded_flops_by_hand():
    shape = EncoderShape(layers=2, hidden=4, intermediate=8)
    assert shape.linear_flops_per_wordpiece == 2 * (8 * 16 + 4 * 4 * 8) == 512
    assert shape.sequence_flops(3) == 3 * (512 + 2 * 4 * 3 * 4) + 2 * 16 == 1856
    assert shape.flops([3, 3]) == 2 * 1856
    # a batch [3, 1] is padded to length 3: two sequences of 3
    assert shape.padded_flops([[3, 1]]) == 2 * 1856 > shape.flops([3, 1])


def test_linear_flops_are_two_per_linear_weight_of_a_real_bert(tiny_bert: Path):
    transformers = pytest.importorskip("transformers")
    model = transformers.AutoModel.from_pretrained(tiny_bert)
    shape = EncoderShape.from_config(model.config)
    import torch

    weights = sum(
        m.weight.numel() for n, m in model.encoder.named_modules() if isinstance(m, torch.nn.Linear)
    )
    assert shape.linear_flops_per_wordpiece == 2 * weights
