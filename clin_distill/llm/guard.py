"""PHI guard: notes go to a non-loopback host only after an explicit opt-in."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

ALLOW_REMOTE_ENV = "CLIN_DISTILL_ALLOW_REMOTE"


class RemoteEndpointRefused(RuntimeError):
    """Raised before any request when notes would leave the machine without opt-in."""


def is_loopback(url: str) -> bool:
    """True if ``url`` names this machine (localhost, 127.0.0.0/8 or ::1). Names are not resolved."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def remote_allowed_by_env() -> bool:
    return os.environ.get(ALLOW_REMOTE_ENV, "").strip().lower() in {"1", "true", "yes"}


def check_endpoint(url: str, allow_remote: bool) -> None:
    """Refuse a non-loopback ``url`` unless ``allow_remote`` or the env flag opts in."""
    if is_loopback(url) or allow_remote or remote_allowed_by_env():
        return
    host = urlsplit(url).hostname or url
    raise RemoteEndpointRefused(
        f"refusing to send clinical notes to non-loopback host {host!r}: pass --allow-remote true "
        f"(weasel: --vars.allow_remote true) or set {ALLOW_REMOTE_ENV}=1 if your data agreement allows it"
    )
