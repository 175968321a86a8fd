"""Concurrent JSON POSTs with retries: exponential backoff with jitter, ``Retry-After`` honoured.

Retried: HTTP 408/409/425/429 and 5xx, timeouts, connection errors, and replies that are
not the JSON envelope the API promises (truncated or malformed). Other 4xx fail at once.
Failure reasons name status codes and error kinds only, never a request or reply body.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from .ledger import UsageLedger

logger = logging.getLogger("clin_distill.llm")

RETRY_STATUSES = frozenset({408, 409, 425, 429})
RETRY_AFTER_CAP_S = 300.0  # a server asking for longer is waited for this long, then tried again
T = TypeVar("T")


class RetryableReply(Exception):
    """The reply came back but is unusable in a way a new try may fix (reason has no text)."""


class FatalReply(Exception):
    """The reply is final and unusable, e.g. truncated at the token limit (reason has no text)."""


class AuthError(RuntimeError):
    """401/403: every prompt would fail the same way, so the run stops."""


@dataclass(frozen=True)
class Failed:
    reason: str


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


class RetryingPoster:
    """POSTs JSON payloads concurrently (thread pool sharing one httpx connection pool)."""

    def __init__(
        self,
        *,
        max_concurrency: int,
        timeout: float,
        max_tries: int,
        backoff: float,
        max_backoff: float,
        ledger: UsageLedger,
    ):
        if max_concurrency < 1 or max_tries < 1 or timeout <= 0:
            raise ValueError("max_concurrency and max_tries must be >= 1 and timeout > 0")
        self.max_concurrency = max_concurrency
        self.max_tries = max_tries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.ledger = ledger
        limits = httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency)
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), limits=limits)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="clin-distill-llm")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()

    def submit(self, fn: Callable[[Any], T], item: Any) -> Future[T]:
        """Run ``fn(item)`` on the pool (at most ``max_concurrency`` at once)."""
        return self._pool.submit(fn, item)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, RETRY_AFTER_CAP_S)
        cap = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return cap / 2 + random.uniform(0, cap / 2)

    def post(
        self, url: str, payload: dict, headers: dict[str, str], parse: Callable[[dict], T]
    ) -> T | Failed:
        """POST with retries; ``parse`` turns the JSON body into a result or raises a *Reply error."""
        reason = "no attempt"
        for attempt in range(1, self.max_tries + 1):
            self.ledger.record_request(retry=attempt > 1)
            retry_after = None
            try:
                r = self._client.post(url, json=payload, headers=headers)
            except httpx.TimeoutException:
                reason = "timeout"
            except httpx.TransportError as err:
                reason = f"connection error ({type(err).__name__})"
            else:
                if r.status_code in (401, 403):
                    raise AuthError(f"HTTP {r.status_code} from {r.url.host}: check the API key variable")
                if r.status_code == 200:
                    try:
                        return parse(r.json())
                    except ValueError:
                        reason = "malformed JSON reply"
                    except RetryableReply as err:
                        reason = str(err)
                    except FatalReply as err:
                        return Failed(str(err))
                elif r.status_code in RETRY_STATUSES or r.status_code >= 500:
                    reason = f"HTTP {r.status_code}"
                    retry_after = retry_after_seconds(r.headers.get("retry-after"))
                else:
                    return Failed(f"HTTP {r.status_code}")
            if attempt < self.max_tries:
                delay = self._delay(attempt, retry_after)
                logger.debug("retrying after %s (try %d/%d) in %.2fs", reason, attempt, self.max_tries, delay)
                time.sleep(delay)
        return Failed(f"{reason} after {self.max_tries} tries")
