"""Where a vocabulary comes from: the provenance record each term source writes into the teacher's meta,
and the files that PyPI packages ship (read with ``importlib.resources``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path


@dataclass
class Source:
    """Provenance of one vocabulary, recorded in the teacher's meta."""

    name: str
    package: str
    version: str
    data_version: str
    licence: str
    file: str
    terms: dict[str, int] = field(default_factory=dict)
    notes: str = ""

    def count(self, label: str) -> None:
        """Count one term of ``label``."""
        self.terms[label] = self.terms.get(label, 0) + 1

    def to_dict(self) -> dict:
        """The source's provenance as a dict."""
        return {k: v for k, v in self.__dict__.items()}


def package_file(package: str, *parts: str) -> Path:
    """A data file shipped inside the installed ``package``."""
    return Path(str(resources.files(package).joinpath(*parts)))


def dist_version(dist: str) -> str:
    """The installed version of distribution ``dist``."""
    return metadata.version(dist)
