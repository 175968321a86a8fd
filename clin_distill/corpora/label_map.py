"""Source label → project label, per dataset (``configs/labels/<dataset>.json``).

Source labels listed under ``ignore`` are dropped and counted; any other unmapped label is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..labels import LABELS
from .reading import CorpusError, where


@dataclass(frozen=True)
class LabelMap:
    """Source label → project label, loaded from ``configs/labels/<dataset>.json``.

    File format: ``{"dataset": str, "map": {source: LABEL}, "ignore": [source, ...], "covers":
    {LABEL: [LABEL, ...]}}``. ``covers`` (optional) names the labels a mapped class also takes in
    (BC5CDR's Disease covers signs and symptoms: ``{"DISEASE": ["SYMPTOM"]}``).
    """

    dataset: str
    mapping: dict[str, str]
    ignore: frozenset[str]
    covers: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> LabelMap:
        """Read and check a label map.

        Raises:
            CorpusError: not a label map, mapping nothing, to an unknown label, or mapping and
                ignoring the same source label.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf8"))
            mapping, ignore = dict(data["map"]), frozenset(data.get("ignore", []))
            covers = {str(k): [str(x) for x in v] for k, v in dict(data.get("covers", {})).items()}
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise CorpusError(f"{path}: not a label map ({type(err).__name__}: {err})") from None
        if not mapping:
            raise CorpusError(
                f"{path}: maps no source label to {list(LABELS)}; the corpus would annotate nothing"
            )
        bad = sorted(set(mapping.values()) - set(LABELS))
        if bad:
            raise CorpusError(f"{path}: unknown target labels {bad}; allowed: {list(LABELS)}")
        both = sorted(ignore & set(mapping))
        if both:
            raise CorpusError(f"{path}: labels both mapped and ignored: {both}")
        covered = {x for others in covers.values() for x in others}
        if set(covers) - set(mapping.values()) or covered & set(mapping.values()) or covered - set(LABELS):
            raise CorpusError(
                f"{path}: covers must map mapped labels to other labels of {list(LABELS)}, got {covers}"
            )
        return cls(str(data.get("dataset", path.stem)), mapping, ignore, covers)

    @property
    def labels(self) -> tuple[str, ...]:
        """The project labels this corpus annotates (every label some source label maps to)."""
        return tuple(label for label in LABELS if label in self.mapping.values())

    def target(self, label: str, source: str, doc_id: str, line: int) -> str | None:
        """The project label for ``label``; None when ignored; an error when unknown."""
        if label in self.mapping:
            return self.mapping[label]
        if label in self.ignore:
            return None
        raise CorpusError(
            f"{where(source, doc_id, line)}: unknown label {label!r} for dataset {self.dataset} "
            "(add it to the label map's 'map' or 'ignore')"
        )
