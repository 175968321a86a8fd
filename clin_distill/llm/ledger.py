"""Token, request and cost ledger of one LLM model (thread safe).

Its one job is counting: the model counts prompts (:mod:`.rest`), the transport counts tries and the
tokens each reply reported (:mod:`.transport`). Calls nothing else of the package (its record is
:class:`clin_distill.stepfiles.llm_usage.LedgerCounts`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field

from ..stepfiles.llm_usage import Interrupted, LedgerCounts, PricedUsage, PricesPer1M


@dataclass
class Usage:
    """Tokens a reply reported: prompt, completion (billed output, reasoning included) and reasoning."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0

    def add(self, other: Usage) -> None:
        """Add ``other``'s tokens to these."""
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.reasoning_tokens += other.reasoning_tokens

    def cost(self, input_price_per_1m: float, output_price_per_1m: float) -> float:
        """USD cost. ``completion_tokens`` are the billed output tokens, reasoning included."""
        return (self.prompt_tokens * input_price_per_1m + self.completion_tokens * output_price_per_1m) / 1e6


@dataclass
class UsageLedger:
    """Counts what this run sent and received, and what the cache saved.

    ``requests`` counts HTTP tries, ``retries`` the tries after the first, ``unanswered`` the tries
    that got no reply (timeout, connection error: maybe billed, tokens unknown), ``failures`` the
    prompts that still failed after all tries. ``usage`` is every token a reply reported, rejected
    replies (filtered, cut, retried) included. ``interrupted_runs`` (runs, billed usage, requests in
    flight) describes killed earlier runs (see :mod:`clin_distill.llm.journal`); ``resend_keys`` are the
    prompts they left in flight; ``resent`` and ``resent_usage`` count this run's tries of those prompts
    and what they were billed.
    """

    input_price_per_1m: float = 0.0
    output_price_per_1m: float = 0.0
    usage: Usage = field(default_factory=Usage)
    cached_usage: Usage = field(default_factory=Usage)
    resent_usage: Usage = field(default_factory=Usage)
    prompts: int = 0
    requests: int = 0
    retries: int = 0
    unanswered: int = 0
    failures: int = 0
    cache_hits: int = 0
    resent: int = 0
    busy_s: float = 0.0
    interrupted_runs: tuple[int, Usage, int] | None = None
    resend_keys: frozenset[str] = frozenset()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _since: float | None = field(default=None, repr=False, compare=False)

    def note_interrupted(self, runs: int, billed: Usage, in_flight: int, keys: frozenset[str]) -> None:
        """Report killed earlier runs: what they were billed, what they left in flight (``keys``)."""
        with self._lock:
            self.interrupted_runs = (runs, billed, in_flight)
            self.resend_keys = keys

    def record_request(self, retry: bool, resent: bool = False) -> None:
        """Count one HTTP try (a retry when not the first; a resend of a killed run's prompt)."""
        with self._lock:
            self.requests += 1
            self.retries += int(retry)
            self.resent += int(resent)

    def record_answer(self, usage: Usage, resent: bool = False) -> None:
        """Count the tokens a reply reported (also when the reply is then rejected)."""
        with self._lock:
            self.usage.add(usage)
            if resent:
                self.resent_usage.add(usage)

    def record_unanswered(self) -> None:
        """Count a try that got no reply (timeout, connection error)."""
        with self._lock:
            self.unanswered += 1

    def record_prompt(self, failed: bool = False, cached: Usage | None = None) -> None:
        """Count one prompt: failed after all tries, or answered from the cache with its usage."""
        with self._lock:
            self.prompts += 1
            self.failures += int(failed)
            if cached is not None:
                self.cache_hits += 1
                self.cached_usage.add(cached)

    def start(self) -> None:
        """Start timing the model's busy time."""
        with self._lock:
            self._since = time.perf_counter()

    def stop(self) -> None:
        """Stop timing and add the elapsed seconds."""
        with self._lock:
            if self._since is not None:
                self.busy_s += time.perf_counter() - self._since
                self._since = None

    def priced(self, usage: Usage) -> PricedUsage:
        """``usage`` with its cost at this ledger's prices."""
        cost = usage.cost(self.input_price_per_1m, self.output_price_per_1m)
        return PricedUsage(**asdict(usage), cost_usd=round(cost, 6))

    @property
    def cost_usd(self) -> float:
        """USD of every token a reply reported in this run (cached replies not included)."""
        return self.usage.cost(self.input_price_per_1m, self.output_price_per_1m)

    @property
    def cached_cost_usd(self) -> float:
        """USD the replies answered from the cache cost when they were first paid."""
        return self.cached_usage.cost(self.input_price_per_1m, self.output_price_per_1m)

    def record(self) -> LedgerCounts:
        """What the ledger counted so far, as the usage file holds it."""
        with self._lock:
            interrupted = None
            if self.interrupted_runs is not None:
                runs, billed, in_flight = self.interrupted_runs
                interrupted = Interrupted(
                    runs=runs,
                    billed=self.priced(billed),
                    in_flight=in_flight,
                    resent=self.resent,
                    resent_usage=self.priced(self.resent_usage),
                )
            return LedgerCounts(
                **asdict(self.usage),
                prompts=self.prompts,
                requests=self.requests,
                retries=self.retries,
                unanswered=self.unanswered,
                failures=self.failures,
                cache_hits=self.cache_hits,
                model_wall_s=round(self.busy_s, 3),
                cost_usd=round(self.cost_usd, 6),
                cached=self.priced(self.cached_usage),
                prices_per_1m=PricesPer1M(input=self.input_price_per_1m, output=self.output_price_per_1m),
                interrupted=interrupted,
            )
