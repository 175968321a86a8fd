"""Scripted HTTP servers on loopback for the LLM client's edge cases.

:class:`CannedServer` answers every POST with the next :class:`Canned` reply of its script (the
last one repeats): any status, headers and body, a body with or without Content-Length, and
status line, headers or body dripped a byte at a time. :class:`Listener` accepts TCP connections
and counts them without answering: a stand-in proxy or redirect target that must see nothing.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Canned:
    status: int = 200
    body: bytes | dict = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: bool = True  # False: the body ends when the connection closes
    head_drip_s: float = 0.0  # seconds between bytes of the status line and headers
    body_drip_s: float = 0.0  # seconds between bytes of the body

    def raw(self) -> tuple[bytes, bytes]:
        body = json.dumps(self.body).encode() if isinstance(self.body, dict) else self.body
        headers = {"Content-Type": "application/json", **self.headers}
        if self.content_length:
            headers["Content-Length"] = str(len(body))
        else:
            headers["Connection"] = "close"
        head = f"HTTP/1.1 {self.status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        return (head + "\r\n").encode(), body


def chat_reply(
    content: str | None, finish: str = "stop", usage: tuple[int, int] = (10, 3), **message
) -> dict:
    """An OpenAI chat-completions body."""
    return {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, **message},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
    }


def gemini_reply(candidates: list | None, usage: tuple[int, int] = (10, 3), **extra) -> dict:
    """A Gemini generateContent body (``candidates`` None: the key is absent)."""
    meta = {"promptTokenCount": usage[0], "candidatesTokenCount": usage[1], "totalTokenCount": sum(usage)}
    body = {"usageMetadata": meta, **extra}
    if candidates is not None:
        body["candidates"] = candidates
    return body


class CannedServer:
    """Threaded server on 127.0.0.1 playing a script of replies; a context manager."""

    def __init__(self, script: Iterable[Canned]):
        self.script = list(script)
        self.requests: list[dict] = []  # path and JSON body of every POST
        self.hung_up = 0  # replies the client stopped reading before their end
        self.client_hung_up = threading.Event()  # set at the first one
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with server.lock:
                    server.requests.append({"path": self.path, "body": body})
                    reply = server.script[min(len(server.requests), len(server.script)) - 1]
                head, payload = reply.raw()
                try:
                    self._write(head, reply.head_drip_s)
                    self._write(payload, reply.body_drip_s)
                except (BrokenPipeError, ConnectionResetError):
                    with server.lock:  # the client gave up: what a deadline or a size cap is for
                        server.hung_up += 1
                    server.client_hung_up.set()
                if not reply.content_length:
                    self.close_connection = True

            def _write(self, data: bytes, drip_s: float) -> None:
                if not drip_s:
                    self.wfile.write(data)
                    self.wfile.flush()
                    return
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(drip_s)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self) -> CannedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Listener:
    """Accepts TCP connections on 127.0.0.1 and counts them; answers nothing."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _accept(self) -> None:
        """Count connections until stopped, then those still queued (a timeout: none left)."""
        while True:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                if self._stop.is_set():
                    return
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()
