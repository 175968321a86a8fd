"""The HTTP client of the LLM models: every connection guarded, every request under one deadline.

- Destination: each TCP connection the client opens is checked where it is opened, whatever
  led to it. Without the opt-in it must go to a loopback host, and ``localhost`` must resolve
  to loopback addresses (the checked address is the one connected to).
- Proxies: a loopback endpoint never goes through one. A remote endpoint (opted in) uses the
  environment's proxy for its scheme (``HTTPS_PROXY``, ``ALL_PROXY``, ..., ``NO_PROXY``).
  ``.netrc`` credentials are never added. Redirects are never followed.
- Deadline: :func:`deadline` bounds the whole request, from connecting to the last byte of the
  reply: every socket operation waits at most the time left, so a server that drips a byte a
  second is cut at the deadline.

Calls: :mod:`.guard` (the endpoint, then every connection), httpx/httpcore.
"""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

from .guard import check_endpoint, host_of, is_loopback, is_loopback_host, refusal, remote_allowed

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Within the block, socket operations of this thread end by ``seconds`` from now."""
    previous = getattr(_local, "deadline", None)
    _local.deadline = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.deadline = previous


def _time_left(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` cut to what is left of this thread's deadline; ``expired`` once it has passed."""
    until = getattr(_local, "deadline", None)
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise expired("request deadline passed")
    return min(left, math.inf if timeout is None else timeout)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        timeout = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend with the destination check and the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend, allow_remote: bool):
        self._inner = inner
        self._allow_remote = allow_remote

    def destinations(self, host: str, port: int) -> list[str]:
        """The addresses to try; refuses a non-loopback host without the opt-in."""
        if remote_allowed(self._allow_remote):
            return [host]
        if not is_loopback_host(host):
            raise refusal(host, "connection")
        try:
            infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        except OSError as err:
            raise httpcore.ConnectError(f"cannot resolve the loopback host ({type(err).__name__})") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        if not addresses or not all(is_loopback_host(a) for a in addresses):
            raise refusal(host, "resolves off the machine")
        return addresses

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        """Connect to a checked address of ``host``, under the request's deadline."""
        error: Exception | None = None
        for address in self.destinations(host, port):
            try:
                timeout = _time_left(timeout, httpcore.ConnectTimeout)
                stream = self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
                return _DeadlineStream(stream)
            except httpcore.ConnectError as err:  # e.g. ::1 when the server listens on 127.0.0.1 only
                error = err
        raise error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        """Connect to a Unix socket, under the request's deadline."""
        timeout = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        """Sleep as the wrapped backend does."""
        self._inner.sleep(seconds)


def env_proxy(url: str) -> str | None:
    """The environment's proxy for ``url`` (upper- or lowercase variables, NO_PROXY honoured)."""
    proxies = urllib.request.getproxies()
    if not proxies or urllib.request.proxy_bypass(host_of(url)):
        return None
    return proxies.get(httpx.URL(url).scheme) or proxies.get("all")


def guarded_client(base_url: str, allow_remote: bool, max_connections: int) -> httpx.Client:
    """The client for one endpoint (see the module doc). Refuses an endpoint :func:`~.guard.check_endpoint`
    refuses (a remote one without opt-in, credentials in the URL) before anything is built."""
    check_endpoint(base_url, allow_remote)
    remote = not is_loopback(base_url)
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    transport = httpx.HTTPTransport(limits=limits, proxy=env_proxy(base_url) if remote else None)
    # httpx builds the httpcore pool; only its network backend is wrapped (httpx >= 0.23, httpcore 1.x)
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError("unsupported httpx/httpcore version: cannot guard the LLM client's connections")
    pool._network_backend = GuardedBackend(pool._network_backend, allow_remote)
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False, timeout=None)
