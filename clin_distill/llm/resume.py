"""Attach a teacher's reply cache and request journal, and report what killed runs left behind.

The folder ``<cache_dir>/<teacher>`` holds both (modes 0700/0600). Before this run's journal
opens, the journals are read for killed runs (:func:`clin_distill.llm.journal.interrupted`): the
ledger reports what they were billed for and the requests they had in flight, which this run
sends again (those may be paid twice; the ledger's ``interrupted`` block shows how many and what
the new tries cost).
"""

from __future__ import annotations

from pathlib import Path

from .cache import PromptCache
from .journal import RequestJournal, interrupted
from .rest import RESTModel


def open_cache(model: RESTModel, folder: Path, writer: str = "") -> None:
    """Answer ``model``'s prompts from the cache in ``folder`` and journal every try there."""
    found = interrupted(folder)
    journal = RequestJournal(folder, writer)
    journal.account(found.runs)
    if found.runs:
        model.ledger.note_interrupted(
            runs=len(found.runs),
            billed=found.billed,
            in_flight=found.requests_in_flight,
            keys=frozenset(found.in_flight),
        )
    model.use_cache(PromptCache(folder, writer), journal)
