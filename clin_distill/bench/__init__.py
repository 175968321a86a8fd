"""CPU benchmark of the student (fp32 vs int8) against the teachers' speed and cost.

Modules: ``machine`` (CPU and its FLOP peak), ``flops`` (encoder FLOPs per wordpiece),
``batching`` (fixed and length-sorted wordpiece-budget batches), ``throughput`` (timing,
latency, peak RSS), ``student`` (the pipeline's encoder, tokenizer and windows), ``costs``
(teachers' speed and cost from their metrics and ledgers), ``run`` (the whole benchmark),
``summary`` (headline numbers and goals) and ``tables`` (output). The result is written as
:class:`clin_distill.stepfiles.benchmark.Benchmark`.
"""

from .flops import EncoderShape
from .machine import Machine, machine_info

__all__ = ["EncoderShape", "Machine", "machine_info"]
