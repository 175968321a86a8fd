"""The registered spacy-llm models: any OpenAI-compatible server, and Gemini's native REST API.

``clin_distill.OpenAICompatible.v1``/``v2`` and ``clin_distill.Gemini.v1`` are registered in
spacy-llm's ``llm_models`` registry; the models themselves are in :mod:`.clients` and
:mod:`.rest` (failure markers: :data:`FAILURE_PREFIX`, :func:`failure_reason`). Its one job is the
versioned factory signatures; each builds a :mod:`.clients` model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy_llm.registry import registry

from .clients import Gemini, OpenAICompatible
from .grammar import NoteSpanGrammar
from .rest import FAILURE_PREFIX, RESTModel, failure_reason

__all__ = ["FAILURE_PREFIX", "Gemini", "OpenAICompatible", "RESTModel", "failure_reason"]

# The factories' signatures are the registered, versioned interface: each is spelled out in
# full, and each body passes exactly its arguments (``locals()``, before any other name is bound).


@registry.llm_models("clin_distill.OpenAICompatible.v1")
def make_openai_compatible(
    base_url: str = "https://api.openai.com/v1",
    name: str = "gpt-4o",
    api_key_env: str = "OPENAI_API_KEY",
    max_concurrency: int = 16,
    timeout: float = 60.0,
    max_tries: int = 6,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    input_price_per_1m: float = 0.0,
    output_price_per_1m: float = 0.0,
    temperature: float | None = 0.0,
    response_format: dict[str, Any] | None = None,
    extra_body: dict[str, Any] = {},  # noqa: B006 (confection passes config dicts)
    context_length: int | None = None,
    allow_remote: bool = False,
) -> OpenAICompatible:
    """Chat-completions model. temperature None omits it (o1-style models reject it);
    reasoning tokens come from usage.completion_tokens_details.reasoning_tokens.
    response_format and extra_body (e.g. max_completion_tokens, grammar) go into the request body.
    """
    return OpenAICompatible(**locals())


@registry.llm_models("clin_distill.OpenAICompatible.v2")
def make_openai_compatible_v2(
    base_url: str = "https://api.openai.com/v1",
    name: str = "gpt-4o",
    api_key_env: str = "OPENAI_API_KEY",
    max_concurrency: int = 16,
    timeout: float = 60.0,
    max_tries: int = 6,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    input_price_per_1m: float = 0.0,
    output_price_per_1m: float = 0.0,
    temperature: float | None = 0.0,
    response_format: dict[str, Any] | None = None,
    extra_body: dict[str, Any] = {},  # noqa: B006 (confection passes config dicts)
    # (annotated as a Callable: confection validates string annotations in pydantic's namespace)
    grammar: Callable[[str], str] | None = None,
    context_length: int | None = None,
    allow_remote: bool = False,
) -> OpenAICompatible:
    """v1 plus ``grammar``: a per-prompt llama.cpp grammar (``clin_distill.NoteSpanGrammar.v1``)
    that lets a small model copy mentions only from the note it is given."""
    if grammar is not None and not isinstance(grammar, NoteSpanGrammar):
        raise TypeError("grammar must be a clin_distill.NoteSpanGrammar.v1")
    return OpenAICompatible(**locals())


@registry.llm_models("clin_distill.Gemini.v1")
def make_gemini(
    base_url: str = "https://generativelanguage.googleapis.com/v1beta",
    name: str = "gemini-1.5-flash",
    api_key_env: str = "GEMINI_API_KEY",
    max_concurrency: int = 16,
    timeout: float = 60.0,
    max_tries: int = 6,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    input_price_per_1m: float = 0.0,
    output_price_per_1m: float = 0.0,
    temperature: float | None = 0.0,
    response_mime_type: str | None = None,
    generation_config: dict[str, Any] = {},  # noqa: B006
    context_length: int | None = None,
    allow_remote: bool = False,
) -> Gemini:
    """Gemini generateContent model; tokens from usageMetadata (thoughts billed as output)."""
    return Gemini(**locals())
