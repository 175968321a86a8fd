"""An LLM teacher from its config: everything the labelling path needs, set up before the first doc.

A teacher config is a spaCy config whose ``[components.llm]`` block is a normal spacy-llm
component (task ``spacy.NER.v3``, model ``clin_distill.*``), plus a ``[teacher]`` block for the
labelling path: chunking, batch size, the reply size cap, and ``prices``, the price table
(``configs/prices.cfg``) whose ``[llm.<teacher name>]`` entry prices a paid teacher.
``[paths]`` (few-shot examples, a prompt template) and ``prices`` are resolved relative to the
config file, never to the working folder.

Two steps, in this order: :func:`read_teacher` reads and checks the config without building
anything (the PHI guard refuses a remote endpoint without opt-in first, then the model name and
the prices are checked), and :meth:`TeacherSpec.build` resolves spacy-llm's task and our model from
it. :meth:`LLMTeacher.open_cache` then attaches the teacher's cache folder. :func:`load_teacher` is
both steps at once.

Calls: :mod:`.guard` (the endpoint, once), :mod:`clin_distill.stepfiles.prices`, spaCy's registry
(spacy-llm's task; our model, :mod:`.models`), :mod:`.cache` (the cache folder).
spacy-llm's ``llm`` component is not run: its parser and shard reducer turn a failed or unreadable
reply into a doc without entities, where the labelling path (:mod:`.labeling`) marks the doc failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
import spacy_llm  # noqa: F401 (registers spacy-llm's tasks and readers)
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import load_config, registry

from ..stepfiles.prices import load_prices
from . import models  # noqa: F401 (registers our models without the entry points installed)
from .cache import open_cache
from .guard import check_endpoint
from .rest import RESTModel
from .transport import DEFAULT_MAX_REPLY_BYTES

TEACHER_DEFAULTS = {
    "max_chunk_chars": 6000,
    "overlap_chars": 400,
    "batch_size": 64,
    "max_reply_bytes": DEFAULT_MAX_REPLY_BYTES,
}
PRICE_FIELDS = ("input_price_per_1m", "output_price_per_1m")


@dataclass
class LLMTeacher:
    """A loaded LLM teacher: spacy-llm's task and our model, and how notes are chunked and batched."""

    name: str
    task: Any
    model: RESTModel
    max_chunk_chars: int
    overlap_chars: int
    batch_size: int
    lang: str = "en"
    _tokenizer: Language | None = field(default=None, repr=False)

    def make_doc(self, text: str) -> Doc:
        """Tokenize a raw note the way the teacher's pipeline would (its ``[nlp]`` language)."""
        if self._tokenizer is None:
            self._tokenizer = spacy.blank(self.lang)
        return self._tokenizer.make_doc(text)

    def open_cache(self, cache_dir: Path, writer: str = "") -> None:
        """Answer from the reply cache in ``cache_dir/<name>`` and journal every try there; killed
        earlier runs found in its journals are reported in this run's ledger."""
        self.model.use_cache(*open_cache(cache_dir / self.name, self.model.ledger, writer))

    def close(self, finished: bool = True) -> None:
        """Release the model; ``finished`` False if its usage was not saved (see RESTModel.close)."""
        self.model.close(finished)


def teacher_config(
    path: Path,
    base_url: str | None = None,
    overrides: dict[str, Any] | None = None,
    model_name: str | None = None,
) -> dict:
    """The config as a dict, ``[paths]`` made absolute (relative to the config file), then
    ``overrides`` (``{"paths.examples": ...}``), ``base_url`` and ``model_name`` applied if given."""
    config = load_config(path, interpolate=False)
    fixes: dict[str, Any] = {
        f"paths.{key}": str((path.parent / value).resolve())
        for key, value in config.get("paths", {}).items()
        if isinstance(value, str) and value and not Path(value).is_absolute()
    }
    fixes.update(overrides or {})
    config = load_config(path, overrides=fixes, interpolate=True)
    model = config["components"]["llm"]["model"]
    if base_url:
        model["base_url"] = base_url
    if model_name:
        model["name"] = model_name
    return config


