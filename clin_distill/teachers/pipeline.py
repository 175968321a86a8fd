"""Assemble and initialize a teacher pipeline from its config; record pattern provenance in its meta."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.language import Language
from spacy.util import load_config
from wasabi import msg

from . import variants  # noqa: F401 - registers its factory (also an entry point)
from .abbreviations import AbbreviationLabeler
from .build import abbreviations_path_for, meta_path_for
from .umls import sample_index_path

META_KEY = "clin_distill_teacher"


def assemble_teacher(config_path: str | Path, overrides: dict[str, Any] | None = None) -> Language:
    """Build the pipeline described by ``config_path`` and run its initialization.

    Patterns named in ``[initialize.components.*]`` are loaded here, so the saved teacher
    carries them. A ``.meta.json`` beside ``paths.patterns`` (written by the builders) is
    copied into ``nlp.meta``; an ``.abbreviations.json`` beside it (written by builders that use
    a clinical abbreviation list) becomes the ``known`` list of every abbreviation labeler.
    """
    config = load_config(config_path, overrides=overrides or {}, interpolate=False)
    patterns = config.get("paths", {}).get("patterns")
    if patterns and not Path(patterns).is_file():
        raise FileNotFoundError(
            f"{config_path}: pattern file {patterns} not found (run its build step first)"
        )
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    nlp.initialize()
    teacher_meta: dict[str, Any] = {"config": str(config_path), "overrides": overrides or {}}
    if patterns:
        known_file = abbreviations_path_for(patterns)
        if known_file.is_file():
            known = srsly.read_json(known_file)
            for _, pipe in nlp.pipeline:
                if isinstance(pipe, AbbreviationLabeler):
                    pipe.initialize(known=known)
            teacher_meta["known_abbreviations"] = len(known)
        meta_file = meta_path_for(patterns)
        teacher_meta["patterns"] = str(patterns)
        if meta_file.is_file():
            teacher_meta["vocabulary"] = json.loads(meta_file.read_text(encoding="utf8"))
    nlp.meta[META_KEY] = teacher_meta
    return nlp


def quickumls_overrides(config_path: str | Path, index_path: str, threshold: float | None) -> dict[str, Any]:
    """Config overrides for every ``medspacy_quickumls`` component of a teacher config.

    An empty ``index_path`` selects medspacy's sample index (a handful of concepts: tests only).
    Configs without QuickUMLS get no overrides.
    """
    config = load_config(config_path, interpolate=False)
    names = [n for n, c in config.get("components", {}).items() if c.get("factory") == "medspacy_quickumls"]
    if not names:
        return {}
    overrides: dict[str, Any] = {"paths.quickumls": index_path or str(sample_index_path())}
    if not index_path:
        msg.warn("no QuickUMLS index given: using medspacy's sample index (a few concepts; for tests only)")
    if threshold is not None:
        overrides.update({f"components.{n}.threshold": threshold for n in names})
    return overrides
