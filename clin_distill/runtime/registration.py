"""The one way the packaged runtime registers what it ships: spaCy factories and registered functions.

Every runtime module exists twice in a process that has both ``clin_distill`` and the installed
``en_clin_distilled`` (the library's copy, imported through our entry points, and the package's copy,
imported by the model's ``__init__``), in either order. spaCy raises E004 when a second, different
function claims a factory name, and catalogue lets the last copy silently replace a registered
function. Here the first copy registered wins and later copies register nothing, in both orders.
That is safe because what a saved pipeline names is versioned (``clin_distill.ClinicalTokenizer.v1``,
ConText ``clinical_rules = "v1"``): every copy that knows a name does the same thing under it.
"""

from collections.abc import Callable
from typing import Any

import catalogue
from spacy.language import Language
from spacy.util import registry


def register_factory(name: str, func: Callable, **meta: Any) -> None:
    """``@Language.factory(name, **meta)`` unless a copy of the runtime registered ``name`` already."""
    if name not in Language._factory_meta:
        Language.factory(name, **meta)(func)


def register_function(kind: str, name: str, func: Callable) -> Callable:
    """``@registry.<kind>(name)`` unless a copy of the runtime registered ``name`` already."""
    table = getattr(registry, kind)
    if not catalogue.check_exists(*table.namespace, name):  # registered in this process, entry points aside
        table.register(name, func=func)
    return func
