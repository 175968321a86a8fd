"""Combine teacher labels: span clustering, strategies, the subset search, the distilled corpus.

See :mod:`.clusters` for the overlap rule, :mod:`.strategies` and :mod:`.dawid_skene` for
the decision rules, :mod:`.apply` for plans and the failure rule, :mod:`.subsets` for the
search and the ``best`` choice, and :mod:`.disagreements` for the review export.
"""

from .apply import Combined, Part, combine, make_doc, to_docs
from .clusters import Cluster, cluster_spans
from .dawid_skene import DawidSkene
from .disagreements import disagreement, label_studio_task, top_disagreements
from .run import STRATEGIES, CombineReport, named_strategy, run_combine
from .strategies import Decision, Intersection, KOfN, Strategy, Union, Weighted, estimate_weights
from .subsets import all_subsets, choose_best, search_subsets
from .teachers import DocVotes, collect_votes, load_teacher_split

__all__ = [
    "STRATEGIES",
    "Cluster",
    "CombineReport",
    "Combined",
    "DawidSkene",
    "Decision",
    "DocVotes",
    "Intersection",
    "KOfN",
    "Part",
    "Strategy",
    "Union",
    "Weighted",
    "all_subsets",
    "choose_best",
    "cluster_spans",
    "collect_votes",
    "combine",
    "disagreement",
    "estimate_weights",
    "label_studio_task",
    "load_teacher_split",
    "make_doc",
    "named_strategy",
    "run_combine",
    "search_subsets",
    "to_docs",
    "top_disagreements",
]
