"""Token, request and cost ledger of one LLM model (thread safe)."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.reasoning_tokens += other.reasoning_tokens

    def cost(self, input_price_per_1m: float, output_price_per_1m: float) -> float:
        """USD cost. ``completion_tokens`` are the billed output tokens, reasoning included."""
        return (self.prompt_tokens * input_price_per_1m + self.completion_tokens * output_price_per_1m) / 1e6


@dataclass
class UsageLedger:
    """Counts what this run sent and received, and what the cache saved.

    ``requests`` counts HTTP attempts, ``retries`` the attempts after the first,
    ``failures`` the prompts that still failed after all tries.
    """

    input_price_per_1m: float = 0.0
    output_price_per_1m: float = 0.0
    usage: Usage = field(default_factory=Usage)
    cached_usage: Usage = field(default_factory=Usage)
    prompts: int = 0
    requests: int = 0
    retries: int = 0
    failures: int = 0
    cache_hits: int = 0
    busy_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _since: float | None = field(default=None, repr=False, compare=False)

    def record_request(self, retry: bool) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retry)

    def record_answer(self, usage: Usage) -> None:
        with self._lock:
            self.usage.add(usage)

    def record_prompt(self, failed: bool = False, cached: Usage | None = None) -> None:
        with self._lock:
            self.prompts += 1
            self.failures += int(failed)
            if cached is not None:
                self.cache_hits += 1
                self.cached_usage.add(cached)

    def start(self) -> None:
        with self._lock:
            self._since = time.perf_counter()

    def stop(self) -> None:
        with self._lock:
            if self._since is not None:
                self.busy_s += time.perf_counter() - self._since
                self._since = None

    @property
    def cost_usd(self) -> float:
        return self.usage.cost(self.input_price_per_1m, self.output_price_per_1m)

    @property
    def cached_cost_usd(self) -> float:
        return self.cached_usage.cost(self.input_price_per_1m, self.output_price_per_1m)

    def to_dict(self) -> dict:
        with self._lock:
            return {
                **asdict(self.usage),
                "prompts": self.prompts,
                "requests": self.requests,
                "retries": self.retries,
                "failures": self.failures,
                "cache_hits": self.cache_hits,
                "model_wall_s": round(self.busy_s, 3),
                "cost_usd": round(self.cost_usd, 6),
                "cached": {**asdict(self.cached_usage), "cost_usd": round(self.cached_cost_usd, 6)},
                "prices_per_1m": {"input": self.input_price_per_1m, "output": self.output_price_per_1m},
            }
