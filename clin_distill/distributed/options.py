"""The knobs of a distributed run."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class RunOptions:
    """``actors=0`` fills the cluster's CPUs (or GPUs) without oversubscribing; ``torch_threads=0``
    means ``ceil(num_cpus)`` per actor. LLM teachers: ``llm_max_concurrency`` caps requests in flight
    cluster-wide (0 = each actor as its config says), ``llm_requests_per_actor`` is one actor's share,
    ``llm_cache`` the folder of the teachers' reply caches and journals (the same one teach-llm uses,
    on storage every node sees), ``allow_remote`` the opt-in to send notes to a non-loopback endpoint."""

    batch_size: int = 64
    actors: int = 0
    num_cpus: float = 1.0
    num_gpus: float = 0.0
    torch_threads: int = 0
    id_column: str = "id"
    text_column: str = "text"
    include_text: bool = False
    docbin: bool = False
    llm_max_concurrency: int = 0
    llm_requests_per_actor: int = 1
    llm_cache: str = "cache/llm"
    allow_remote: bool = False

    def threads(self) -> int:
        """Torch threads per actor: as given, else its CPUs rounded up."""
        return self.torch_threads or max(1, math.ceil(self.num_cpus))

    def llm_slots(self) -> int:
        """Batches allowed in flight cluster-wide so that slots x requests per actor <= the limit."""
        if self.llm_max_concurrency <= 0:
            return 0
        slots = self.llm_max_concurrency // max(1, self.llm_requests_per_actor)
        if slots < 1:
            raise ValueError("llm_max_concurrency is below llm_requests_per_actor: no batch could run")
        return slots
