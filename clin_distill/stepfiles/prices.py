"""The price table, ``configs/prices.cfg``: list prices of the LLM teachers and of CPU time.

Read by the LLM teachers (their ledgers' prices) and the benchmark (cost per 1,000 notes); the
benchmark records the table it used in ``metrics/benchmark.json``. Prices are USD.
"""

from __future__ import annotations

from pathlib import Path

from confection import Config
from pydantic import ValidationError

from .base import Record


class LLMPrice(Record):
    """USD per 1M input/output tokens of one teacher (``[llm.<teacher name>]``) and the ``model`` it calls."""

    model: str | None = None
    input_per_1m: float
    output_per_1m: float
    source: str
    note: str | None = None
    launch_input_per_1m: float | None = None
    launch_output_per_1m: float | None = None


class CpuPrice(Record):
    """An on-demand VM: USD per hour for ``vcpus`` virtual CPUs."""

    instance: str = ""
    usd_per_hour: float
    vcpus: int
    source: str


class Prices(Record):
    """The table's ``version`` and ``as_of`` date, LLM prices by teacher name, and CPU time."""

    version: str
    as_of: str
    llm: dict[str, LLMPrice]
    cpu: CpuPrice

    @property
    def usd_per_vcpu_hour(self) -> float:
        """USD per vCPU-hour."""
        return self.cpu.usd_per_hour / self.cpu.vcpus


def load_prices(path: str | Path) -> Prices:
    """Read and check the price table.

    Raises:
        ValueError: a missing or wrong field, as one line naming the file and the field.
    """
    cfg = Config().from_disk(path, interpolate=False)
    meta = cfg.get("meta", {})
    data = {
        "version": meta.get("version"),
        "as_of": meta.get("as_of"),
        **{k: cfg.get(k) for k in ("llm", "cpu")},
    }
    for key in ("version", "as_of"):
        data[key] = None if data[key] is None else str(data[key])
    try:
        return Prices.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        if first["type"] == "missing":
            raise ValueError(f"{path}: price table lacks {where}") from None
        raise ValueError(f"{path}: price table field {where}: {first['msg']}") from None
