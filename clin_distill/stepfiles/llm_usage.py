"""``metrics/teachers/<t>.usage.json``: an LLM teacher's ledger (tokens, requests, cost, time).

Written by :func:`clin_distill.llm.run.run_teacher` (teach-llm and teach-local-llm); read by the
benchmark (speed and cost per note), the teach scripts' summaries and the report's local-LLM
section. Token counts are what replies reported; costs are USD at the ledger's prices per 1M tokens.
"""

from __future__ import annotations

from .base import FileModel, Record


class PricedUsage(Record):
    """Tokens and their cost in USD (``completion_tokens`` are billed output, reasoning included)."""

    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cost_usd: float


class PricesPer1M(Record):
    """USD per 1M input and output tokens."""

    input: float
    output: float


class Interrupted(Record):
    """Killed earlier runs: how many, what they were billed, requests they left in flight, and how many
    of those prompts this run sent again (``resent``) at what cost (``resent_usage``)."""

    runs: int
    billed: PricedUsage
    in_flight: int
    resent: int
    resent_usage: PricedUsage


class LedgerCounts(Record):
    """One model's ledger (:class:`clin_distill.llm.ledger.UsageLedger`).

    ``requests``: HTTP tries; ``retries``: tries after the first; ``unanswered``: tries without a reply
    (maybe billed, tokens unknown); ``failures``: prompts that failed after all tries; ``cache_hits``
    and ``cached``: prompts answered from the reply cache and what they cost when first paid;
    ``model_wall_s``: seconds the model was busy.
    """

    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    prompts: int
    requests: int
    retries: int
    unanswered: int
    failures: int
    cache_hits: int
    model_wall_s: float
    cost_usd: float
    cached: PricedUsage
    prices_per_1m: PricesPer1M
    interrupted: Interrupted | None = None


class ServerInfo(Record):
    """The local LLM server a step started: what it ran, its context size, threads, start-up seconds."""

    server: str
    n_ctx: int
    n_threads: int | None
    startup_s: float


class LLMUsage(FileModel, LedgerCounts):
    """The ledger of one teacher's run over ``dataset``: ``docs`` labelled in ``wall_s`` seconds.

    The local-llm step adds its ``server``, the few-shot ``examples`` file name and
    ``max_docs_per_split``.
    """

    SCHEMA = "clin_distill.llm_usage.v1"
    teacher: str
    model: str
    endpoint_host: str
    dataset: str
    docs: int
    wall_s: float
    docs_per_s: float | None
    server: ServerInfo | None = None
    examples: str | None = None
    max_docs_per_split: int | None = None

    @property
    def all_cached(self) -> bool:
        """Every prompt was answered from the cache (the run's time says nothing about the model)."""
        return self.cache_hits >= self.prompts > 0

    def tokens_per_note(self) -> tuple[float, float]:
        """(input, output) tokens per note, fresh and cached replies together; (0, 0) without docs."""
        docs = self.docs or self.prompts
        if not docs:
            return 0.0, 0.0
        tokens_in = self.prompt_tokens + self.cached.prompt_tokens
        return tokens_in / docs, (self.completion_tokens + self.cached.completion_tokens) / docs
