"""The base of every typed file: a versioned ``schema`` name, strict fields, one way in and out.

A file passed between weasel steps is written with :meth:`FileModel.write` and read with
:meth:`FileModel.read`, never as a bare dict: the reader checks the ``schema`` name first (a file
from an older clin-distill, or another file put in its place, is a one-line error naming the file
and both schema names), then every field. Changing a file's fields means a new schema version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..docio import atomic_path


class FileFormatError(ValueError):
    """A file between steps is absent, not JSON, of another schema, or has a wrong field (one line)."""


class Record(BaseModel):
    """A part of a typed file: unknown keys are errors; computed fields are written, never read back."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        if isinstance(data, dict) and cls.model_computed_fields:
            return {k: v for k, v in data.items() if k not in cls.model_computed_fields}
        return data


class FileModel(Record):
    """A JSON file passed between steps. Subclasses set ``SCHEMA`` (``clin_distill.<name>.v<n>``)."""

    SCHEMA: ClassVar[str]
    schema_name: str = Field(default="", alias="schema")

    @model_validator(mode="before")
    @classmethod
    def _stamp_schema(cls, data: Any) -> Any:
        """A model built in code carries its schema; one read from a file must already name it."""
        if isinstance(data, dict) and "schema" not in data and "schema_name" not in data:
            return {"schema": cls.SCHEMA, **data}
        return data

    @model_validator(mode="after")
    def _check_schema(self) -> Self:
        if self.schema_name != self.SCHEMA:
            raise ValueError(f"schema {self.schema_name!r} is not {self.SCHEMA!r}")
        return self

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to disk (``schema`` first)."""
        data = self.model_dump(mode="json", by_alias=True)
        return {"schema": data.pop("schema"), **data}

    def write(self, path: str | Path, private: bool = False) -> Path:
        """Write atomically (mode 0600 when ``private``); returns ``path``."""
        path = Path(path)
        with atomic_path(path, private=private) as tmp:
            tmp.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf8")
        return path

    @classmethod
    def read(cls, path: str | Path) -> Self:
        """Read and check ``path``.

        Raises:
            FileFormatError: the file is absent, not JSON, names another schema (e.g. written by an
                older clin-distill: rerun the step that writes it), or a field is missing or wrong.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf8"))
        except FileNotFoundError:
            raise FileFormatError(f"{path}: not found (run the step that writes it)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise FileFormatError(f"{path}: not a JSON file ({type(err).__name__})") from None
        found = data.get("schema") if isinstance(data, dict) else None
        if found != cls.SCHEMA:
            raise FileFormatError(
                f"{path}: schema {found!r}, expected {cls.SCHEMA!r} "
                "(written by another clin-distill version? rerun the step that writes it)"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(top level)"
            raise FileFormatError(f"{path}: {cls.SCHEMA} field {where}: {first['msg']}") from None
