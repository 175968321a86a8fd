"""Shared fixtures: the offline corpora mirror and a tiny BERT backbone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.tiny_bert import build_tiny_bert

REPO = Path(__file__).resolve().parents[1]


def mirror_dir() -> Path | None:
    """The asset mirror: $CLIN_DISTILL_ASSET_MIRROR, else ../shared/assets beside the repo."""
    env = os.environ.get("CLIN_DISTILL_ASSET_MIRROR")
    path = Path(env) if env else REPO.parent / "shared" / "assets"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def asset_mirror() -> Path:
    path = mirror_dir()
    if path is None:
        pytest.skip("no asset mirror (set CLIN_DISTILL_ASSET_MIRROR or lay ../shared/assets)")
    return path


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"))
