"""The whole benchmark in one process: student fp32 vs int8 on the same notes, windows, teachers, costs.

fp32 and int8 are timed in the same run over the same notes and configurations (threads x
batching), each after a warm-up; F1 is scored on the same notes for both. The int8 model is
the fp32 model loaded again and quantized with ``clin_distill.runtime.int8.quantize_pipeline``
(what the ``clin_distill_int8`` component does at load time).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from tqdm import tqdm

from ..docio import get_doc_id, read_docbin, set_doc_id
from ..metrics import score_docs
from ..runtime.int8 import ENV_OVERRIDE, quantize_pipeline
from ..stepfiles.benchmark import (
    Benchmark,
    EncoderSize,
    Machine,
    PrecisionQuality,
    Quality,
    Run,
    Settings,
    StudentFacts,
    TeacherCost,
    WindowChoice,
    WindowRow,
    WindowSweep,
)
from ..stepfiles.prices import Prices
from ..stepfiles.scores import Scores
from .batching import budget_batches, fixed_batches
from .costs import llm_costs, ontology_costs, paper_ratios
from .flops import EncoderShape
from .student import encoder_shape, window_setting, wordpiece_counts, wordpiece_windows
from .summary import PRECISIONS, summarize
from .throughput import time_pipeline, torch_threads

__all__ = ["Settings", "load_student", "run_benchmark"]


def load_student(model_dir: str | Path, precision: str) -> Language:
    """Load the pipeline with any int8 component switched off, then quantize it for ``int8``.

    Raises:
        ValueError: ``int8`` was asked for a pipeline with no Linear layer in its transformer.
    """
    before = os.environ.get(ENV_OVERRIDE)
    os.environ[ENV_OVERRIDE] = "0"
    try:
        nlp = spacy.load(model_dir)
    finally:
        if before is None:
            os.environ.pop(ENV_OVERRIDE, None)
        else:
            os.environ[ENV_OVERRIDE] = before
    if precision == "int8" and not quantize_pipeline(nlp):
        raise ValueError(f"{model_dir}: no Linear layer to quantize in its transformer")
    return nlp


def _batchings(settings: Settings, lengths: list[int]) -> dict[str, list[list[int]]]:
    out = {f"bs={n}": fixed_batches(len(lengths), n) for n in settings.batch_sizes}
    out[f"sorted, {settings.wordpiece_budget} wp/batch"] = budget_batches(lengths, settings.wordpiece_budget)
    return out


def _scores(pred: list[Doc], gold: list[Doc]) -> Scores:
    for p, g in zip(pred, gold, strict=True):
        set_doc_id(p, get_doc_id(g))
    return Scores.model_validate(score_docs(pred, gold))


def _multiprocess_run(nlp: Language, texts: list[str], order: list[int], n_process: int, ref: Run) -> Run:
    """``nlp.pipe(n_process=...)`` with 1 torch thread per process, over length-sorted notes.

    Latency is not observable per note here; wordpieces and FLOPs are the reference run's
    (same notes, same windows).
    """
    sorted_texts = [texts[i] for i in order]
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with torch_threads(1):
        list(nlp.pipe(sorted_texts[:n_process], n_process=n_process, batch_size=1))
        start = time.perf_counter()
        docs = list(nlp.pipe(sorted_texts, n_process=n_process, batch_size=8))
        wall = time.perf_counter() - start
    return Run(
        name=f"{ref.precision} {n_process} processes x 1 thread, sorted, bs=8",
        precision=ref.precision,
        threads=n_process,
        batching="sorted, bs=8, n_process",
        n_docs=len(docs),
        words=ref.words,
        wordpieces=ref.wordpieces,
        padded_wordpieces=0,
        gflop=ref.gflop,
        padded_gflop=0.0,
        wall_s=wall,
        cpu_s=None,
        latency_p50_ms=0.0,
        latency_p95_ms=0.0,
        peak_rss_mb=None,
    )


@dataclass
class StudentBench:
    """Every timed run of the student, F1 per precision with the window sweep, and the model's facts."""

    runs: list[Run]
    quality: Quality
    facts: StudentFacts


