"""Time a spaCy pipeline over a fixed list of notes: throughput, latency, FLOPs and peak RSS.

Each run: set the torch thread count, reset the process's peak RSS (Linux ``clear_refs``),
warm up on the first batch (untimed), then time every batch of ``nlp.pipe``. A note's latency
is the wall time of the batch it was processed in (what a caller sending that batch waits).
Wordpieces are read back from ``doc._.trf_data`` (the spans the transformer actually ran,
special tokens included), so the FLOP count follows the window/stride setting in use.
The process's CPU time is recorded too: on a shared machine ``cpu_share`` shows how much
of the cores the run actually got, and GFLOP per CPU-second stays meaningful under load.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..stepfiles.benchmark import Run
from .flops import EncoderShape


def peak_rss_mb() -> float | None:
    """The process's peak resident set size (VmHWM) in MiB; None off Linux."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` torch threads; the previous count is restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def span_lengths(doc: Doc) -> list[int]:
    """Wordpiece lengths of the transformer spans of a processed doc (empty without trf_data)."""
    if not Doc.has_extension("trf_data"):
        return []
    data = doc._.trf_data
    return [] if data is None else [int(n) for n in data.wordpieces.lengths]


def time_pipeline(
    nlp: Language,
    texts: Sequence[str],
    batches: Sequence[Sequence[int]],
    *,
    name: str,
    precision: str,
    threads: int,
    batching: str,
    shape: EncoderShape | None,
    warmup: bool = True,
) -> tuple[Run, list[Doc]]:
    """Run ``nlp`` over ``texts`` in ``batches`` (index lists); return the Run and docs in input order."""
    out: list[Doc | None] = [None] * len(texts)
    latencies: list[float] = []
    seq_batches: list[list[int]] = []
    with torch_threads(threads):
        if warmup and batches:
            list(nlp.pipe([texts[i] for i in batches[0]], batch_size=len(batches[0])))
        rss_reset = reset_peak_rss()
        start, cpu_start = time.perf_counter(), time.process_time()
        for batch in batches:
            t0 = time.perf_counter()
            docs = list(nlp.pipe([texts[i] for i in batch], batch_size=len(batch)))
            dt = time.perf_counter() - t0
            latencies.extend([dt] * len(batch))
            lengths: list[int] = []
            for i, doc in zip(batch, docs, strict=True):
                out[i] = doc
                lengths.extend(span_lengths(doc))
            seq_batches.append(lengths)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    docs_out = [d for d in out if d is not None]
    flat = [n for b in seq_batches for n in b]
    run = Run(
        name=name,
        precision=precision,
        threads=threads,
        batching=batching,
        n_docs=len(docs_out),
        words=sum(sum(not t.is_space for t in d) for d in docs_out),
        wordpieces=sum(flat),
        padded_wordpieces=sum(len(b) * max(b) for b in seq_batches if b),
        gflop=shape.flops(flat) / 1e9 if shape else 0.0,
        padded_gflop=shape.padded_flops(seq_batches) / 1e9 if shape else 0.0,
        wall_s=wall,
        cpu_s=cpu,
        latency_p50_ms=1e3 * statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=1e3 * _quantile(latencies, 0.95) if latencies else 0.0,
        peak_rss_mb=peak_rss_mb() if rss_reset else None,
    )
    return run, docs_out


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
