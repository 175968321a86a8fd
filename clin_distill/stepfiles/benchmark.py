"""``metrics/benchmark.json``: the student's CPU speed (fp32 vs int8) beside the teachers' speed and cost.

Written by :func:`clin_distill.bench.run.run_benchmark` (the benchmark step); read by the report
and the package step (a compact speed summary in the model's meta). Units: seconds, notes per
second, GFLOP, MiB, USD per 1,000 notes; F1 as a fraction, F1 losses in points (100 × fraction).
"""

from __future__ import annotations

import platform

from pydantic import Field, FieldSerializationInfo, computed_field, field_serializer

from .base import FileModel, Record
from .prices import Prices
from .scores import Scores

# The derived numbers a file holds, rounded to these decimals (computations use them unrounded)
ROUNDED = {
    "cpu_share": 3,
    "gflop_per_cpu_s": 2,
    "notes_per_s": 3,
    "words_per_s": 1,
    "wordpieces_per_s": 1,
    "gflops": 2,
    "peak_gflops_per_core": 2,
}


class Rounded(Record):
    """A record whose derived numbers are written rounded (:data:`ROUNDED`)."""

    def _rounded(self, value: float | None, info: FieldSerializationInfo) -> float | None:
        return None if value is None else round(value, ROUNDED[info.field_name])


class Machine(Rounded):
    """The CPU a benchmark ran on and its assumed fp32 peak (see :mod:`clin_distill.bench.machine`)."""

    cpu_model: str
    vendor: str
    logical_cpus: int
    physical_cores: int
    usable_cpus: int
    ghz: float
    ghz_source: str
    flags: list[str] = []
    flops_per_cycle: int = 8
    flops_per_cycle_rule: str = ""
    python: str = platform.python_version()
    torch: str = ""
    torch_capability: str = ""
    quantized_engine: str = ""

    @computed_field
    @property
    def peak_gflops_per_core(self) -> float:
        """fp32 GFLOP/s of one core: clock (GHz) × FLOP per cycle."""
        return self.ghz * self.flops_per_cycle

    def peak_gflops(self, threads: int) -> float:
        """fp32 GFLOP/s of ``threads`` cores (at most the usable ones)."""
        return self.peak_gflops_per_core * min(threads, self.usable_cpus)

    _round = field_serializer("peak_gflops_per_core")(Rounded._rounded)


class Run(Rounded):
    """One timed pass of the student over the notes: one precision, thread count and batching.

    Times are seconds (``wall_s`` for all notes, latencies in ms per note), ``gflop`` the useful
    encoder FLOPs (``padded_gflop`` with padding), ``peak_rss_mb`` MiB (None where unknown).
    ``pct_of_fp32_peak`` and ``pct_of_core_peak_per_cpu_s`` are set against the machine's peak.
    """

    name: str
    precision: str
    threads: int
    batching: str
    n_docs: int
    words: int
    wordpieces: int
    padded_wordpieces: int
    gflop: float
    padded_gflop: float
    wall_s: float
    cpu_s: float | None
    latency_p50_ms: float
    latency_p95_ms: float
    peak_rss_mb: float | None
    pct_of_fp32_peak: float | None = None
    pct_of_core_peak_per_cpu_s: float | None = None

    @computed_field
    @property
    def notes_per_s(self) -> float:
        """Notes per wall-clock second."""
        return self.n_docs / self.wall_s

    @computed_field
    @property
    def words_per_s(self) -> float:
        """Words (non-space tokens) per second."""
        return self.words / self.wall_s

    @computed_field
    @property
    def wordpieces_per_s(self) -> float:
        """Wordpieces the encoder ran, per second."""
        return self.wordpieces / self.wall_s

    @computed_field
    @property
    def gflops(self) -> float:
        """Achieved GFLOP/s: useful (unpadded) encoder FLOPs over the whole pipeline's wall time."""
        return self.gflop / self.wall_s

    @computed_field
    @property
    def cpu_share(self) -> float | None:
        """CPU seconds over (wall seconds × threads): below 1 when other processes took the cores."""
        return self.cpu_s / (self.wall_s * self.threads) if self.cpu_s is not None else None

    @computed_field
    @property
    def gflop_per_cpu_s(self) -> float | None:
        """GFLOP per CPU-second of this process: the per-core rate, robust to other load on the machine."""
        return self.gflop / self.cpu_s if self.cpu_s else None

    _round = field_serializer(
        "notes_per_s", "words_per_s", "wordpieces_per_s", "gflops", "cpu_share", "gflop_per_cpu_s"
    )(Rounded._rounded)


class Goals(Record):
    """The benchmark's targets, defined here only; the summary says which were met.

    ``fp32_min_pct_of_flop_bound``: fp32 reaches at least this % of its FLOP-bound throughput.
    ``int8_min_speedup``: int8 at least this many times faster than fp32 (best vs best).
    ``int8_max_f1_loss_points``: int8 loses at most this many strict micro F1 points.
    ``window_max_f1_loss_points``: a window setting is recommended only within this many points of the
    configured one's strict micro F1.
    """

    fp32_min_pct_of_flop_bound: float = 50.0
    int8_min_speedup: float = 1.6
    int8_max_f1_loss_points: float = 0.5
    window_max_f1_loss_points: float = 0.5


