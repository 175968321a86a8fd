"""Typed files as the teach steps write them, for tests of the steps that read them."""

from __future__ import annotations

from pathlib import Path

from clin_distill.stepfiles import benchmark as bench_files
from clin_distill.stepfiles import combine as combine_files
from clin_distill.stepfiles.llm_usage import LLMUsage, PricedUsage, PricesPer1M, ServerInfo
from clin_distill.stepfiles.local_llm_speed import (
    LocalLLMSpeed,
    Rates,
    SpeedMachine,
    StudentSpeed,
    TeacherSpeed,
)
from clin_distill.stepfiles.pool import NotesRead, Pool
from clin_distill.stepfiles.scores import PRF, F1Only, Macro, Scores
from clin_distill.stepfiles.system_metrics import SystemMetrics
from clin_distill.stepfiles.teacher_metrics import SplitRun, TeacherMetrics


def teacher_metrics(name: str, kind: str = "ontology", **splits: SplitRun) -> TeacherMetrics:
    """A teacher's metrics with ``splits`` and no scores."""
    return TeacherMetrics(
        teacher=name, kind=kind, dataset="pool", splits=splits, scores={}, failures_by_reason={}
    )


def priced(prompt: int = 0, completion: int = 0, cost: float = 0.0) -> PricedUsage:
    """Tokens and their USD cost (no reasoning tokens)."""
    return PricedUsage(prompt_tokens=prompt, completion_tokens=completion, reasoning_tokens=0, cost_usd=cost)


def llm_usage(name: str, model: str, docs: int, wall_s: float, **counts) -> LLMUsage:
    """An LLM ledger of ``docs`` notes in ``wall_s`` seconds; ``counts`` override the zero counts."""
    fields = {
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "reasoning_tokens": 0,
        "prompts": docs,
        "requests": docs,
        "retries": 0,
        "unanswered": 0,
        "failures": 0,
        "cache_hits": 0,
        "model_wall_s": wall_s,
        "cost_usd": 0.0,
        "cached": priced(),
        "prices_per_1m": PricesPer1M(input=0.0, output=0.0),
        **counts,
    }
    return LLMUsage(
        **fields,
        teacher=name,
        model=model,
        endpoint_host="127.0.0.1",
        dataset="pool",
        docs=docs,
        wall_s=wall_s,
        docs_per_s=docs / wall_s if wall_s else None,
    )


def prf(tp: int, fp: int, fn: int) -> PRF:
    """Counts and the P/R/F1 they give."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return PRF(tp=tp, fp=fp, fn=fn, p=p, r=r, f=2 * p * r / (p + r) if p + r else 0.0)


def scores(label: str = "DISEASE", tp: int = 3, fp: int = 1, fn: int = 1) -> Scores:
    """One label's scores over two docs (strict and lenient alike)."""
    mode = {
        label: prf(tp, fp, fn),
        "micro": prf(tp, fp, fn),
        "macro": Macro(f=prf(tp, fp, fn).f, labels=[label]),
    }
    return Scores(n_docs=2, labels=[label], docs_per_label={label: 2}, strict=mode, lenient=mode)


def strategy_scores(f: float = 0.5) -> combine_files.StrategyScores:
    """A plan's dev scores: the same P/R/F1 on every label and micro."""
    mode = {key: F1Only(p=f, r=f, f=f) for key in ("MEDICATION", "DISEASE", "SYMPTOM", "micro")}
    return combine_files.StrategyScores(strict=mode, lenient=mode)


def subset_search(teachers: tuple[str, ...] = ("open_vocab", "quickumls")) -> combine_files.SubsetSearch:
    """A search over ``teachers`` with one row per teacher on DISEASE; SYMPTOM has no gold."""
    rows = [
        combine_files.SubsetRow(
            label="DISEASE", teachers=[t], strategy="union", strict=prf(3, i, 1), lenient=prf(4, i, 0), docs=2
        )
        for i, t in enumerate(teachers)
    ]
    return combine_files.SubsetSearch(
        dataset="pool",
        split="dev",
        teachers=list(teachers),
        n_subsets=2 ** len(teachers) - 1,
        strategies_searched=["union", "vote"],
        dev_docs_scored=2,
        rows=rows,
        best={"DISEASE": rows[0], "SYMPTOM": None},
        all_teachers={"union": strategy_scores(0.5), "best": strategy_scores(0.6)},
    )


