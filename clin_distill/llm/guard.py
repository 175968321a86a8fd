"""PHI guard: notes go to a non-loopback host only after an explicit opt-in.

The loopback rule is defined here once (:func:`is_loopback_host`) and used for endpoint URLs,
for every connection the LLM client opens (:mod:`clin_distill.llm.http`) and for local servers.
URLs are parsed with httpx, the parser of the client that sends the request, so the guard and
the client always agree on the host.

Calls nothing else of the package: the teacher checks its endpoint here once before anything is
built, and the model's client (:mod:`.http`, :mod:`.transport`) checks every request and connection.
"""

from __future__ import annotations

import ipaddress
import os

import httpx

ALLOW_REMOTE_ENV = "CLIN_DISTILL_ALLOW_REMOTE"


class RemoteEndpointRefused(RuntimeError):
    """Raised before any request when notes would leave the machine without opt-in."""


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1, ::ffff:127.x.x.x).

    Other names are not loopback, whatever they resolve to (the client also checks that
    ``localhost`` resolves to a loopback address before it connects).
    """
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def host_of(url: str) -> str:
    """The host httpx would connect to for ``url`` ("" if it has none or does not parse)."""
    try:
        return httpx.URL(url).host
    except (httpx.InvalidURL, TypeError):
        return ""


def is_loopback(url: str) -> bool:
    """True if ``url`` names this machine (see :func:`is_loopback_host`). Names are not resolved."""
    return is_loopback_host(host_of(url))


def remote_allowed_by_env() -> bool:
    """Whether CLIN_DISTILL_ALLOW_REMOTE opts in to remote endpoints."""
    return os.environ.get(ALLOW_REMOTE_ENV, "").strip().lower() in {"1", "true", "yes"}


def remote_allowed(allow_remote: bool) -> bool:
    """The opt-in: the flag, or ``CLIN_DISTILL_ALLOW_REMOTE=1`` in the environment."""
    return allow_remote or remote_allowed_by_env()


def refusal(host: str, how: str = "") -> RemoteEndpointRefused:
    """The one-line error refusing ``host`` (and how it was reached) without the opt-in."""
    via = f" ({how})" if how else ""
    return RemoteEndpointRefused(
        f"refusing to send clinical notes to non-loopback host {host!r}{via}: pass --allow-remote true "
        f"(weasel: --vars.allow_remote true) or set {ALLOW_REMOTE_ENV}=1 if your data agreement allows it"
    )


def check_endpoint(url: str, allow_remote: bool) -> None:
    """Refuse a ``url`` with credentials in it, and a non-loopback one unless opted in."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise ValueError("base_url is not a valid URL") from None
    if parsed.userinfo:
        raise ValueError(
            "base_url must not hold credentials (user:password@): keys come from the environment "
            "variable named in api_key_env"
        )
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("base_url must be an http:// or https:// URL with a host")
    if not is_loopback_host(parsed.host) and not remote_allowed(allow_remote):
        raise refusal(parsed.host)