def bench_student(model_dir: Path, gold: list[Doc], settings: Settings, machine: Machine) -> StudentBench:
    """Time every (precision, threads, batching), the window settings (fp32) and ``n_process``."""
    texts = [d.text for d in gold]
    runs: list[Run] = []
    quality: dict[str, PrecisionQuality] = {}
    sweep: WindowSweep | None = None
    facts: StudentFacts | None = None
    ref: Run | None = None
    threads = [t for t in settings.threads if t <= machine.usable_cpus] or [1]
    for precision in PRECISIONS:
        nlp = load_student(model_dir, precision)
        shape = encoder_shape(nlp)
        lengths = wordpiece_counts(nlp, texts)
        batchings = _batchings(settings, lengths)
        ref_batching = next(reversed(batchings))
        facts = facts or _model_facts(nlp, shape, lengths)
        # one note at a time is a latency setting: timed single-threaded only (more threads only spin)
        configs = [(t, b) for t in threads for b in batchings if not (b == "bs=1" and t > 1)]
        for t, b in tqdm(configs, desc=f"student {precision}", unit=" config"):
            run, docs = time_pipeline(
                nlp,
                texts,
                batchings[b],
                name=f"{precision} t={t} {b}",
                precision=precision,
                threads=t,
                batching=b,
                shape=shape,
            )
            runs.append(run)
            if t == max(threads) and b == ref_batching:
                scores = _scores(docs, gold)
                quality[precision] = PrecisionQuality(
                    run=run.name, strict_micro_f=scores.prf("strict", "micro").f, scores=scores
                )
                ref = run
        if precision == "fp32":
            sweep, sweep_runs = _window_sweep(
                nlp, texts, gold, batchings[ref_batching], ref, quality["fp32"], settings
            )
            runs.extend(sweep_runs)
        if settings.n_process > 1 and machine.usable_cpus >= settings.n_process:
            order = sorted(range(len(texts)), key=lambda i: -lengths[i])
            runs.append(_multiprocess_run(nlp, texts, order, settings.n_process, ref))
        del nlp
        _release_memory()
    return StudentBench(runs, Quality(fp32=quality["fp32"], int8=quality["int8"], windows=sweep), facts)


def _window_sweep(
    nlp: Language,
    texts: list[str],
    gold: list[Doc],
    batches: list[list[int]],
    ref: Run,
    reference: PrecisionQuality,
    settings: Settings,
) -> tuple[WindowSweep, list[Run]]:
    """Time each (window, stride) with the reference batching; recommend the fastest that keeps F1.

    Each setting runs through the shipped span getter (windows shortened to fit the encoder), so no
    setting truncates a note. "Keeps F1" = strict micro F1 within
    ``settings.goals.window_max_f1_loss_points`` of the configured setting's (the reference run).
    """
    configured = window_setting(nlp)
    rows = [
        WindowRow(
            window=configured.window,
            stride=configured.stride,
            configured=True,
            notes_per_s=ref.notes_per_s,
            strict_micro_f=reference.strict_micro_f,
        )
    ]
    runs = []
    for window, stride in settings.windows:
        if (window, stride) == (configured.window, configured.stride):
            continue
        with wordpiece_windows(nlp, window, stride):
            run, docs = time_pipeline(
                nlp,
                texts,
                batches,
                name=f"{ref.name} window={window} stride={stride}",
                precision=ref.precision,
                threads=ref.threads,
                batching=f"{ref.batching}; window={window} stride={stride}",
                shape=encoder_shape(nlp),
            )
        runs.append(run)
        f1 = _scores(docs, gold).prf("strict", "micro").f
        rows.append(
            WindowRow(
                window=window, stride=stride, configured=False, notes_per_s=run.notes_per_s, strict_micro_f=f1
            )
        )
    floor = rows[0].strict_micro_f - settings.goals.window_max_f1_loss_points / 100
    best = max((r for r in rows if r.strict_micro_f >= floor), key=lambda r: r.notes_per_s)
    return WindowSweep(settings=rows, recommended=WindowChoice(window=best.window, stride=best.stride)), runs


