"""The cluster-wide bound on LLM requests in flight: a named Ray actor holding a semaphore.

At most ``llm_max_concurrency // llm_requests_per_actor`` batches call the model at once, on all
nodes together, and each actor's teacher sends at most ``llm_requests_per_actor`` requests at once,
so in-flight requests never exceed the provider's limit whatever the actor count. The limiter
lives as long as the run (each run has its own): two runs against one provider key must split the
limit between them.
"""

from __future__ import annotations

import asyncio
from typing import Any

LIMITER_NAMESPACE = "clin_distill"


class ConcurrencyLimiter:
    """A semaphore as an async Ray actor. Slots are held per actor id, so an actor that Ray
    restarts after a crash (same id) gives back what its dead incarnation held."""

    def __init__(self, slots: int):
        self.slots = slots
        self.free = asyncio.Semaphore(slots)
        self.held: dict[str, int] = {}
        self.acquired = 0
        self.peak = 0

    async def acquire(self, holder: str) -> None:
        """Wait for a free slot and hold it for ``holder``."""
        await self.free.acquire()
        self.held[holder] = self.held.get(holder, 0) + 1
        self.acquired += 1
        self.peak = max(self.peak, sum(self.held.values()))

    async def release(self, holder: str) -> None:
        """Free one slot ``holder`` holds (nothing if it holds none)."""
        if self.held.get(holder, 0) > 0:
            self.held[holder] -= 1
            self.free.release()

    async def release_all(self, holder: str) -> None:
        """Free every slot ``holder`` holds (a restarted actor frees its dead incarnation's)."""
        for _ in range(self.held.pop(holder, 0)):
            self.free.release()

    async def stats(self) -> dict[str, int]:
        """Slots, those in flight, acquisitions so far and the peak in flight."""
        in_flight = sum(self.held.values())
        return {"slots": self.slots, "in_flight": in_flight, "acquired": self.acquired, "peak": self.peak}


def concurrency_limiter(slots: int, name: str = "clin_distill_llm_limiter") -> Any:
    """The named limiter actor of this job (created, or joined if it exists with the same slots):
    the bound on LLM batches in flight across all actors on all nodes."""
    import ray

    remote = ray.remote(num_cpus=0)(ConcurrencyLimiter)
    limiter = remote.options(
        name=name, namespace=LIMITER_NAMESPACE, get_if_exists=True, max_concurrency=10_000
    ).remote(slots)
    existing = ray.get(limiter.stats.remote())["slots"]
    if existing != slots:
        raise ValueError(f"limiter {name!r} already runs with {existing} slots, not {slots}")
    return limiter
