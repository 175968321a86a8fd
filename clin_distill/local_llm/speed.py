"""Speed side by side, in one run on the same notes and CPU: the local LLM teacher vs the student.

The teacher is timed without its reply cache (every note is really generated); the server's
start-up and the student's load are reported apart from the per-note times. A missing
student is reported as such, never replaced by a number.

Calls: :func:`clin_distill.llm.labeling.label_docs` (the teacher, uncached), spaCy (the student).
"""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import spacy
from spacy.tokens import Doc

from ..docio import failure_of
from ..llm.labeling import label_docs
from ..llm.teacher import LLMTeacher
from ..stepfiles.llm_usage import ServerInfo
from ..stepfiles.local_llm_speed import LocalLLMSpeed, Rates, SpeedMachine, StudentSpeed, TeacherSpeed


def _rates(n: int, wall: float) -> Rates:
    return Rates(
        notes=n,
        wall_s=round(wall, 6),
        notes_per_s=round(n / wall, 4) if wall else None,
        s_per_note=round(wall / n, 6) if n else None,
    )


def time_teacher(teacher: LLMTeacher, docs: list[Doc]) -> TeacherSpeed:
    """Label ``docs`` uncached; wall time, failures and the ledger's tokens."""
    teacher.model.use_cache(None)
    started = time.perf_counter()
    labelled = list(label_docs(teacher, docs))
    wall = time.perf_counter() - started
    ledger = teacher.model.ledger.record()
    return TeacherSpeed(
        **_rates(len(docs), wall).model_dump(),
        name=teacher.name,
        model=teacher.model.name,
        failed=sum(failure_of(d) is not None for d in labelled),
        prompts=ledger.prompts,
        prompt_tokens=ledger.prompt_tokens,
        completion_tokens=ledger.completion_tokens,
        completion_tokens_per_s=round(ledger.completion_tokens / wall, 2) if wall else None,
    )


def time_student(model_path: Path, docs: list[Doc], batch_size: int = 16) -> StudentSpeed:
    """Run the trained student over the same texts (after one warm-up note)."""
    if not (model_path / "config.cfg").is_file():
        return StudentSpeed(
            path=str(model_path), reason=f"no trained student at {model_path} (run train-distilled)"
        )
    started = time.perf_counter()
    nlp = spacy.load(model_path)
    load_s = time.perf_counter() - started
    texts = [d.text for d in docs]
    if texts:
        nlp(texts[0])
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    wall = time.perf_counter() - started
    return StudentSpeed(
        path=str(model_path), timed=_rates(len(texts), wall), load_s=round(load_s, 3), batch_size=batch_size
    )


def machine() -> SpeedMachine:
    """This CPU, its cores, torch's threads and the current 1-minute load average."""
    import torch

    return SpeedMachine(
        cpu=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        load_avg_1m=round(os.getloadavg()[0], 2),
    )


def speed_side_by_side(
    teacher: LLMTeacher, student: Path, docs: list[Doc], notes_file: Path, server: ServerInfo
) -> LocalLLMSpeed:
    """Teacher then student on ``docs``; ``student_speedup`` = teacher s/note over student s/note."""
    llm = time_teacher(teacher, docs)
    timed = time_student(student, docs)
    speedup = None
    if timed.timed is not None and timed.timed.s_per_note and llm.s_per_note:
        speedup = round(llm.s_per_note / timed.timed.s_per_note, 1)
    return LocalLLMSpeed(
        notes_file=str(notes_file),
        notes=len(docs),
        chars=sum(len(d.text) for d in docs),
        teacher=llm,
        student=timed,
        student_speedup=speedup,
        machine=machine(),
        server=server,
    )
