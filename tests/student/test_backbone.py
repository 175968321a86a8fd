"""Backbone resolution: auto falls back to the packaged MiniLM offline, uses a cached BioBERT, paths work."""

from __future__ import annotations

import shutil
from pathlib import Path

import huggingface_hub.constants
import pytest

from clin_distill.backbone import (
    DEFAULT_BACKBONE,
    backbone_lowercases,
    fallback_backbone_path,
    resolve_backbone,
)


@pytest.fixture
def empty_offline_hub(monkeypatch, tmp_path: Path) -> Path:
    """No network and an empty Hugging Face cache."""
    cache = tmp_path / "hf_cache"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return cache


def fake_cached_repo(cache: Path, repo: str, model_dir: Path) -> None:
    """Lay ``model_dir`` out as the hub cache does (refs/main -> snapshots/<revision>/...)."""
    root = cache / f"models--{repo.replace('/', '--')}"
    revision = "0" * 40
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text(revision)
    shutil.copytree(model_dir, root / "snapshots" / revision)


def test_auto_falls_back_to_packaged_minilm(empty_offline_hub: Path, capsys) -> None:
    choice = resolve_backbone("auto")
    assert Path(choice.resolved) == fallback_backbone_path()
    assert (Path(choice.resolved) / "model.safetensors").is_file()
    assert choice.requested == "auto"
    assert "fell back" in choice.reason and "HF_HUB_OFFLINE" in choice.reason
    assert "BACKBONE FALLBACK" in capsys.readouterr().out


def test_auto_uses_biobert_from_the_local_cache(empty_offline_hub: Path, tiny_bert: Path) -> None:
    fake_cached_repo(empty_offline_hub, DEFAULT_BACKBONE, tiny_bert)
    choice = resolve_backbone("auto")
    assert choice.resolved == DEFAULT_BACKBONE
    assert "local Hugging Face cache" in choice.reason


def test_named_backbone_that_cannot_load_is_a_clear_error(empty_offline_hub: Path) -> None:
    with pytest.raises(RuntimeError, match="cannot be loaded.*auto"):
        resolve_backbone(DEFAULT_BACKBONE)


def test_unreachable_hub_is_not_loadable(monkeypatch, empty_offline_hub: Path) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE")

    def unreachable(*args, **kwargs):
        raise ConnectionError("no route")

    monkeypatch.setattr(huggingface_hub, "model_info", unreachable)
    choice = resolve_backbone("auto", timeout=0.1)
    assert "hub is unreachable (ConnectionError)" in choice.reason


def test_local_path(tiny_bert: Path) -> None:
    choice = resolve_backbone(str(tiny_bert))
    assert choice.resolved == str(tiny_bert.resolve())
    assert choice.record() == {"requested": str(tiny_bert), "resolved": str(tiny_bert.resolve()),
                               "reason": "local model folder"}  # fmt: skip


def test_local_path_without_weights_is_rejected(tmp_path: Path, tiny_bert: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert, broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(ValueError, match="no weights"):
        resolve_backbone(str(broken))
    with pytest.raises(ValueError, match="not a folder"):
        resolve_backbone(str(tmp_path / "missing"))


def test_casing_follows_the_vocabulary(tmp_path: Path, tiny_bert: Path) -> None:
    from transformers import BertTokenizerFast

    assert backbone_lowercases(str(tiny_bert)) is True
    assert backbone_lowercases(str(fallback_backbone_path())) is True  # MiniLM is uncased
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Aspirin", "aspirin", "the"]))
    cased = tmp_path / "cased"
    BertTokenizerFast(vocab_file=str(vocab), do_lower_case=False).save_pretrained(cased)
    assert backbone_lowercases(str(cased)) is False