def _release_memory() -> None:
    """Collect garbage and hand freed heap back to the OS, so the next model's peak RSS is its own."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _model_facts(nlp: Language, shape: EncoderShape, lengths: list[int]) -> StudentFacts:
    setting = window_setting(nlp)
    window = setting.window or 128
    return StudentFacts(
        pipeline=nlp.pipe_names,
        encoder=EncoderSize(layers=shape.layers, hidden=shape.hidden, intermediate=shape.intermediate),
        window=setting,
        flops_per_wordpiece_at_window=shape.flops_per_wordpiece(window + 2),
        linear_flops_per_wordpiece=shape.linear_flops_per_wordpiece,
        mean_wordpieces_per_note=statistics.fmean(lengths) if lengths else 0.0,
    )


def _against_peak(run: Run, machine: Machine) -> Run:
    """``run`` with its GFLOP/s as a % of the machine's fp32 peak (wall clock, and per CPU-second)."""
    peak, per_cpu_s = machine.peak_gflops(run.threads), run.gflop_per_cpu_s
    return run.model_copy(
        update={
            "pct_of_fp32_peak": round(100 * run.gflops / peak, 1) if peak else None,
            "pct_of_core_peak_per_cpu_s": round(100 * per_cpu_s / machine.peak_gflops_per_core, 1)
            if per_cpu_s
            else None,
        }
    )


def run_benchmark(
    model_dir: Path,
    test_path: Path,
    teachers_metrics: Path | None,
    prices: Prices,
    machine: Machine,
    max_docs: int,
    settings: Settings,
) -> Benchmark:
    """Benchmark the student at ``model_dir`` on the first ``max_docs`` notes of ``test_path``.

    Every (precision, threads, batching) of ``settings`` is timed on this process's CPU (``machine``),
    then the window settings (fp32) and ``nlp.pipe`` with processes. ``teachers_metrics``
    (``metrics/teachers``) gives the teachers' speed and LLM ledgers; ``prices`` their cost.

    Returns:
        The :class:`~clin_distill.stepfiles.benchmark.Benchmark` (not written): times in seconds (latency
        in ms), speed in notes/s, encoder work in GFLOP, memory in MiB, cost in USD per 1,000 notes,
        F1 as fractions and F1 losses in points; its summary says which ``settings.goals`` were met.

    Raises:
        ValueError: no notes in ``test_path``, a pipeline without a transformer to quantize, or a
            teacher file of the wrong schema (:class:`~clin_distill.stepfiles.base.FileFormatError`).
    """
    gold = read_docbin(test_path)[:max_docs]
    if not gold:
        raise ValueError(f"{test_path}: no docs")
    bench = bench_student(model_dir, gold, settings, machine)
    teachers: list[TeacherCost] = []
    if teachers_metrics and teachers_metrics.is_dir():
        teachers = ontology_costs(teachers_metrics, prices)
    teachers += llm_costs(teachers_metrics, prices, bench.facts.mean_wordpieces_per_note)
    runs = [_against_peak(r, machine) for r in bench.runs]
    summary = summarize(runs, bench.quality, machine, prices, teachers, settings.goals, paper_ratios())
    return Benchmark(
        model=str(model_dir),
        test=str(test_path),
        n_docs=len(gold),
        machine=machine,
        student=bench.facts,
        settings=settings,
        runs=runs,
        quality=bench.quality,
        teachers=teachers,
        prices=prices,
        summary=summary,
    )
