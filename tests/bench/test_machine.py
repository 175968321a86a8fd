from __future__ import annotations

from clin_distill.bench.machine import assumed_flops_per_cycle, machine_info


def test_flops_per_cycle_rules():
    assert assumed_flops_per_cycle({"avx512f", "avx2", "fma"}, "GenuineIntel")[0] == 64
    assert assumed_flops_per_cycle({"avx512f", "avx2", "fma"}, "AuthenticAMD")[0] == 32
    assert assumed_flops_per_cycle({"avx2", "fma", "avx"}, "AuthenticAMD")[0] == 32
    assert assumed_flops_per_cycle({"avx"}, "GenuineIntel")[0] == 16
    assert assumed_flops_per_cycle({"sse2"}, "GenuineIntel")[0] == 8


def test_machine_info_reads_this_machine_and_takes_overrides():
    m = machine_info()
    assert m.logical_cpus >= 1 and m.usable_cpus >= 1 and m.flops_per_cycle in (8, 16, 32, 64)
    assert m.cpu_model and m.torch
    given = machine_info(flops_per_cycle=16, ghz=2.0)
    assert given.peak_gflops_per_core == 32.0
    assert given.peak_gflops(1000) == 32.0 * given.usable_cpus
    assert given.model_dump()["peak_gflops_per_core"] == 32.0
