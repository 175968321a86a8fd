"""Concurrent JSON POSTs with retries: exponential backoff with jitter, ``Retry-After`` honoured.

Each try runs under one deadline (``timeout`` seconds, connecting to the reply's last byte) and
reads at most ``max_reply_bytes`` of reply. Retried: HTTP 408/409/425/429 and 5xx, timeouts,
connection errors, and replies that are not the JSON envelope the API promises (truncated or
malformed) or that the model's parser calls retryable. Other 4xx, redirects (never followed)
and replies over the size cap fail at once. Every token a reply reports is counted in the
ledger and journal, also when the reply is then rejected. Failure reasons name status codes
and error kinds only, never a request or reply body.

Calls: :mod:`.http` (the guarded client, the deadline), :mod:`.ledger` and :mod:`.journal` (every
try); :mod:`.guard` checks each request's URL. Concurrency is the model's (:mod:`.rest`).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from .guard import check_endpoint, host_of, is_loopback
from .http import deadline, guarded_client
from .journal import RequestJournal
from .ledger import Usage, UsageLedger

logger = logging.getLogger("clin_distill.llm")

RETRY_STATUSES = frozenset({408, 409, 425, 429})
RETRY_AFTER_CAP_S = 300.0  # a server asking for longer is waited for this long, then tried again
DEFAULT_MAX_REPLY_BYTES = 1 << 20
ERROR_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,39}$")  # an API error code, never free text


class ReplyError(Exception):
    """An unusable reply; ``reason`` has no text of the reply, ``usage`` what it was billed."""

    def __init__(self, reason: str, usage: Usage | None = None):
        super().__init__(reason)
        self.usage = usage or Usage()


class RetryableReply(ReplyError):
    """The reply came back but is unusable in a way a new try may fix."""


class FatalReply(ReplyError):
    """The reply is final and unusable (filtered, blocked, cut at the token limit)."""


class AuthError(RuntimeError):
    """401/403: every prompt would fail the same way, so the run stops."""


@dataclass(frozen=True)
class Failed:
    """A prompt that failed after its tries (or at once, where a retry cannot help): why, never note text."""

    reason: str


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: httpx.Headers
    body: bytes | None  # None: over the size cap


@dataclass(frozen=True)
class _Outcome:
    """One try: ``result`` if ``reason`` is empty; ``usage`` None when no reply came."""

    result: Any = None
    reason: str = ""
    usage: Usage | None = field(default_factory=Usage)
    final: bool = False
    retry_after: float | None = None


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header: delta seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_code(body: bytes | None) -> str | None:
    """The API's error code of an error reply (``{"error": {"code"|"status": ...}}``), if it is a plain
    identifier (never the error message: it may quote the prompt)."""
    try:
        error = json.loads(body or b"").get("error") or {}
        codes = [error.get("code"), error.get("status")]
    except (ValueError, AttributeError):
        return None
    return next((c for c in codes if isinstance(c, str) and ERROR_CODE.match(c)), None)


class RetryingPoster:
    """POSTs JSON payloads to one endpoint with retries, through one guarded client (thread safe:
    the model's threads share it, up to ``max_concurrency`` connections)."""

    def __init__(
        self,
        *,
        base_url: str,
        allow_remote: bool,
        max_concurrency: int,
        timeout: float,
        max_tries: int,
        backoff: float,
        max_backoff: float,
        ledger: UsageLedger,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ):
        self._client = guarded_client(base_url, allow_remote, max(max_concurrency, 1))
        if max_concurrency < 1 or max_tries < 1 or timeout <= 0 or max_reply_bytes < 1:
            self._client.close()
            raise ValueError("max_concurrency, max_tries and max_reply_bytes must be >= 1 and timeout > 0")
        self.remote = not is_loopback(base_url)
        self.allow_remote = allow_remote
        self.max_concurrency = max_concurrency
        self.timeout = timeout
        self.max_tries = max_tries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_reply_bytes = max_reply_bytes
        self.ledger = ledger
        self.journal: RequestJournal | None = None

    def close(self) -> None:
        """Close the client (the model has waited for its requests in flight)."""
        self._client.close()

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, RETRY_AFTER_CAP_S)
        cap = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return cap / 2 + random.uniform(0, cap / 2)

    def _send(self, url: str, payload: dict, headers: dict[str, str]) -> _Reply:
        """One try under the deadline; the body is read up to the size cap."""
        with deadline(self.timeout), self._client.stream("POST", url, json=payload, headers=headers) as r:
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_reply_bytes:
                return _Reply(r.status_code, r.headers, None)
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > self.max_reply_bytes:
                    return _Reply(r.status_code, r.headers, None)
            return _Reply(r.status_code, r.headers, bytes(body))

    def _judge(self, reply: _Reply, parse: Callable[[Any], Any], host: str) -> _Outcome:
        """What one reply means: a result, or why it failed and whether to try again."""
        status = reply.status
        if status in (401, 403):
            raise AuthError(f"HTTP {status} from {host}: check the API key variable")
        if reply.body is None:
            return _Outcome(reason=f"reply over {self.max_reply_bytes} bytes", final=True)
        if 300 <= status < 400:
            return _Outcome(reason=f"HTTP {status} (redirect not followed)", final=True)
        if status != 200:
            code = error_code(reply.body)
            retry = status in RETRY_STATUSES or status >= 500
            return _Outcome(
                reason=f"HTTP {status}" + (f" ({code})" if code else ""),
                final=not retry,
                retry_after=retry_after_seconds(reply.headers.get("retry-after")) if retry else None,
            )
        try:
            body = json.loads(reply.body)
        except ValueError:
            return _Outcome(reason="malformed JSON reply")
        try:
            parsed = parse(body)
        except ReplyError as err:
            return _Outcome(reason=str(err), usage=err.usage, final=isinstance(err, FatalReply))
        return _Outcome(result=parsed, usage=parsed[1])

    def post(
        self, url: str, payload: dict, headers: dict[str, str], parse: Callable[[Any], Any], key: str = ""
    ) -> Any:
        """POST with retries; ``parse`` turns the JSON body into ``(result, usage)`` or raises a
        :class:`ReplyError`. Returns what ``parse`` returned, or :class:`Failed`. ``key`` names the prompt in
        the journal."""
        check_endpoint(url, self.allow_remote)
        resent = key in self.ledger.resend_keys
        outcome = _Outcome(reason="no attempt")
        for attempt in range(1, self.max_tries + 1):
            self.ledger.record_request(retry=attempt > 1, resent=resent)
            if self.journal is not None:
                self.journal.sent(key, attempt)
            try:
                outcome = self._judge(self._send(url, payload, headers), parse, host_of(url))
            except AuthError:
                if self.journal is not None:
                    self.journal.done(key, attempt, "unauthorized", Usage())
                raise
            except httpx.TimeoutException:
                outcome = _Outcome(reason="timeout", usage=None)
            except httpx.TransportError as err:
                outcome = _Outcome(reason=f"connection error ({type(err).__name__})", usage=None)
            if outcome.usage is None:
                self.ledger.record_unanswered()
            else:
                self.ledger.record_answer(outcome.usage, resent=resent)
            if self.journal is not None:
                self.journal.done(key, attempt, outcome.reason or "ok", outcome.usage)
            if not outcome.reason:
                return outcome.result
            if outcome.final:
                return Failed(outcome.reason)
            if attempt < self.max_tries:
                delay = self._delay(attempt, outcome.retry_after)
                logger.debug(
                    "retrying after %s (try %d/%d) in %.2fs", outcome.reason, attempt, self.max_tries, delay
                )
                time.sleep(delay)
        return Failed(f"{outcome.reason} after {self.max_tries} tries")
