"""Request journal: every try of every prompt, so a resumed run can tell what a killed run paid for.

One JSON line per event, flushed before the request is sent (so ``kill -9`` cannot lose it):
``{"run", "event": "start"}``, ``{"run", "event": "sent", "key", "try"}``, ``{"run", "event": "done",
"key", "try", "outcome", "usage"}`` (usage is null when no reply came: timeout, connection error),
``{"run", "event": "end"}``, and ``{"run", "event": "accounted", "for": [run ids]}``. Keys are
prompt hashes, outcomes are failure reasons without text: the file holds no note text, and is
still private (mode 0600) like the cache beside it.

A run that sent requests and never ended was killed. :func:`interrupted` reads every journal in
a folder (one per writer: a teach run, or each Ray actor) and sums up the killed runs no later run
has accounted for: what they were billed for (every reply's usage) and the requests they had in
flight (sent, no reply recorded: probably billed, tokens unknown). :meth:`RequestJournal.account`
records that this run reported them, so they are reported once.

Calls nothing else of the package (:mod:`.ledger` for the ``Usage`` record).
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..docio import PRIVATE_MODE
from .ledger import Usage

FILE_PREFIX = "journal"


def torn_last_line(path: Path) -> bool:
    """True if ``path`` ends inside a line (a process was killed while appending to it)."""
    with path.open("rb") as fh:
        if not fh.seek(0, os.SEEK_END):
            return False
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) != b"\n"


def journal_path(folder: Path, writer: str = "") -> Path:
    """The journal file of ``writer`` (one per actor) in ``folder``."""
    return folder / (f"{FILE_PREFIX}.{writer}.jsonl" if writer else f"{FILE_PREFIX}.jsonl")


@dataclass
class Interrupted:
    """Killed runs found in the journals, not yet reported by a later run."""

    runs: list[str] = field(default_factory=list)
    billed: Usage = field(default_factory=Usage)
    in_flight: dict[str, int] = field(default_factory=dict)  # prompt key -> tries with no reply

    @property
    def requests_in_flight(self) -> int:
        """Tries sent by killed runs that got no reply."""
        return sum(self.in_flight.values())


def _records(folder: Path) -> list[dict]:
    records = []
    for path in sorted(folder.glob(f"{FILE_PREFIX}*.jsonl")):
        with path.open(encoding="utf8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line torn by kill -9
                if isinstance(record, dict) and "run" in record:
                    records.append(record)
    return records


def interrupted(folder: Path) -> Interrupted:
    """What killed, unreported runs in ``folder``'s journals paid for and left in flight."""
    if not folder.is_dir():
        return Interrupted()
    records = _records(folder)
    started = [r["run"] for r in records if r.get("event") == "start"]
    closed = {r["run"] for r in records if r.get("event") == "end"}
    closed |= {run for r in records if r.get("event") == "accounted" for run in r.get("for", [])}
    sending = {r["run"] for r in records if r.get("event") == "sent"}
    killed = [run for run in dict.fromkeys(started) if run not in closed and run in sending]
    out = Interrupted(runs=killed)
    pending: dict[tuple[str, str, int], bool] = {}
    for r in records:
        if r["run"] not in killed or r.get("event") not in ("sent", "done"):
            continue
        if r["event"] == "sent":
            pending[(r["run"], r["key"], r["try"])] = True
            continue
        pending.pop((r["run"], r["key"], r["try"]), None)
        if r.get("usage"):
            out.billed.add(Usage(**r["usage"]))
    for _run, key, _try in pending:
        out.in_flight[key] = out.in_flight.get(key, 0) + 1
    return out


class RequestJournal:
    """Append-only journal of this run's tries (thread safe; see the module doc)."""

    def __init__(self, folder: str | Path, writer: str = ""):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.path = journal_path(self.folder, writer)
        self.run = uuid.uuid4().hex
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_MODE)
        os.chmod(self.path, PRIVATE_MODE)
        self._fh = os.fdopen(fd, "a", encoding="utf8")
        self._lock = threading.Lock()
        if torn_last_line(self.path):
            self._fh.write("\n")  # end a line torn by a kill, so this run's records stay whole
        self._write({"event": "start"})

    def _write(self, record: dict) -> None:
        line = json.dumps({"run": self.run, **record})
        with self._lock:
            if not self._fh.closed:
                self._fh.write(line + "\n")
                self._fh.flush()

    def sent(self, key: str, attempt: int) -> None:
        """Record a try before it is sent."""
        self._write({"event": "sent", "key": key, "try": attempt})

    def done(self, key: str, attempt: int, outcome: str, usage: Usage | None) -> None:
        """Record a try's outcome and the tokens it was billed."""
        record = {"event": "done", "key": key, "try": attempt, "outcome": outcome}
        self._write({**record, "usage": vars(usage) if usage is not None else None})

    def account(self, runs: list[str]) -> None:
        """Record that this run reported ``runs`` (killed runs), so no later run reports them again."""
        if runs:
            self._write({"event": "accounted", "for": runs})

    def close(self, finished: bool = True) -> None:
        """Close the file; ``finished`` marks the run as accounted for in its own ledger. A run
        closed without it (it stopped on an error) is reported by the next run, like a killed one."""
        if finished:
            self._write({"event": "end"})
        with self._lock:
            self._fh.close()
