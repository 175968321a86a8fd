"""Local LLM server lifecycle (start, health, stop, stop on error) against a stand-in process
that speaks the OpenAI protocol (tests.helpers.llm_server), so CI needs no llama.cpp build."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import httpx
import pytest

from clin_distill.local_llm.server import ServerError, free_port, llama_cpp_command, serving

REPO = Path(__file__).resolve().parents[2]


def stand_in(port: int) -> list[str]:
    return [sys.executable, "-m", "tests.helpers.llm_server", "--port", str(port), "--mode", "vocab"]


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch):
    monkeypatch.chdir(REPO)


def test_serving_starts_answers_and_stops(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    log = tmp_path / "server.log"
    with serving(stand_in(port), url, log, startup_timeout=60) as proc:
        reply = httpx.post(
            f"{url}/chat/completions",
            json={"model": "local", "messages": [{"role": "user", "content": "Paragraph: hi\nAnswer:"}]},
            timeout=10,
        )
        assert reply.status_code == 200
        assert proc.poll() is None
    assert proc.poll() is not None
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_server_is_stopped_when_the_body_fails(tmp_path):
    port = free_port()
    with pytest.raises(RuntimeError, match="labeling failed"):
        with serving(stand_in(port), f"http://127.0.0.1:{port}/v1", tmp_path / "log") as proc:
            raise RuntimeError("labeling failed")
    assert proc.poll() is not None


def test_server_that_exits_early_is_reported(tmp_path):
    command = [sys.executable, "-c", "import sys; sys.exit(3)"]
    with pytest.raises(ServerError, match="exited with code 3"):
        with serving(command, f"http://127.0.0.1:{free_port()}/v1", tmp_path / "log"):
            pass


def test_server_that_never_gets_healthy_is_killed(tmp_path):
    command = [sys.executable, "-c", "import time; time.sleep(120)"]
    with pytest.raises(ServerError, match="not healthy"):
        with serving(command, f"http://127.0.0.1:{free_port()}/v1", tmp_path / "log", startup_timeout=2):
            pass


def test_only_loopback_servers(tmp_path):
    with pytest.raises(ServerError, match="loopback"):
        with serving(["true"], "http://10.1.2.3:8080/v1", tmp_path / "log"):
            pass


def test_llama_cpp_command_binds_loopback(tmp_path):
    cmd = llama_cpp_command(tmp_path / "m.gguf", 8123, n_threads=2)
    assert cmd[1:3] == ["-m", "llama_cpp.server"]
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert cmd[cmd.index("--port") + 1] == "8123"