class Settings(Record):
    """What is timed: batch sizes, a wordpiece budget per length-sorted batch, torch threads, the
    (window, stride) settings timed beside the configured one, processes for ``nlp.pipe``, goals."""

    batch_sizes: list[int] = [1, 16]
    wordpiece_budget: int = 4096
    threads: list[int] = [1, 2]
    windows: list[tuple[int, int]] = [(128, 128), (256, 192)]
    n_process: int = 2
    goals: Goals = Goals()

    @classmethod
    def quick(cls) -> Settings:
        """One small configuration (tests and smoke runs)."""
        return cls(batch_sizes=[4], wordpiece_budget=1024, threads=[1], windows=[(64, 48)], n_process=0)


class WindowSetting(Record):
    """A transformer span getter: its registered name, window and stride (spaCy tokens)."""

    span_getter: str | None = Field(default=None, alias="@span_getters")
    window: int | None = None
    stride: int | None = None


class EncoderSize(Record):
    """Encoder layers, hidden and intermediate sizes."""

    layers: int
    hidden: int
    intermediate: int


class StudentFacts(Record):
    """The student: its pipes, encoder, windows, FLOPs per wordpiece, mean wordpieces per note."""

    pipeline: list[str]
    encoder: EncoderSize
    window: WindowSetting
    flops_per_wordpiece_at_window: float
    linear_flops_per_wordpiece: float
    mean_wordpieces_per_note: float


class PrecisionQuality(Record):
    """Scores of one precision on the benchmark notes, from its reference run."""

    run: str
    strict_micro_f: float
    scores: Scores


class WindowRow(Record):
    """One (window, stride) setting timed with the reference batching (fp32)."""

    window: int | None
    stride: int | None
    configured: bool
    notes_per_s: float
    strict_micro_f: float


class WindowChoice(Record):
    """A (window, stride) setting."""

    window: int | None
    stride: int | None


class WindowSweep(Record):
    """Every window setting timed, and the recommended one (the fastest that keeps F1)."""

    settings: list[WindowRow]
    recommended: WindowChoice


class Quality(Record):
    """F1 of fp32 and int8 on the same notes, and the window sweep."""

    fp32: PrecisionQuality
    int8: PrecisionQuality
    windows: WindowSweep


class TeacherCost(Record):
    """A teacher's speed (notes/s) and cost (USD per 1,000 notes), and where they come from."""

    name: str
    kind: str  # "ontology" or "llm"
    notes_per_s: float | None
    usd_per_1k: float | None
    source: str
    tokens_in_per_note: float | None = None
    tokens_out_per_note: float | None = None
    s_per_note: float | None = None
    model: str | None = None
    ledger_usd_per_1k: float | None = None
    price_note: str | None = None
    lower_bound: bool = False


class SystemRow(Record):
    """One row of the side-by-side table: a student precision or a teacher; ratios are the student's
    speed over the teacher's and the teacher's cost over the student's (per precision)."""

    system: str
    notes_per_s: float | None
    usd_per_1k: float | None
    source: str
    lower_bound: bool = False
    speedup: dict[str, float | None] = {}
    cost_ratio: dict[str, float | None] = {}
    paper_speedup: float | None = None
    paper_cost_ratio: float | None = None


class PaperRatios(Record):
    """The paper's student-vs-teacher speed and cost ratios, by our teacher names."""

    speedup_vs: dict[str, float]
    cost_ratio_vs: dict[str, float]
    source: str


class GoalsMet(Record):
    """Which :class:`Goals` the run met."""

    fp32_flop_bound: bool
    int8_speedup: bool
    int8_f1_loss: bool


class Summary(Record):
    """The headline numbers: best runs, int8 speed-ups, F1 loss, FLOP efficiency, goals, the table."""

    best: dict[str, str]
    int8_speedup_best_vs_best: float
    int8_speedup_same_config: dict[str, float]
    int8_speedup_same_config_cpu_time: dict[str, float]
    f1_strict_micro: dict[str, float]
    f1_loss_points: float
    fp32_pct_of_peak: float
    fp32_cpu_share: float | None
    fp32_pct_of_core_peak_per_cpu_s: float | None
    flop_bound_notes_per_s: float | None
    goals: GoalsMet
    recommended_window: WindowChoice
    table: list[SystemRow]
    paper: PaperRatios


class Benchmark(FileModel):
    """The whole benchmark: the model and notes, the machine, every run, quality, teachers, prices."""

    SCHEMA = "clin_distill.benchmark.v1"
    model: str
    test: str
    n_docs: int
    machine: Machine
    student: StudentFacts
    settings: Settings
    runs: list[Run]
    quality: Quality
    teachers: list[TeacherCost]
    prices: Prices
    summary: Summary
