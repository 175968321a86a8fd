"""Run a spaCy pipeline or an LLM teacher over millions of notes with a Ray Data actor pool.

Each note shard (:mod:`.input`) is one unit of work: a pool of actors (:mod:`.actors`), each
loading its labeller once (:mod:`.pipelines`), annotates whole shards and writes their outputs
(:mod:`.output`); a rerun skips complete shards (:mod:`.restart`); LLM requests in flight are
bounded cluster-wide (:mod:`.limiter`); :mod:`.driver` wires it together. Nothing here logs note
text: messages name shards, line or row numbers and note ids.
"""

from .actors import ShardAnnotator
from .driver import run_distributed
from .input import InputError, Shard, find_shards
from .limiter import ConcurrencyLimiter
from .options import RunOptions
from .output import OutputStore, RunSummary, docs_rel, entities_rel, marker_rel
from .pipelines import ModelSource

__all__ = [
    "ConcurrencyLimiter",
    "InputError",
    "ModelSource",
    "OutputStore",
    "RunOptions",
    "RunSummary",
    "Shard",
    "ShardAnnotator",
    "docs_rel",
    "entities_rel",
    "find_shards",
    "marker_rel",
    "run_distributed",
]
