"""spacy-llm models for any OpenAI-compatible server and for Gemini's native REST API.

Both send a batch of prompts concurrently, retry transient errors, count tokens and cost
in a :class:`UsageLedger`, and answer from a :class:`PromptCache` when one is attached.
A prompt that still fails yields a failure marker (``FAILURE_PREFIX + reason``) in place
of a reply; :func:`failure_reason` recognises it, so the caller marks the doc failed
instead of reading "no entities". API keys are read from the environment at call time.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Callable
from typing import Any

from spacy_llm.registry import registry

from .cache import PromptCache, prompt_key
from .grammar import NoteSpanGrammar
from .guard import check_endpoint, is_loopback
from .ledger import Usage, UsageLedger
from .transport import Failed, FatalReply, RetryableReply, RetryingPoster

FAILURE_PREFIX = "\x00clin_distill.llm_failure:"


def failure_reason(reply: str) -> str | None:
    """The failure reason if ``reply`` is a failure marker, else None."""
    return reply[len(FAILURE_PREFIX) :] if reply.startswith(FAILURE_PREFIX) else None


class _RESTModel:
    """Shared batching, caching and accounting; subclasses build requests and parse replies.

    base_url: API root (".../v1" for OpenAI-compatible servers). Non-loopback hosts need allow_remote.
    name: model name sent to the API.
    api_key_env: name of the environment variable holding the key ("" for none). Keys are never in configs.
    max_concurrency: requests in flight at once.
    timeout: seconds per request. max_tries: attempts per prompt (first try included).
    backoff, max_backoff: base and cap (seconds) of the jittered exponential backoff; a server's
        Retry-After replaces it (up to 300 s).
    input_price_per_1m, output_price_per_1m: USD per 1M prompt / output (reasoning included) tokens.
    context_length: tokens the model accepts (informational; the teacher chunks long notes).
    allow_remote: explicit opt-in to send notes to a non-loopback host (or CLIN_DISTILL_ALLOW_REMOTE=1).
    """

    def __init__(
        self,
        *,
        base_url: str,
        name: str,
        api_key_env: str,
        max_concurrency: int,
        timeout: float,
        max_tries: int,
        backoff: float,
        max_backoff: float,
        input_price_per_1m: float,
        output_price_per_1m: float,
        context_length: int | None,
        allow_remote: bool,
    ):
        check_endpoint(base_url, allow_remote)
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.api_key_env = api_key_env
        if api_key_env and not is_loopback(base_url) and not os.environ.get(api_key_env):
            raise RuntimeError(f"environment variable {api_key_env} (the API key) is not set")
        self._context_length = context_length
        self.ledger = UsageLedger(input_price_per_1m, output_price_per_1m)
        self.cache: PromptCache | None = None
        self._poster = RetryingPoster(
            max_concurrency=max_concurrency,
            timeout=timeout,
            max_tries=max_tries,
            backoff=backoff,
            max_backoff=max_backoff,
            ledger=self.ledger,
        )

    @property
    def context_length(self) -> int | None:
        return self._context_length

    @property
    def identity(self) -> str:
        """What determines a reply besides the prompt (the cache key; the URL is left out)."""
        return json.dumps({"model": self.name, **self._generation_settings()}, sort_keys=True)

    def use_cache(self, cache: PromptCache | None) -> None:
        self.cache = cache

    def _api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _generation_settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def _request(self, prompt: str) -> tuple[str, dict, dict[str, str]]:
        raise NotImplementedError

    def _parse(self, body: dict) -> tuple[str, Usage]:
        raise NotImplementedError

    def _answer(self, prompt: str) -> str:
        key = prompt_key(self.identity, prompt)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            self.ledger.record_prompt(cached=hit[1])
            return hit[0]
        url, payload, headers = self._request(prompt)
        result = self._poster.post(url, payload, headers, self._parse_counted)
        if isinstance(result, Failed):
            self.ledger.record_prompt(failed=True)
            return FAILURE_PREFIX + result.reason
        text, usage = result
        if self.cache is not None:
            self.cache.put(key, text, usage)
        self.ledger.record_prompt()
        return text

    def _parse_counted(self, body: dict) -> tuple[str, Usage]:
        try:
            text, usage = self._parse(body)
        except (KeyError, IndexError, TypeError, AttributeError):
            raise RetryableReply("reply not in the API's format") from None
        self.ledger.record_answer(usage)
        return text, usage

    def __call__(
        self, prompts: typing.Iterable[typing.Iterable[str]]
    ) -> typing.Iterable[typing.Iterable[str]]:
        """Answer every prompt of every doc concurrently; failures become failure markers.

        (``typing.Iterable``: spacy-llm's signature check does not accept collections.abc.)
        Each prompt is submitted as soon as the task has rendered it, so rendering the rest
        of the batch overlaps with the requests already in flight.
        """
        self.ledger.start()
        try:
            futures = [[self._poster.submit(self._answer, p) for p in doc_prompts] for doc_prompts in prompts]
            return [[f.result() for f in doc_futures] for doc_futures in futures]
        finally:
            self.ledger.stop()

    def close(self) -> None:
        self._poster.close()
        if self.cache is not None:
            self.cache.close()


class OpenAICompatible(_RESTModel):
    """Chat completions on OpenAI, Azure-style gateways, vLLM, Ollama, llama.cpp, ...

    grammar: builds each request's llama.cpp ``grammar`` from its prompt (None: no grammar
    beyond one a caller put in extra_body).
    """

    def __init__(
        self,
        *,
        temperature: float | None,
        response_format: dict[str, Any] | None,
        extra_body: dict[str, Any],
        grammar: NoteSpanGrammar | None = None,
        **kwargs: Any,
    ):
        self.temperature = temperature
        self.response_format = dict(response_format) if response_format else None
        self.extra_body = dict(extra_body)
        if grammar is not None and "grammar" in self.extra_body:
            raise ValueError("give the grammar either in extra_body or as a per-prompt grammar, not both")
        self.grammar = grammar
        super().__init__(**kwargs)

    def _generation_settings(self) -> dict[str, Any]:
        settings = {
            "temperature": self.temperature,
            "response_format": self.response_format,
            "extra_body": self.extra_body,
        }
        if self.grammar is not None:
            settings["grammar"] = self.grammar.describe()
        return settings

    def _request(self, prompt: str) -> tuple[str, dict, dict[str, str]]:
        payload: dict[str, Any] = {
            "model": self.name,
            "messages": [{"role": "user", "content": prompt}],
            **self.extra_body,
        }
        if self.grammar is not None:
            payload["grammar"] = self.grammar(prompt)
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        if self.response_format is not None:
            payload["response_format"] = self.response_format
        headers = {"Content-Type": "application/json"}
        if key := self._api_key():
            headers["Authorization"] = f"Bearer {key}"
        return f"{self.base_url}/chat/completions", payload, headers

    def _parse(self, body: dict) -> tuple[str, Usage]:
        choice = body["choices"][0]
        content = choice["message"]["content"]
        raw = body.get("usage") or {}
        details = raw.get("completion_tokens_details") or {}
        usage = Usage(
            prompt_tokens=int(raw.get("prompt_tokens", 0)),
            completion_tokens=int(raw.get("completion_tokens", 0)),
            reasoning_tokens=int(details.get("reasoning_tokens") or 0),
        )
        if choice.get("finish_reason") == "length":
            self.ledger.record_answer(usage)
            raise FatalReply("reply cut at the token limit")
        if not isinstance(content, str):
            raise RetryableReply("reply without text content")
        return content, usage


class Gemini(_RESTModel):
    """Gemini through the native ``models/<name>:generateContent`` REST endpoint."""

    def __init__(
        self,
        *,
        temperature: float | None,
        response_mime_type: str | None,
        generation_config: dict[str, Any],
        **kwargs: Any,
    ):
        self.temperature = temperature
        self.response_mime_type = response_mime_type
        self.generation_config = dict(generation_config)
        super().__init__(**kwargs)

    def _generation_settings(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "response_mime_type": self.response_mime_type,
            "generation_config": self.generation_config,
        }

    def _request(self, prompt: str) -> tuple[str, dict, dict[str, str]]:
        config: dict[str, Any] = dict(self.generation_config)
        if self.temperature is not None:
            config["temperature"] = self.temperature
        if self.response_mime_type:
            config["responseMimeType"] = self.response_mime_type
        payload: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
        if config:
            payload["generationConfig"] = config
        headers = {"Content-Type": "application/json"}
        if key := self._api_key():
            headers["x-goog-api-key"] = key  # a header, so the key never appears in a logged URL
        return f"{self.base_url}/models/{self.name}:generateContent", payload, headers

    def _parse(self, body: dict) -> tuple[str, Usage]:
        meta = body.get("usageMetadata") or {}
        thoughts = int(meta.get("thoughtsTokenCount", 0))
        usage = Usage(
            prompt_tokens=int(meta.get("promptTokenCount", 0)),
            completion_tokens=int(meta.get("candidatesTokenCount", 0)) + thoughts,
            reasoning_tokens=thoughts,
        )
        if "candidates" not in body and (block := (body.get("promptFeedback") or {}).get("blockReason")):
            self.ledger.record_answer(usage)
            raise FatalReply(f"prompt blocked ({block})")
        candidate = body["candidates"][0]
        if candidate.get("finishReason") == "MAX_TOKENS":
            self.ledger.record_answer(usage)
            raise FatalReply("reply cut at the token limit")
        parts = candidate["content"]["parts"]
        text = "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))
        return text, usage


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
    return OpenAICompatible(
        base_url=base_url,
        name=name,
        api_key_env=api_key_env,
        max_concurrency=max_concurrency,
        timeout=timeout,
        max_tries=max_tries,
        backoff=backoff,
        max_backoff=max_backoff,
        input_price_per_1m=input_price_per_1m,
        output_price_per_1m=output_price_per_1m,
        temperature=temperature,
        response_format=response_format,
        extra_body=extra_body,
        context_length=context_length,
        allow_remote=allow_remote,
    )


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
    return OpenAICompatible(
        base_url=base_url,
        name=name,
        api_key_env=api_key_env,
        max_concurrency=max_concurrency,
        timeout=timeout,
        max_tries=max_tries,
        backoff=backoff,
        max_backoff=max_backoff,
        input_price_per_1m=input_price_per_1m,
        output_price_per_1m=output_price_per_1m,
        temperature=temperature,
        response_format=response_format,
        extra_body=extra_body,
        grammar=grammar,
        context_length=context_length,
        allow_remote=allow_remote,
    )


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
    return Gemini(
        base_url=base_url,
        name=name,
        api_key_env=api_key_env,
        max_concurrency=max_concurrency,
        timeout=timeout,
        max_tries=max_tries,
        backoff=backoff,
        max_backoff=max_backoff,
        input_price_per_1m=input_price_per_1m,
        output_price_per_1m=output_price_per_1m,
        temperature=temperature,
        response_mime_type=response_mime_type,
        generation_config=generation_config,
        context_length=context_length,
        allow_remote=allow_remote,
    )
