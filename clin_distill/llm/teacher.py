"""An LLM teacher: a spacy-llm NER task and one of our models, read from a teacher config.

A teacher config is a spaCy config whose ``[components.llm]`` block is a normal spacy-llm
component (task ``spacy.NER.v3``, model ``clin_distill.*``), plus a ``[teacher]`` block
for chunking. ``[paths]`` (``${paths.examples}``, a prompt template) are resolved relative
to the config file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy_llm  # noqa: F401 (registers spacy-llm's tasks and readers)
from spacy.util import load_config, registry

from . import models  # noqa: F401 (registers our models without the entry points installed)
from .guard import check_endpoint
from .models import _RESTModel

TEACHER_DEFAULTS = {"max_chunk_chars": 6000, "overlap_chars": 400, "batch_size": 64}


@dataclass
class LLMTeacher:
    name: str
    task: Any
    model: _RESTModel
    max_chunk_chars: int
    overlap_chars: int
    batch_size: int

    def close(self) -> None:
        self.model.close()


def teacher_config(path: Path, base_url: str | None = None, overrides: dict[str, str] | None = None) -> dict:
    """The config as a dict, ``[paths]`` made absolute (relative to the config file),
    then ``overrides`` (``{"paths.examples": ...}``) and ``base_url`` applied if given."""
    config = load_config(path, interpolate=False)
    fixes = {
        f"paths.{key}": str((path.parent / value).resolve())
        for key, value in config.get("paths", {}).items()
        if isinstance(value, str) and value and not Path(value).is_absolute()
    }
    fixes.update(overrides or {})
    config = load_config(path, overrides=fixes, interpolate=True)
    if base_url:
        config["components"]["llm"]["model"]["base_url"] = base_url
    return config


def endpoint_of(config: dict) -> str:
    return config["components"]["llm"]["model"].get("base_url", "https://api.openai.com/v1")


def load_teacher(
    path: Path,
    *,
    allow_remote: bool,
    base_url: str | None = None,
    overrides: dict[str, str] | None = None,
) -> LLMTeacher:
    """Build the task and model; refuses a non-loopback endpoint (before any request) without opt-in."""
    config = teacher_config(path, base_url, overrides)
    section = config["components"]["llm"]
    check_endpoint(endpoint_of(config), allow_remote)
    model_cfg = {**section["model"], "allow_remote": allow_remote}
    resolved = registry.resolve({"task": section["task"], "model": model_cfg})
    settings = {**TEACHER_DEFAULTS, **config.get("teacher", {})}
    return LLMTeacher(
        name=settings.get("name", path.stem),
        task=resolved["task"],
        model=resolved["model"],
        max_chunk_chars=int(settings["max_chunk_chars"]),
        overlap_chars=int(settings["overlap_chars"]),
        batch_size=int(settings["batch_size"]),
    )
