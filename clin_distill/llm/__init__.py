"""LLM teachers: concurrent, cached, costed and PHI-guarded spacy-llm models.

``clin_distill.OpenAICompatible.v1`` and ``clin_distill.Gemini.v1`` are registered in
spacy-llm's ``llm_models`` registry (entry point group ``spacy_llm_models``), so a
``[components.llm.model]`` block in any spaCy config can use them.

One doc's path, each module called once and in this order (:mod:`.run` drives it):
:mod:`.teacher` (config, PHI guard, prices, task and model, cache folder) → :mod:`.labeling` →
:mod:`.chunking` → the task's prompts → the model (:mod:`.rest` → :mod:`.cache` → :mod:`.transport`
→ :mod:`.http`) → :mod:`.replies` → :mod:`.grounding` → back in :mod:`.labeling`, the doc or its
failure mark → :mod:`.run` writes it.
"""

from .guard import ALLOW_REMOTE_ENV, RemoteEndpointRefused, check_endpoint, is_loopback
from .models import FAILURE_PREFIX, Gemini, OpenAICompatible, failure_reason

__all__ = [
    "ALLOW_REMOTE_ENV",
    "FAILURE_PREFIX",
    "Gemini",
    "OpenAICompatible",
    "RemoteEndpointRefused",
    "check_endpoint",
    "failure_reason",
    "is_loopback",
]
