"""What each actor loads and runs on a batch of notes.

A :class:`ModelSource` names an installed package, a model folder or a teacher ``.cfg``. An LLM
teacher config (a spacy-llm ``llm`` component) runs through the same labelling path as teach-llm
(:class:`TeacherLabeller`: chunking, grounding, reply cache, request journal, failure marks, ledger);
any other config is assembled and initialized as the teach step does; a package or folder is loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..llm.cache import PromptCache
from ..llm.journal import RequestJournal
from ..llm.labeling import label_docs
from ..llm.ledger import UsageLedger
from ..llm.teacher import LLMTeacher, load_teacher, teacher_settings
from .input import InputError
from .options import RunOptions
from .output import assertion_flags


class PipelineLabeller:
    """A spaCy pipeline: ``nlp.pipe`` over the texts; nothing is paid for."""

    paid = False

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.flags = assertion_flags(nlp)

    def label(self, texts: list[str], batch_size: int) -> list[Doc]:
        # Long notes are labelled whole, never dropped (the transformer reads strided windows).
        """Run the pipeline over ``texts``; docs in input order."""
        self.nlp.max_length = max([self.nlp.max_length, *(len(t) + 1 for t in texts)])
        return list(self.nlp.pipe(texts, batch_size=batch_size))

    @contextlib.contextmanager
    def shard(self) -> Iterator[UsageLedger | None]:
        """A shard's ledger: none, a pipeline is not paid for."""
        yield None

    def close(self) -> None:
        """Nothing to release."""
        pass


class TeacherLabeller:
    """An LLM teacher through teach-llm's labelling path. Each shard gets a fresh ledger and its
    own journal run, closed as finished only when the shard's outputs were written."""

    paid = True
    flags: frozenset[str] = frozenset()

    def __init__(self, teacher: LLMTeacher, cache_dir: Path, writer: str):
        self.teacher = teacher
        self.folder = cache_dir / teacher.name
        self.writer = writer
        self.cache = PromptCache(self.folder, writer)
        teacher.model.use_cache(self.cache)

    def label(self, texts: list[str], batch_size: int) -> list[Doc]:
        """Label ``texts`` through teach-llm's path; failed docs carry their failure mark."""
        return list(label_docs(self.teacher, [self.teacher.make_doc(t) for t in texts]))

    @contextlib.contextmanager
    def shard(self) -> Iterator[UsageLedger | None]:
        """A fresh ledger and journal run for one shard, closed as finished only without an error."""
        model = self.teacher.model
        ledger = model.reset_ledger()
        journal = RequestJournal(self.folder, self.writer)
        model.use_cache(self.cache, journal)
        finished = False
        try:
            yield ledger
            finished = True
        finally:
            model.use_cache(self.cache)
            journal.close(finished)

    def close(self) -> None:
        """Close the teacher's model, its cache and journal."""
        self.teacher.close()


@dataclass(frozen=True)
class ModelSource:
    """What each actor loads: an installed package, a model folder, or a teacher ``.cfg``."""

    source: str
    overrides: dict[str, Any] = field(default_factory=dict)
    code: str | None = None

    @property
    def is_config(self) -> bool:
        """Whether the source is a config file (a teacher), not a package or model folder."""
        return self.source.endswith(".cfg") and Path(self.source).is_file()

    def _raw_config(self) -> dict:
        return spacy.util.load_config(self.source, interpolate=False)

    @property
    def is_llm_teacher(self) -> bool:
        """A config whose ``llm`` component is spacy-llm's (an LLM teacher config)."""
        return (
            self.is_config and self._raw_config().get("components", {}).get("llm", {}).get("factory") == "llm"
        )

    def teacher_name(self) -> str:
        """The teacher's name from its config's ``[teacher]`` block (default: the file stem)."""
        return teacher_settings(Path(self.source), self._raw_config())["name"]

    def load(self, options: RunOptions, writer: str = "") -> PipelineLabeller | TeacherLabeller:
        """Load the labeller (a ``.cfg`` is assembled and initialized as the teach step does)."""
        if self.code:
            spacy.util.import_file("clin_distill_user_code", self.code)
        if self.is_llm_teacher:
            path = Path(self.source)
            teacher = load_teacher(path, allow_remote=options.allow_remote, overrides=self.overrides)
            return TeacherLabeller(teacher, Path(options.llm_cache), writer)
        if self.is_config:
            config = spacy.util.load_config(self.source, overrides=self.overrides, interpolate=False)
            nlp = spacy.util.load_model_from_config(config, auto_fill=True)
            nlp.initialize()
            return PipelineLabeller(nlp)
        return PipelineLabeller(spacy.load(self.source, config=self.overrides))

    def absolute(self) -> ModelSource:
        """The same source with local paths made absolute, for actors with another working folder."""
        source = str(Path(self.source).resolve()) if Path(self.source).exists() else self.source
        code = str(Path(self.code).resolve()) if self.code else None
        return ModelSource(source=source, overrides=self.overrides, code=code)

    def with_overrides(self, **overrides: Any) -> ModelSource:
        """The same source with config ``overrides`` added."""
        return ModelSource(source=self.source, overrides={**self.overrides, **overrides}, code=self.code)

    def _teacher_files(self) -> list[Path]:
        """The files an LLM teacher config reads ([paths], the price table): editing them counts."""
        path = Path(self.source)
        config = self._raw_config()
        named = [v for v in config.get("paths", {}).values() if isinstance(v, str) and v]
        named.append(config.get("teacher", {}).get("prices") or "")
        return [f for f in (path.parent / n for n in named if n) if f.is_file()]

    def identity(self) -> tuple[str, str, str]:
        """(name, version, fingerprint), read without loading weights. The fingerprint
        changes when the model does, so a rerun recomputes shards made by another model."""
        digest = hashlib.sha256(json.dumps(self.overrides, sort_keys=True).encode())
        if self.is_config:
            data = Path(self.source).read_bytes()
            digest.update(data)
            for file in self._teacher_files() if self.is_llm_teacher else []:
                digest.update(file.read_bytes())
            return f"teacher:{Path(self.source).stem}", hashlib.sha256(data).hexdigest()[:12], _hex(digest)
        path = Path(self.source)
        if not (path / "meta.json").is_file():
            try:
                path = spacy.util.get_package_path(self.source)
            except (ImportError, ModuleNotFoundError):
                raise InputError(
                    f"model {self.source!r} is neither a .cfg file, a model folder nor an installed package"
                ) from None
        meta = spacy.util.load_meta(path / "meta.json")
        digest.update((path / "meta.json").read_bytes())
        if (path / "config.cfg").is_file():
            digest.update((path / "config.cfg").read_bytes())
        name = f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}"
        return name, str(meta.get("version", "0.0.0")), _hex(digest)


def _hex(digest: Any) -> str:
    return digest.hexdigest()[:16]
