"""The spacy-llm model interface shared by both API dialects: a batch of prompts in, one reply each out.

Its one job is the prompt layer: each prompt of a batch is answered on the model's thread pool (at
most ``max_concurrency`` at once) from the reply cache when it holds the prompt, else through the
:class:`~.transport.RetryingPoster` (which retries, and records every try in the ledger and journal),
and a fresh reply is added to the cache. A prompt that still fails yields a failure marker
(``FAILURE_PREFIX + reason``) in place of a reply, which :mod:`.replies` reads as a failed chunk,
never as "no entities". API keys are read from the environment at call time.

Calls: :mod:`.cache` (prompt key, lookup, store), :mod:`.transport` (the request), :mod:`.ledger`
(prompt counts); the dialects (:mod:`.clients`) build requests and read replies.
spacy-llm's REST models are not used: they send a batch's prompts one at a time, through ``requests``
with no guard on the connections it opens, and raise (or return the error body as the reply) where we
need a failure marker.
"""

from __future__ import annotations

import json
import os
import typing
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .cache import PromptCache, prompt_key
from .journal import RequestJournal
from .ledger import Usage, UsageLedger
from .transport import Failed, ReplyError, RetryableReply, RetryingPoster

FAILURE_PREFIX = "\x00clin_distill.llm_failure:"


def failure_reason(reply: str) -> str | None:
    """The failure reason if ``reply`` is a failure marker, else None."""
    return reply[len(FAILURE_PREFIX) :] if reply.startswith(FAILURE_PREFIX) else None


class RESTModel:
    """Shared batching, caching and accounting; subclasses build requests and read replies.

    base_url: API root (".../v1" for OpenAI-compatible servers). Non-loopback hosts need allow_remote.
    name: model name sent to the API.
    api_key_env: name of the environment variable holding the key ("" for none). Keys are never in configs.
    max_concurrency: requests in flight at once.
    timeout: seconds one try may take in all, connecting to the reply's last byte.
    max_tries: attempts per prompt (first try included).
    backoff, max_backoff: base and cap (seconds) of the jittered exponential backoff; a server's
        Retry-After replaces it (up to 300 s).
    input_price_per_1m, output_price_per_1m: USD per 1M prompt / output (reasoning included) tokens.
    context_length: tokens the model accepts (informational; the teacher chunks long notes).
    allow_remote: explicit opt-in to send notes to a non-loopback host (or CLIN_DISTILL_ALLOW_REMOTE=1).
    A reply longer than :meth:`limit_reply_bytes` (default 1 MiB) fails its prompt at once.
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
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.api_key_env = api_key_env
        self._context_length = context_length
        self.ledger = UsageLedger(input_price_per_1m, output_price_per_1m)
        self.cache: PromptCache | None = None
        self._poster = RetryingPoster(  # refuses the endpoint (PHI guard) before anything else
            base_url=self.base_url,
            allow_remote=allow_remote,
            max_concurrency=max_concurrency,
            timeout=timeout,
            max_tries=max_tries,
            backoff=backoff,
            max_backoff=max_backoff,
            ledger=self.ledger,
        )
        if api_key_env and self._poster.remote and not os.environ.get(api_key_env):
            self._poster.close()
            raise RuntimeError(f"environment variable {api_key_env} (the API key) is not set")
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="clin-distill-llm")

    @property
    def context_length(self) -> int | None:
        """The model's context length in tokens, if its config gives one."""
        return self._context_length

    def limit_reply_bytes(self, max_bytes: int) -> None:
        """Fail a prompt whose reply is longer than ``max_bytes`` (a teacher's ``[teacher]`` setting)."""
        if max_bytes < 1:
            raise ValueError("max_reply_bytes must be at least 1")
        self._poster.max_reply_bytes = max_bytes

    @property
    def identity(self) -> str:
        """What determines a reply besides the prompt (the cache key; the URL is left out)."""
        return json.dumps({"model": self.name, **self._generation_settings()}, sort_keys=True)

    def use_cache(self, cache: PromptCache | None, journal: RequestJournal | None = None) -> None:
        """Answer from ``cache`` and add new answers to it; log every try in ``journal``."""
        self.cache = cache
        self._poster.journal = journal

    def _api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def _generation_settings(self) -> dict[str, Any]:
        raise NotImplementedError

    def _request(self, prompt: str) -> tuple[str, dict, dict[str, str]]:
        raise NotImplementedError

    def _usage(self, body: dict) -> Usage:
        """The tokens the reply reports (raises on a malformed usage block)."""
        raise NotImplementedError

    def _text(self, body: dict) -> str:
        """The reply text; raises RetryableReply or FatalReply for unusable replies."""
        raise NotImplementedError

    def _parse(self, body: Any) -> tuple[str, Usage]:
        """(text, usage); an error raised for an unusable reply carries the usage it was billed."""
        try:
            usage = self._usage(body)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            usage = Usage()
        try:
            text = self._text(body)
        except ReplyError as err:
            err.usage = usage
            raise
        except (KeyError, IndexError, TypeError, AttributeError):
            raise RetryableReply("reply not in the API's format", usage) from None
        if not text.strip():
            raise RetryableReply("empty reply", usage)
        return text, usage

    def _answer(self, prompt: str) -> str:
        key = prompt_key(self.identity, prompt)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            self.ledger.record_prompt(cached=hit[1])
            return hit[0]
        url, payload, headers = self._request(prompt)
        result = self._poster.post(url, payload, headers, self._parse, key)
        if isinstance(result, Failed):
            self.ledger.record_prompt(failed=True)
            return FAILURE_PREFIX + result.reason
        text, usage = result
        if self.cache is not None:
            self.cache.put(key, text, usage)
        self.ledger.record_prompt()
        return text

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
            futures = [[self._pool.submit(self._answer, p) for p in doc_prompts] for doc_prompts in prompts]
            return [[f.result() for f in doc_futures] for doc_futures in futures]
        finally:
            self.ledger.stop()

    def reset_ledger(self) -> UsageLedger:
        """Start a fresh ledger (same prices) and return it; the old one keeps what it counted."""
        self.ledger = UsageLedger(self.ledger.input_price_per_1m, self.ledger.output_price_per_1m)
        self._poster.ledger = self.ledger
        return self.ledger

    def close(self, finished: bool = True) -> None:
        """Stop the requests; ``finished``: this run's usage was saved (else the journal leaves the
        run open, and the next run reports what it paid for, like a killed run's)."""
        self._pool.shutdown(wait=True)
        self._poster.close()
        if self.cache is not None:
            self.cache.close()
        if self._poster.journal is not None:
            self._poster.journal.close(finished)
