"""A teacher's cache folder: the append-only reply cache keyed by prompt hash (mode 0600), so a killed
run resumes, opened together with this run's request journal (:func:`open_cache`).

Each answered prompt is appended as one JSON line (``{"key", "reply", "usage"}``) and
flushed as soon as it arrives. Prompts themselves are never stored, only their hash;
replies can quote the note, so the file is private. A torn last line (a run killed while
writing) is skipped on load and counted. Processes sharing a cache folder (Ray actors on a
shared mount) each append to their own file (``replies.<writer>.jsonl``) and read them all.

:func:`open_cache` reads the folder's journals for killed runs (:func:`.journal.interrupted`) before
this run's journal opens: the ledger reports what they were billed for and the requests they had in
flight, which this run sends again (those may be paid twice; the ledger's ``interrupted`` block shows
how many and what the new tries cost).

Calls: :mod:`.journal` (killed runs, this run's journal). spacy-llm's ``BatchCache`` is not used: it
stores whole docs per batch by doc hash in world-readable DocBins, without the model's settings in
the key or the usage a reply was billed, and loses the batch in memory on ``kill -9``.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from ..docio import PRIVATE_MODE
from .journal import RequestJournal, interrupted, torn_last_line
from .ledger import Usage, UsageLedger


def prompt_key(identity: str, prompt: str) -> str:
    """Hash of the model identity (name and generation settings) and the prompt."""
    return hashlib.sha256(f"{identity}\x00{prompt}".encode()).hexdigest()


class PromptCache:
    """Replies by prompt hash in an append-only JSONL file (mode 0600), loaded at open; thread safe."""

    FILE_STEM = "replies"

    def __init__(self, path: str | Path, writer: str = ""):
        self.dir = Path(path)
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.file = self.dir / (f"{self.FILE_STEM}.{writer}.jsonl" if writer else f"{self.FILE_STEM}.jsonl")
        self.torn_lines = 0
        self._entries: dict[str, tuple[str, Usage]] = {}
        self._lock = threading.Lock()
        for file in sorted(self.dir.glob(f"{self.FILE_STEM}*.jsonl")):
            self._load(file)
        fd = os.open(self.file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
        os.chmod(self.file, PRIVATE_MODE)
        self._fh = os.fdopen(fd, "a", encoding="utf8")
        if torn_last_line(self.file):
            self._fh.write("\n")  # end the torn line so the next record stays whole

    def _load(self, file: Path) -> None:
        with file.open(encoding="utf8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    self._entries[rec["key"]] = (rec["reply"], Usage(**rec["usage"]))
                except (json.JSONDecodeError, KeyError, TypeError):
                    self.torn_lines += 1

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> tuple[str, Usage] | None:
        """The cached reply and its usage for ``key``, or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: str, reply: str, usage: Usage) -> None:
        """Append a reply (and the usage it was billed) for ``key``."""
        rec = {"key": key, "reply": reply, "usage": vars(usage)}
        line = json.dumps(rec, ensure_ascii=False)
        with self._lock:
            self._entries[key] = (reply, usage)
            self._fh.write(line + "\n")
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._fh.close()


def open_cache(folder: Path, ledger: UsageLedger, writer: str = "") -> tuple[PromptCache, RequestJournal]:
    """The reply cache in ``folder`` and this run's journal there; killed runs reported in ``ledger``."""
    found = interrupted(folder)
    journal = RequestJournal(folder, writer)
    journal.account(found.runs)
    if found.runs:
        ledger.note_interrupted(
            runs=len(found.runs),
            billed=found.billed,
            in_flight=found.requests_in_flight,
            keys=frozenset(found.in_flight),
        )
    return PromptCache(folder, writer), journal
