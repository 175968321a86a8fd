"""The machine a benchmark ran on: CPU model, cores, SIMD flags, clock, and its fp32 FLOP peak.

Peak fp32 FLOP/s per core = clock x FLOP/cycle. FLOP/cycle is assumed from the CPU flags
(two FMA pipes per core, one FMA = 2 FLOPs per lane):

* AVX-512F on Intel: 2 x 16 lanes x 2 = 64 FLOP/cycle;
* AVX-512F on AMD (Zen 4 runs 512-bit ops as two 256-bit halves), or AVX2 + FMA
  (Haswell and later, Zen 2 and later): 2 x 8 x 2 = 32 FLOP/cycle;
* AVX without FMA: 1 add + 1 mul pipe x 8 lanes = 16 FLOP/cycle;
* otherwise (SSE2): 2 x 4 = 8 FLOP/cycle.

Zen 1 executes 256-bit FMA at half rate (16 FLOP/cycle) but reports the same flags: pass
``flops_per_cycle`` to override. The clock is the highest of the kernel's ``cpuinfo_max_freq``
and ``/proc/cpuinfo``'s "cpu MHz"; in a VM the latter is the nominal clock and turbo may run
faster, which would make the reported % of peak an overestimate.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from ..stepfiles.benchmark import Machine

SIMD_FLAGS = ("sse2", "avx", "fma", "avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")


def assumed_flops_per_cycle(flags: set[str], vendor: str) -> tuple[int, str]:
    """fp32 FLOP/cycle/core assumed from SIMD flags (see module docstring)."""
    if "avx512f" in flags and "intel" in vendor.lower():
        return 64, "AVX-512F, 2 FMA pipes x 16 fp32 lanes x 2"
    if "avx512f" in flags or {"avx2", "fma"} <= flags:
        return 32, "AVX2/FMA, 2 FMA pipes x 8 fp32 lanes x 2"
    if "avx" in flags:
        return 16, "AVX without FMA, 1 add + 1 mul pipe x 8 fp32 lanes"
    return 8, "SSE2, 2 pipes x 4 fp32 lanes"


def _cpuinfo() -> list[dict[str, str]]:
    path = Path("/proc/cpuinfo")
    if not path.exists():
        return []
    blocks = []
    for block in path.read_text().strip().split("\n\n"):
        entry = {}
        for line in block.splitlines():
            key, _, value = line.partition(":")
            entry[key.strip()] = value.strip()
        blocks.append(entry)
    return blocks


def _clock_ghz(cpus: list[dict[str, str]]) -> tuple[float, str]:
    sysfs = Path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")
    candidates = []
    if sysfs.exists():
        candidates.append((int(sysfs.read_text().strip()) / 1e6, "cpufreq cpuinfo_max_freq"))
    mhz = [float(c["cpu MHz"]) for c in cpus if c.get("cpu MHz")]
    if mhz:
        candidates.append((max(mhz) / 1e3, "/proc/cpuinfo cpu MHz"))
    if not candidates:
        return 0.0, "unknown"
    return max(candidates)


def machine_info(flops_per_cycle: int | None = None, ghz: float | None = None) -> Machine:
    """Read the CPU from /proc/cpuinfo; ``flops_per_cycle`` and ``ghz`` override the assumptions."""
    import torch

    cpus = _cpuinfo()
    first = cpus[0] if cpus else {}
    flags = set(first.get("flags", "").split())
    vendor = first.get("vendor_id", platform.processor())
    cores = {(c.get("physical id", "0"), c.get("core id", str(i))) for i, c in enumerate(cpus)}
    fpc, rule = assumed_flops_per_cycle(flags, vendor)
    if flops_per_cycle:
        fpc, rule = flops_per_cycle, "given on the command line"
    clock, source = _clock_ghz(cpus)
    if ghz:
        clock, source = ghz, "given on the command line"
    return Machine(
        cpu_model=first.get("model name", platform.processor() or "unknown"),
        vendor=vendor,
        logical_cpus=os.cpu_count() or 1,
        physical_cores=len(cores) or (os.cpu_count() or 1),
        usable_cpus=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
        ghz=round(clock, 3),
        ghz_source=source,
        flags=sorted(f for f in SIMD_FLAGS if f in flags),
        flops_per_cycle=fpc,
        flops_per_cycle_rule=rule,
        torch=torch.__version__,
        torch_capability=torch.backends.cpu.get_cpu_capability(),
        quantized_engine=torch.backends.quantized.engine,
    )
