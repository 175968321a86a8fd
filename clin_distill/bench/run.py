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
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from tqdm import tqdm

from ..docio import get_doc_id, read_docbin, set_doc_id
from ..metrics import score_docs
from ..runtime.int8 import ENV_OVERRIDE, quantize_pipeline
from .batching import budget_batches, fixed_batches
from .costs import PAPER_RATIOS, Prices, TeacherCost, cpu_usd_per_1k, llm_costs, ontology_costs
from .flops import EncoderShape
from .machine import Machine
from .student import encoder_shape, strided_windows, window_setting, wordpiece_counts
from .throughput import Run, time_pipeline

PRECISIONS = ("fp32", "int8")


@dataclass
class Settings:
    batch_sizes: list[int] = field(default_factory=lambda: [1, 16])
    wordpiece_budget: int = 4096
    threads: list[int] = field(default_factory=lambda: [1, 2])
    # (window, stride) settings timed besides the configured one, on fp32 with the reference batching
    windows: list[tuple[int, int]] = field(default_factory=lambda: [(128, 128), (256, 192)])
    n_process: int = 2

    @classmethod
    def quick(cls) -> Settings:
        return cls(batch_sizes=[4], wordpiece_budget=1024, threads=[1], windows=[(64, 48)], n_process=0)


def load_student(model_dir: str | Path, precision: str) -> Language:
    """Load the pipeline with any int8 component switched off, then quantize it for ``int8``."""
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


def _strict_f(pred: list[Doc], gold: list[Doc]) -> dict:
    for p, g in zip(pred, gold, strict=True):
        set_doc_id(p, get_doc_id(g))
    scores = score_docs(pred, gold)
    return {"strict_micro_f": scores["strict"]["micro"]["f"], "scores": scores}


def _multiprocess_run(nlp: Language, texts: list[str], order: list[int], n_process: int, ref: Run) -> Run:
    """``nlp.pipe(n_process=...)`` with 1 torch thread per process, over length-sorted notes.

    Latency is not observable per note here; wordpieces and FLOPs are the reference run's
    (same notes, same windows).
    """
    from .throughput import torch_threads

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


def bench_student(
    model_dir: Path, gold: list[Doc], settings: Settings, machine: Machine
) -> tuple[list[Run], dict, dict]:
    """Time every (precision, threads, batching); returns runs, F1 per precision, and model facts."""
    texts = [d.text for d in gold]
    runs: list[Run] = []
    quality: dict[str, dict] = {}
    facts: dict = {}
    threads = [t for t in settings.threads if t <= machine.usable_cpus] or [1]
    for precision in PRECISIONS:
        nlp = load_student(model_dir, precision)
        shape = encoder_shape(nlp)
        lengths = wordpiece_counts(nlp, texts)
        batchings = _batchings(settings, lengths)
        ref_batching = next(reversed(batchings))
        if not facts:
            facts = _model_facts(nlp, shape, lengths)
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
                quality[precision] = {"run": run.name, **_strict_f(docs, gold)}
                ref = run
        if precision == "fp32":
            quality["windows"] = _window_sweep(
                nlp, texts, gold, batchings[ref_batching], ref, quality, settings
            )
            runs.extend(quality["windows"].pop("runs"))
        if settings.n_process > 1 and machine.usable_cpus >= settings.n_process:
            order = sorted(range(len(texts)), key=lambda i: -lengths[i])
            runs.append(_multiprocess_run(nlp, texts, order, settings.n_process, ref))
        del nlp
        _release_memory()
    return runs, quality, facts


def _window_sweep(
    nlp: Language,
    texts: list[str],
    gold: list[Doc],
    batches: list[list[int]],
    ref: Run,
    quality: dict,
    settings: Settings,
) -> dict:
    """Time each (window, stride) with the reference batching; recommend the fastest that keeps F1.

    "Keeps F1" = strict micro F1 within 0.5 points of the configured setting's.
    """
    configured = window_setting(nlp)
    rows = [
        {
            "window": configured.get("window"),
            "stride": configured.get("stride"),
            "configured": True,
            "notes_per_s": ref.notes_per_s,
            "strict_micro_f": quality["fp32"]["strict_micro_f"],
        }
    ]
    runs = []
    for window, stride in settings.windows:
        if (window, stride) == (configured.get("window"), configured.get("stride")):
            continue
        with strided_windows(nlp, window, stride):
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
        rows.append(
            {
                "window": window,
                "stride": stride,
                "configured": False,
                "notes_per_s": run.notes_per_s,
                "strict_micro_f": _strict_f(docs, gold)["strict_micro_f"],
            }
        )
    floor = rows[0]["strict_micro_f"] - 0.005
    best = max((r for r in rows if r["strict_micro_f"] >= floor), key=lambda r: r["notes_per_s"])
    return {
        "settings": rows,
        "recommended": {"window": best["window"], "stride": best["stride"]},
        "runs": runs,
    }


def _release_memory() -> None:
    """Collect garbage and hand freed heap back to the OS, so the next model's peak RSS is its own."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _model_facts(nlp: Language, shape: EncoderShape, lengths: list[int]) -> dict:
    setting = window_setting(nlp)
    window = int(setting.get("window", 128))
    return {
        "pipeline": nlp.pipe_names,
        "encoder": {"layers": shape.layers, "hidden": shape.hidden, "intermediate": shape.intermediate},
        "window": setting,
        "flops_per_wordpiece_at_window": shape.flops_per_wordpiece(window + 2),
        "linear_flops_per_wordpiece": shape.linear_flops_per_wordpiece,
        "mean_wordpieces_per_note": statistics.fmean(lengths) if lengths else 0.0,
    }


def _best(runs: list[Run], precision: str) -> Run:
    """The fastest run of ``precision`` with the pipeline's configured windows."""
    return max(
        (r for r in runs if r.precision == precision and "window=" not in r.batching),
        key=lambda r: r.notes_per_s,
    )