def combine_choice(
    labels: dict[str, combine_files.LabelChoice], teachers: list[str]
) -> combine_files.CombineChoice:
    """A ``best`` choice deciding the labels of ``labels`` without ``dropped``."""
    decided = [label for label, c in labels.items() if c.dropped is None]
    return combine_files.CombineChoice(
        dataset="pool",
        strategy="best",
        on_failure="exclude",
        teachers_listed=teachers,
        teachers_dropped={},
        teachers_selected=teachers,
        labels=labels,
        fitted=[{"name": "union"}],
        dev=combine_files.DevSummary(
            docs_scored=2,
            docs_skipped_a_teacher_did_not_label=0,
            input_counts={},
            chosen_plan=strategy_scores(),
        ),
        labels_decided=decided,
        evaluation_splits={"test": combine_files.SplitWritten(docs=2, written=2, excluded=0)},
        train=combine_files.TrainSummary(
            docs=3,
            written=3,
            docs_without_spans=0,
            spans={label: 1 for label in decided},
            excluded=combine_files.Excluded(count=0, by_teacher={}, doc_ids=[]),
            counts={"clusters": 3},
            input_counts={},
            uncertain_missing=combine_files.UncertainMissing(mode="dropped", docs=1, tokens=2),
            unknown_missing=combine_files.UnknownMissing(
                sources=["chunks"], docs=1, tokens=3, tokens_by_source={"chunks": 3}
            ),
        ),
        disagreements=combine_files.DisagreementsSummary(
            exported=1, docs_with_fewer_than_two_active_teachers=0
        ),
    )


def machine() -> bench_files.Machine:
    """A 2-CPU AVX2 machine at 2.5 GHz."""
    return bench_files.Machine(
        cpu_model="Test CPU",
        vendor="AuthenticAMD",
        logical_cpus=2,
        physical_cores=1,
        usable_cpus=2,
        ghz=2.5,
        ghz_source="test",
        flags=["avx2", "fma"],
        flops_per_cycle=32,
    )


def run(precision: str, notes_per_s: float, threads: int = 1) -> bench_files.Run:
    """A run of 10 notes at ``notes_per_s``."""
    wall = 10 / notes_per_s
    return bench_files.Run(
        name=f"{precision} t={threads} bs=16",
        precision=precision,
        threads=threads,
        batching="bs=16",
        n_docs=10,
        words=500,
        wordpieces=800,
        padded_wordpieces=900,
        gflop=4.0,
        padded_gflop=4.5,
        wall_s=wall,
        cpu_s=wall * threads,
        latency_p50_ms=100.0,
        latency_p95_ms=150.0,
        peak_rss_mb=512.0,
    )


def benchmark(fp32_notes_per_s: float = 12.5, int8_notes_per_s: float = 20.0) -> bench_files.Benchmark:
    """A benchmark of two runs (fp32, int8) against one ontology teacher."""
    from clin_distill.bench.costs import paper_ratios
    from clin_distill.bench.summary import summarize
    from clin_distill.stepfiles.prices import load_prices

    prices = load_prices(Path(__file__).resolve().parents[2] / "configs" / "prices.cfg")
    runs = [run("fp32", fp32_notes_per_s), run("int8", int8_notes_per_s)]
    window = bench_files.WindowRow(
        window=128, stride=96, configured=True, notes_per_s=fp32_notes_per_s, strict_micro_f=0.8
    )
    quality = bench_files.Quality(
        fp32=bench_files.PrecisionQuality(run=runs[0].name, strict_micro_f=0.8, scores=scores()),
        int8=bench_files.PrecisionQuality(run=runs[1].name, strict_micro_f=0.797, scores=scores()),
        windows=bench_files.WindowSweep(
            settings=[window], recommended=bench_files.WindowChoice(window=128, stride=96)
        ),
    )
    teachers = [
        bench_files.TeacherCost(
            name="open_vocab", kind="ontology", notes_per_s=40.0, usd_per_1k=0.0003, source="t"
        )
    ]
    settings = bench_files.Settings.quick()
    return bench_files.Benchmark(
        model="training/self/model-best",
        test="corpus/pool/test.spacy",
        n_docs=10,
        machine=machine(),
        student=bench_files.StudentFacts(
            pipeline=["transformer", "ner"],
            encoder=bench_files.EncoderSize(layers=2, hidden=32, intermediate=64),
            window=bench_files.WindowSetting.model_validate(
                {"@span_getters": "clin_distill.wordpiece_windows.v1", "window": 128}
            ),
            flops_per_wordpiece_at_window=1e6,
            linear_flops_per_wordpiece=8e5,
            mean_wordpieces_per_note=80.0,
        ),
        settings=settings,
        runs=runs,
        quality=quality,
        teachers=teachers,
        prices=prices,
        summary=summarize(runs, quality, machine(), prices, teachers, settings.goals, paper_ratios()),
    )


