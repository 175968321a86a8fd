"""``failures.json``: the docs a teacher (ontology or LLM) or the combination did not label, per split.

Written beside the labels (``corpus/teachers/<t>/<dataset>/failures.json``,
``corpus/distilled/failures.json``); a listed doc is never scored or trained on as "no entities".
"""

from __future__ import annotations

from pathlib import Path

from .base import FileModel


class Failures(FileModel):
    """``failed``: ``{split: [doc_id, ...]}`` (every split the step labelled, empty lists included).

    ``capped``: ``{split: n}`` for a step asked to label only the first ``n`` docs of a split (the
    local-llm teacher); the other docs of that split were never asked, which is not a stale output.
    """

    SCHEMA = "clin_distill.failures.v2"
    failed: dict[str, list[str]]
    capped: dict[str, int] = {}

    def of(self, split: str) -> set[str]:
        """The doc ids that failed in ``split`` (none for a split not listed)."""
        return set(self.failed.get(split, []))

    @classmethod
    def read_beside(cls, folder: Path) -> Failures | None:
        """``folder/failures.json`` if present (a folder of labels written without failures has none)."""
        path = Path(folder) / "failures.json"
        return cls.read(path) if path.is_file() else None