def endpoint_of(config: dict) -> str:
    """The base URL a teacher config's model calls."""
    return config["components"]["llm"]["model"].get("base_url", "https://api.openai.com/v1")


def teacher_settings(path: Path, config: dict) -> dict[str, Any]:
    """The ``[teacher]`` block with defaults; ``name`` defaults to the file stem."""
    return {**TEACHER_DEFAULTS, "name": path.stem, **config.get("teacher", {})}


def list_prices(path: Path, settings: dict[str, Any], model: dict[str, Any]) -> dict[str, float]:
    """The model's prices from the price table the ``[teacher]`` block names (none: the model's own)."""
    if not settings.get("prices"):
        return {}
    if any(key in model for key in PRICE_FIELDS):
        raise ValueError(f"{path.name}: prices come from [teacher] prices; remove them from the model block")
    table = path.parent / settings["prices"]
    entry = load_prices(table).llm.get(settings["name"])
    if entry is None:
        raise ValueError(f"{table}: no [llm.{settings['name']}] entry for teacher {settings['name']!r}")
    if entry.model is not None and entry.model != model.get("name"):
        raise ValueError(
            f"{table}: [llm.{settings['name']}] prices model {entry.model!r}, "
            f"but the teacher calls {model.get('name')!r}"
        )
    return {"input_price_per_1m": entry.input_per_1m, "output_price_per_1m": entry.output_per_1m}


@dataclass(frozen=True)
class TeacherSpec:
    """A teacher config read and checked, nothing built yet: its ``[teacher]`` settings, spacy-llm's
    task block and the model block with its prices and the opt-in filled in."""

    settings: dict[str, Any]
    task: dict[str, Any]
    model: dict[str, Any]
    lang: str

    @property
    def name(self) -> str:
        """The teacher's name (its outputs, metrics and cache folder are named after it)."""
        return self.settings["name"]

    def build(self) -> LLMTeacher:
        """Resolve spacy-llm's task and our model (the model's client guards every connection)."""
        resolved = registry.resolve({"task": self.task, "model": self.model})
        model = resolved["model"]
        model.limit_reply_bytes(int(self.settings["max_reply_bytes"]))
        return LLMTeacher(
            name=self.name,
            task=resolved["task"],
            model=model,
            max_chunk_chars=int(self.settings["max_chunk_chars"]),
            overlap_chars=int(self.settings["overlap_chars"]),
            batch_size=int(self.settings["batch_size"]),
            lang=self.lang,
        )


def read_teacher(
    path: Path,
    *,
    allow_remote: bool,
    base_url: str | None = None,
    overrides: dict[str, Any] | None = None,
    model_name: str | None = None,
) -> TeacherSpec:
    """Read and check a teacher config, sending nothing: a non-loopback endpoint is refused without
    opt-in (before anything else), then a missing model name and the prices are errors."""
    config = teacher_config(path, base_url, overrides, model_name)
    check_endpoint(endpoint_of(config), allow_remote)
    section = config["components"]["llm"]
    settings = teacher_settings(path, config)
    if not section["model"].get("name"):
        raise ValueError(
            f"teacher {settings['name']!r} names no model: set the name your server serves "
            "(the local teacher: --local-model, weasel: --vars.local_model)"
        )
    prices = list_prices(path, settings, section["model"])
    return TeacherSpec(
        settings=settings,
        task=section["task"],
        model={**section["model"], **prices, "allow_remote": allow_remote},
        lang=config.get("nlp", {}).get("lang", "en"),
    )


def load_teacher(
    path: Path,
    *,
    allow_remote: bool,
    base_url: str | None = None,
    overrides: dict[str, Any] | None = None,
    model_name: str | None = None,
) -> LLMTeacher:
    """:func:`read_teacher` then :meth:`TeacherSpec.build`: refuses a non-loopback endpoint (before
    any request) without opt-in."""
    settings = {"base_url": base_url, "overrides": overrides, "model_name": model_name}
    return read_teacher(path, allow_remote=allow_remote, **settings).build()