def pool() -> Pool:
    """Two corpora (one annotating DISEASE only) and three notes read, two kept."""
    return Pool(
        corpora={"abs": {"train": 1, "dev": 4, "test": 0}, "clin": {"train": 15, "dev": 4, "test": 0}},
        annotated_labels={"abs": ["DISEASE"], "clin": ["MEDICATION", "DISEASE", "SYMPTOM"]},
        notes=NotesRead(source="notes", read=3, kept=2, skipped={"empty": 1}, notices=[]),
    )


def local_llm_speed(timed: bool = True) -> LocalLLMSpeed:
    """The local teacher and (when ``timed``) the student on 4 notes."""
    teacher = TeacherSpeed(
        notes=4, wall_s=8.0, notes_per_s=0.5, s_per_note=2.0, name="local-llm", model="smollm2", failed=1,
        prompts=4, prompt_tokens=800, completion_tokens=120, completion_tokens_per_s=15.0,
    )  # fmt: skip
    student = StudentSpeed(
        path="training/distilled/model-best",
        timed=Rates(notes=4, wall_s=0.4, notes_per_s=10.0, s_per_note=0.1) if timed else None,
        reason=None if timed else "no trained student",
        load_s=1.5 if timed else None,
        batch_size=16 if timed else None,
    )
    return LocalLLMSpeed(
        notes_file="corpus/pool/test.spacy",
        notes=4,
        chars=400,
        teacher=teacher,
        student=student,
        student_speedup=20.0 if timed else None,
        machine=SpeedMachine(cpu="x86_64", cpu_count=2, torch_threads=2, load_avg_1m=0.5),
        server=ServerInfo(server="custom command", n_ctx=2048, n_threads=2, startup_s=1.25),
    )


def system_record(system: str, kind: str, f1: dict[str, dict[str, float]]) -> SystemMetrics:
    """A valid ``metrics/<system>/pool.json`` record whose strict and lenient F1 per (corpus, label) are
    ``f1`` (counts and intervals are placeholders)."""

    def part(labels: dict[str, float]) -> dict:
        entry = {lab: {"tp": 1, "fp": 0, "fn": 0, "p": f, "r": f, "f": f} for lab, f in labels.items()}
        scores = {**entry, "micro": {"tp": 1, "fp": 0, "fn": 0, "p": 0.5, "r": 0.5, "f": 0.5}}
        scores["macro"] = {"f": 0.5, "labels": list(labels)}
        errors = {"per_label": {}, "total": {}, "n_docs": 1}
        return {
            "n_docs": 1, "n_gold_docs": 1, "labels": list(labels), "docs_per_label": dict.fromkeys(labels, 1),
            "strict": scores, "lenient": scores, "errors": errors,
        }  # fmt: skip

    merged = {lab: f for labels in f1.values() for lab, f in labels.items()}
    return SystemMetrics.model_validate({
        **part(merged), "system": system, "kind": kind, "source": "test", "corpus": "pool", "failures": 0,
        "failed_doc_ids": [], "missing": 0, "missing_doc_ids": [], "small_local_model": False,
        "bootstrap": {"n_resamples": 1}, "by_corpus": {corpus: part(labels) for corpus, labels in f1.items()},
    })  # fmt: skip