def _same_config_speedups(runs: list[Run], cpu_time: bool = False) -> dict[str, float]:
    """int8 over fp32 notes/s per configuration; by CPU time instead of wall time when ``cpu_time``."""
    fp32 = {r.name.removeprefix("fp32 "): r for r in runs if r.precision == "fp32"}
    out = {}
    for r in runs:
        key = r.name.removeprefix("int8 ")
        if r.precision != "int8" or key not in fp32:
            continue
        if not cpu_time:
            out[key] = round(r.notes_per_s / fp32[key].notes_per_s, 3)
        elif r.cpu_s and fp32[key].cpu_s:
            out[key] = round(fp32[key].cpu_s / r.cpu_s, 3)
    return out


def summarize(
    runs: list[Run], quality: dict, machine: Machine, prices: Prices, teachers: list[TeacherCost]
) -> dict:
    best = {p: _best(runs, p) for p in PRECISIONS}
    f1 = {p: quality[p]["strict_micro_f"] for p in PRECISIONS}
    fp32 = best["fp32"]
    pct_peak = 100 * fp32.gflops / machine.peak_gflops(fp32.threads)
    speedups = _same_config_speedups(runs)
    best_speedup = best["int8"].notes_per_s / fp32.notes_per_s
    students = {
        p: {
            "notes_per_s": best[p].notes_per_s,
            "usd_per_1k": cpu_usd_per_1k(best[p].notes_per_s, best[p].threads, prices),
            "run": best[p].name,
        }
        for p in PRECISIONS
    }
    rows = [
        {
            "system": f"student {p}",
            "notes_per_s": s["notes_per_s"],
            "usd_per_1k": s["usd_per_1k"],
            "source": s["run"],
        }
        for p, s in students.items()
    ]
    for t in teachers:
        row = {
            "system": f"{t.kind} teacher {t.name}",
            "notes_per_s": t.notes_per_s,
            "usd_per_1k": t.usd_per_1k,
            "source": t.source,
        }
        for p, s in students.items():
            row[f"speedup_{p}"] = s["notes_per_s"] / t.notes_per_s if t.notes_per_s else None
            row[f"cost_ratio_{p}"] = (
                t.usd_per_1k / s["usd_per_1k"] if t.usd_per_1k and s["usd_per_1k"] else None
            )
        row["paper_speedup"] = PAPER_RATIOS["speedup_vs"].get(t.name)
        row["paper_cost_ratio"] = PAPER_RATIOS["cost_ratio_vs"].get(t.name)
        rows.append(row)
    return {
        "best": {p: r.name for p, r in best.items()},
        "int8_speedup_best_vs_best": round(best_speedup, 3),
        "int8_speedup_same_config": speedups,
        "int8_speedup_same_config_cpu_time": _same_config_speedups(runs, cpu_time=True),
        "f1_strict_micro": f1,
        "f1_loss_points": round(100 * (f1["fp32"] - f1["int8"]), 3),
        "fp32_pct_of_peak": round(pct_peak, 1),
        "fp32_cpu_share": None if fp32.cpu_share is None else round(fp32.cpu_share, 3),
        "fp32_pct_of_core_peak_per_cpu_s": round(100 * fp32.gflop_per_cpu_s / machine.peak_gflops_per_core, 1)
        if fp32.gflop_per_cpu_s
        else None,
        "flop_bound_notes_per_s": round(fp32.notes_per_s * 100 / pct_peak, 2) if pct_peak else None,
        "goals": {
            "fp32_at_least_50pct_of_flop_bound": pct_peak >= 50,
            "int8_at_least_1.6x": best_speedup >= 1.6,
            "int8_f1_loss_at_most_0.5": 100 * (f1["fp32"] - f1["int8"]) <= 0.5,
        },
        "recommended_window": quality["windows"]["recommended"],
        "table": rows,
        "paper": PAPER_RATIOS,
    }


def run_benchmark(
    model_dir: Path,
    test_path: Path,
    teachers_metrics: Path | None,
    prices: Prices,
    machine: Machine,
    max_docs: int,
    settings: Settings,
) -> dict:
    gold = read_docbin(test_path)[:max_docs]
    if not gold:
        raise ValueError(f"{test_path}: no docs")
    runs, quality, facts = bench_student(model_dir, gold, settings, machine)
    teachers: list[TeacherCost] = []
    if teachers_metrics and teachers_metrics.is_dir():
        teachers = ontology_costs(teachers_metrics, prices)
    teachers += llm_costs(teachers_metrics, prices, facts["mean_wordpieces_per_note"])
    runs_out = []
    for r in runs:
        peak = machine.peak_gflops(r.threads)
        per_core = machine.peak_gflops_per_core
        per_cpu_s = r.gflop_per_cpu_s
        runs_out.append(
            {
                **r.to_dict(),
                "pct_of_fp32_peak": round(100 * r.gflops / peak, 1) if peak else None,
                "pct_of_core_peak_per_cpu_s": round(100 * per_cpu_s / per_core, 1) if per_cpu_s else None,
            }
        )
    return {
        "model": str(model_dir),
        "test": str(test_path),
        "n_docs": len(gold),
        "machine": machine.to_dict(),
        "student": facts,
        "settings": settings.__dict__,
        "runs": runs_out,
        "quality": quality,
        "teachers": [t.to_dict() for t in teachers],
        "prices": prices.to_dict(),
        "summary": summarize(runs, quality, machine, prices, teachers),
    }
