"""int8 inference for spacy-transformers pipelines: dynamic quantization of the transformer's Linear layers.

Self-contained on purpose (imports only spaCy and torch): the file ships inside the packaged
model (``spacy package --code``) as well as in ``clin_distill``.

Two ways to use it:

* the pipeline component ``clin_distill_int8`` (place it after the transformer)::

      [components.int8]
      factory = "clin_distill_int8"
      enabled = true

  It quantizes the transformer when the pipeline is loaded (``spacy.load``: its ``from_disk`` /
  ``from_bytes`` run after the transformer's), at ``nlp.initialize``, or, when it was added to a
  live pipeline, before its first call. Switch a saved pipeline's component on with
  ``spacy.load(path, config={"components": {"<its name>": {"enabled": True}}})``; the environment
  variable ``CLIN_DISTILL_INT8`` (``1`` or ``0``) overrides ``enabled`` at load time. Never enable
  it in a pipeline you go on training: quantized layers have no gradients.
* ``quantize_pipeline(nlp)``: quantize every transformer of a loaded pipeline in place.

Weights are quantized per output channel, symmetric, to [-127, 127] (``torch.ao.quantization.
quantize_dynamic``; activations are quantized on the fly per batch). Saving a quantized pipeline
stores the dequantized weights in the usual fp32 layout, so it loads anywhere; with that range,
quantizing those weights again yields the very same int8 weights, so save/load round-trips exactly.
"""

import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import srsly
import torch
from spacy.language import Language
from spacy.tokens import Doc

try:
    from .registration import register_factory
except ImportError:  # `spacy package` imports each --code file on its own, outside any package
    from clin_distill.runtime.registration import register_factory

FACTORY = "clin_distill_int8"
ENV_OVERRIDE = "CLIN_DISTILL_INT8"
_MARK = "_clin_distill_int8"


def _qconfig(per_channel: bool):
    from torch.ao.quantization import (
        MinMaxObserver,
        PerChannelMinMaxObserver,
        QConfig,
        default_dynamic_quant_observer,
    )

    if per_channel:
        weight = PerChannelMinMaxObserver.with_args(
            dtype=torch.qint8, qscheme=torch.per_channel_symmetric, quant_min=-127, quant_max=127
        )
    else:
        weight = MinMaxObserver.with_args(
            dtype=torch.qint8, qscheme=torch.per_tensor_symmetric, quant_min=-127, quant_max=127
        )
    return QConfig(activation=default_dynamic_quant_observer, weight=weight)


def _dequantized_state(module: torch.nn.Module, state: dict, prefix: str, local_metadata: dict) -> None:
    """state_dict hook: write quantized Linear layers back as fp32 ``weight``/``bias`` entries."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    for name, sub in module.named_modules():
        if not isinstance(sub, DynamicLinear):
            continue
        stem = f"{prefix}{name}."
        for key in [k for k in state if k.startswith(stem) and k[len(stem) :].split(".")[0] in _QKEYS]:
            del state[key]
        weight, bias = sub._weight_bias()
        state[stem + "weight"] = weight.dequantize()
        if bias is not None:
            state[stem + "bias"] = bias.detach().clone()


_QKEYS = {"scale", "zero_point", "_packed_params"}


def is_quantized(module: torch.nn.Module) -> bool:
    """Whether ``module`` was quantized by this component."""
    return bool(getattr(module, _MARK, False))


def quantize_module(module: torch.nn.Module, per_channel: bool = True) -> int:
    """Quantize ``module``'s ``torch.nn.Linear`` layers in place; returns how many were replaced."""
    if is_quantized(module):
        return 0
    from torch.ao.quantization import quantize_dynamic

    n_linear = sum(isinstance(m, torch.nn.Linear) for m in module.modules())
    module.eval()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*torch\.ao\.quantization is deprecated.*")
        warnings.filterwarnings("ignore", message=r".*quantized tensor creation functions.*")
        quantize_dynamic(module, {torch.nn.Linear: _qconfig(per_channel)}, inplace=True)
    module._register_state_dict_hook(_dequantized_state)
    setattr(module, _MARK, True)
    return n_linear


def transformer_modules(nlp: Language) -> dict[str, torch.nn.Module]:
    """The loaded torch models of a pipeline's transformer components, by component name."""
    found = {}
    for name, pipe in nlp.pipeline:
        module = _torch_model(pipe)
        if module is not None:
            found[name] = module
    return found


def _torch_model(pipe) -> torch.nn.Module | None:
    model = getattr(pipe, "model", None)
    if model is None or not model.attrs.get("has_transformer", False):
        return None
    for layer in model.walk():
        for shim in layer.shims:
            module = getattr(shim, "_model", None)
            if isinstance(module, torch.nn.Module):
                return module
    return None


def quantize_pipeline(nlp: Language, per_channel: bool = True) -> int:
    """Quantize every loaded transformer of ``nlp`` in place; returns the number of Linear layers replaced."""
    return sum(quantize_module(m, per_channel) for m in transformer_modules(nlp).values())


def env_enabled(default: bool) -> bool:
    """Whether int8 is on: CLIN_DISTILL_INT8 if set (1/true/on or 0/false/off), else ``default``."""
    value = os.environ.get(ENV_OVERRIDE, "").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    return default


class Int8Quantizer:
    """Pipeline component that switches the pipeline's transformer(s) to int8 (see module docstring)."""

    def __init__(self, nlp: Language, name: str, enabled: bool, per_channel: bool):
        self.nlp = nlp
        self.name = name
        self.enabled = env_enabled(enabled)
        self.per_channel = per_channel
        self.n_quantized = 0

    def apply(self) -> int:
        """Quantize the transformers that are loaded and not yet quantized (when enabled)."""
        if self.enabled:
            self.n_quantized += quantize_pipeline(self.nlp, self.per_channel)
        return self.n_quantized

    def __call__(self, doc: Doc) -> Doc:
        """Quantize if not yet done, then pass ``doc`` on unchanged."""
        self.apply()
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        """Quantize if not yet done, then pass the docs on unchanged."""
        self.apply()
        yield from stream

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        """Quantize the initialized transformer (when enabled)."""
        self.apply()

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """The component's settings (the weights are the transformer's)."""
        return srsly.msgpack_dumps({"per_channel": self.per_channel})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Int8Quantizer":
        """Read the settings and quantize (when enabled)."""
        self.apply()
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the settings to ``path/cfg.json``."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "cfg.json", {"per_channel": self.per_channel})

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "Int8Quantizer":
        """Read the settings and quantize (when enabled)."""
        self.apply()
        return self


def make_int8(nlp: Language, name: str, enabled: bool, per_channel: bool) -> Int8Quantizer:
    """The ``clin_distill_int8`` component (``enabled``: quantize at load; per-channel or per-tensor)."""
    return Int8Quantizer(nlp, name, enabled=enabled, per_channel=per_channel)


register_factory(FACTORY, make_int8, default_config={"enabled": True, "per_channel": True})
