"""Forward-pass FLOPs of a BERT-style encoder, from its config.

One multiply-add counts as 2 FLOPs. For a sequence of ``L`` wordpieces (special tokens
included) through ``n`` layers of width ``h`` with feed-forward width ``i``:

* matmuls with weights, per wordpiece and layer: Q, K, V and output projections
  ``4 * 2*h*h`` plus the feed-forward ``2 * 2*h*i``; that is 2 FLOPs per weight of the
  layer's Linear layers, i.e. ~2 x (non-embedding parameters) per wordpiece;
* attention, per wordpiece and layer: scores ``Q K^T`` (``2*L*h``) and the weighted sum of
  values (``2*L*h``): ``4*L*h``, which grows with the sequence length;
* per sequence: the pooler (``2*h*h``, on [CLS] only; spacy-transformers runs it).

Embedding look-ups, layer norms, softmax, GELU and biases are O(h) per wordpiece and left out
(under 1% for h >= 256). So a sequence costs ``L*n*(8h^2 + 4hi) + 4*n*L^2*h + 2h^2``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class EncoderShape:
    """Layers, hidden and intermediate sizes of a BERT-style encoder, and its FLOPs (module docstring)."""

    layers: int
    hidden: int
    intermediate: int

    @classmethod
    def from_config(cls, config: Mapping | object) -> EncoderShape:
        """From a Hugging Face config (object or dict) with BERT field names."""
        get = config.get if isinstance(config, Mapping) else lambda k: getattr(config, k)
        return cls(int(get("num_hidden_layers")), int(get("hidden_size")), int(get("intermediate_size")))

    @property
    def linear_flops_per_wordpiece(self) -> int:
        """FLOPs per wordpiece of the Linear layers (all layers), independent of the sequence length."""
        h, i = self.hidden, self.intermediate
        return self.layers * (4 * 2 * h * h + 2 * 2 * h * i)

    def attention_flops_per_wordpiece(self, seq_len: int) -> int:
        """FLOPs per wordpiece of attention (scores and weighted sum) for a sequence of ``seq_len``."""
        return self.layers * 4 * seq_len * self.hidden

    def flops_per_wordpiece(self, seq_len: int) -> int:
        """FLOPs per wordpiece in a sequence of ``seq_len`` (pooler excluded)."""
        return self.linear_flops_per_wordpiece + self.attention_flops_per_wordpiece(seq_len)

    def sequence_flops(self, seq_len: int) -> int:
        """FLOPs of one sequence of ``seq_len`` wordpieces, pooler included."""
        return seq_len * self.flops_per_wordpiece(seq_len) + 2 * self.hidden * self.hidden

    def flops(self, seq_lens: Iterable[int]) -> int:
        """Total FLOPs of running sequences of these lengths (no padding)."""
        return sum(self.sequence_flops(n) for n in seq_lens)

    def padded_flops(self, batches: Iterable[list[int]]) -> int:
        """FLOPs actually spent when each batch is padded to its longest sequence."""
        return sum(len(b) * self.sequence_flops(max(b)) for b in batches if b)
