"""``metrics/local_llm_speed.json``: the local LLM teacher and the student timed on the same notes, in
one run on one CPU.

Written by the bench-local-llm step (:func:`clin_distill.local_llm.speed.speed_side_by_side`); read by
the report's local-LLM section. Times are seconds; the server's start-up and the student's load are
reported apart from the per-note times.
"""

from __future__ import annotations

from .base import FileModel, Record
from .llm_usage import ServerInfo


class Rates(Record):
    """``notes`` in ``wall_s`` seconds: notes per second and seconds per note (None without notes)."""

    notes: int
    wall_s: float
    notes_per_s: float | None
    s_per_note: float | None


class TeacherSpeed(Rates):
    """The teacher, uncached: failures, prompts, tokens and completion tokens per second."""

    name: str
    model: str
    failed: int
    prompts: int
    prompt_tokens: int
    completion_tokens: int
    completion_tokens_per_s: float | None


class StudentSpeed(Record):
    """The student at ``path``: ``timed`` after loading (``load_s``) and one warm-up note, or the
    ``reason`` it was not timed (never replaced by a number)."""

    path: str
    timed: Rates | None = None
    reason: str | None = None
    load_s: float | None = None
    batch_size: int | None = None


class SpeedMachine(Record):
    """The CPU, its cores, torch's threads and the 1-minute load average when timed."""

    cpu: str
    cpu_count: int | None
    torch_threads: int
    load_avg_1m: float


class LocalLLMSpeed(FileModel):
    """The notes timed (file, count, characters), both timings, the student's speed-up (teacher
    seconds per note over the student's; None when the student was not timed), machine and server."""

    SCHEMA = "clin_distill.local_llm_speed.v1"
    notes_file: str
    notes: int
    chars: int
    teacher: TeacherSpeed
    student: StudentSpeed
    student_speedup: float | None
    machine: SpeedMachine
    server: ServerInfo
