"""A local LLM server for tests: OpenAI chat completions and Gemini generateContent.

It answers spacy.NER.v3 prompts from a vocabulary (term -> label): for the last
``Paragraph:`` of a prompt it lists, in order, every vocabulary term found there as whole
words, so its answers are grounded for any note. The vocabulary comes from a few-shot
YAML (spans marked as entities), a JSON ``{term: label}`` file or a gold DocBin's ents.

Faults are injected per prompt by marker words in the note, ``FAULT<KIND>x<N>`` (the first
N tries of that prompt fail), or for every prompt with ``faults={"KIND": N}``:

- ``429`` (no Retry-After), ``429RA`` (Retry-After: 1), ``500``,
- ``SLOW`` (sleeps ``slow_s`` before answering, to trip client timeouts),
- ``TRUNC`` (200 with truncated JSON), ``ENVELOPE`` (200, JSON without choices/candidates),
- ``FORMAT`` (200, reply text in the wrong format), ``ABSENT`` (adds a mention not in the note).

It counts requests (``stats()``): per status, per prompt hash, per path, per model name, those
carrying an API key (``Authorization`` or ``x-goog-api-key``; the key itself is never kept), the
tokens it reported, when each try of a note arrived (``tried_at``, by note) and the most requests it had in
flight at once (``max_in_flight``). ``gather=n`` holds the first requests until n are in flight at
once (or 10 s passed), so a test sees whether a client sends them concurrently.
``hold_after(n)`` blocks every answer after the n-th until ``release()``, which drops them
unanswered (for kill-and-resume tests). Run as a process:
``python -m tests.helpers.llm_server --port N [--mode vocab|none|error500|malformed] [--vocab F]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import srsly

REPO = Path(__file__).resolve().parents[2]
DEFAULT_VOCAB = REPO / "configs" / "teachers" / "examples" / "ner_fewshot.yml"
FAULT = re.compile(r"FAULT(429RA|429|500|SLOW|TRUNC|ENVELOPE|FORMAT|ABSENT)(?:x(\d+))?")
ABSENT_MENTION = "unobtainium"
MODES = ("vocab", "none", "error500", "malformed")


def load_vocab(path: str | Path) -> dict[str, str]:
    """term -> label from a few-shot YAML, a JSON mapping or a gold DocBin."""
    path = Path(path)
    if path.suffix in (".yml", ".yaml"):
        return {s["text"]: s["label"] for eg in srsly.read_yaml(path) for s in eg["spans"] if s["is_entity"]}
    if path.suffix == ".json":
        return dict(srsly.read_json(path))
    if path.suffix == ".spacy":
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab

        return {e.text: e.label_ for d in DocBin().from_disk(path).get_docs(Vocab()) for e in d.ents}
    raise ValueError(f"unknown vocabulary format: {path.name}")


def paragraph_of(prompt: str) -> str:
    """The note text of a spacy.NER.v3 prompt (the last Paragraph: ... Answer: block)."""
    start = prompt.rfind("Paragraph: ")
    end = prompt.rfind("\nAnswer:")
    return prompt[start + len("Paragraph: ") : end] if 0 <= start < end else prompt


class _State:
    def __init__(self, vocab, latency, faults, slow_s, mode, reasoning_tokens, gather=0):
        self.vocab = vocab
        terms = sorted(vocab, key=len, reverse=True)
        self.term_re = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)
            if terms
            else None
        )
        self.lower = {t.lower(): label for t, label in vocab.items()}
        self.latency = latency
        self.faults = dict(faults or {})
        self.slow_s = slow_s
        self.mode = mode
        self.reasoning_tokens = reasoning_tokens
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.gather, self.gathered = gather, gather <= 1
        self.in_flight = self.max_in_flight = 0
        self.tried_at: dict[str, list[float]] = {}
        self.tries: Counter = Counter()
        self.answered: Counter = Counter()
        self.status: Counter = Counter()
        self.paths: Counter = Counter()
        self.keyed: Counter = Counter()
        self.models: Counter = Counter()
        self.tokens: Counter = Counter()
        self.requests = 0
        self.hold_at: int | None = None
        self.gate = threading.Event()
        self.gate.set()
        self.dropped = 0

    def answer_text(self, note: str, absent: bool) -> str:
        seen, lines = set(), []
        for m in self.term_re.finditer(note) if self.term_re else ():
            text = m.group(1)
            if text.lower() not in seen:
                seen.add(text.lower())
                lines.append((text, self.lower[text.lower()]))
        if absent:
            lines.append((ABSENT_MENTION, "MEDICATION"))
        if not lines:
            first = note.split()[0] if note.split() else "none"
            return f"1. {first} | False | ==NONE== | not a clinical entity"
        return "\n".join(
            f"{i}. {t} | True | {label} | found in the vocabulary" for i, (t, label) in enumerate(lines, 1)
        )


def _handler(state: _State):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output clean (and free of prompts)
            pass

        def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            try:
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a timeout): nothing to answer
                return
            with state.lock:
                state.status[status] += 1

        def do_GET(self):  # noqa: N802 (spacy-llm's auth check lists models)
            with state.lock:
                state.paths[self.path] += 1
            self._send(200, json.dumps({"data": [{"id": "gpt-4"}, {"id": "local"}]}).encode())

        def do_POST(self):  # noqa: N802
            with state.arrived:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
                state.arrived.notify_all()
                # gather: hold the first requests until that many are in flight at once (10 s at most)
                state.arrived.wait_for(lambda: state.gathered or state.in_flight >= state.gather, timeout=10)
                state.gathered = True
            try:
                self._post()
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _post(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            gemini = ":generateContent" in self.path
            prompt = body["contents"][0]["parts"][0]["text"] if gemini else body["messages"][-1]["content"]
            key = hashlib.sha256(prompt.encode()).hexdigest()
            note = paragraph_of(prompt)
            with state.lock:
                state.requests += 1
                state.paths[self.path.split("?")[0]] += 1
                if self.headers.get("Authorization") or self.headers.get("x-goog-api-key"):
                    state.keyed[self.path.split("?")[0]] += 1
                state.tries[key] += 1
                state.tried_at.setdefault(note, []).append(time.perf_counter())
                state.models[self.path.split(":")[0].rsplit("/", 1)[-1] if gemini else body.get("model")] += 1
                attempt = state.tries[key]
            if state.latency:
                time.sleep(state.latency)
            faults = dict(state.faults)
            faults.update({k: int(n) if n else 10**6 for k, n in FAULT.findall(note)})
            active = {k for k, n in faults.items() if attempt <= n}
            if state.mode == "error500" or "500" in active:
                return self._send(500, b'{"error": {"message": "internal error"}}')
            if "429" in active:
                return self._send(429, b'{"error": {"message": "rate limited"}}')
            if "429RA" in active:
                return self._send(429, b'{"error": {"message": "rate limited"}}', {"Retry-After": "1"})
            if "SLOW" in active:
                time.sleep(state.slow_s)
            if state.mode == "malformed" or "TRUNC" in active:
                return self._send(200, b'{"choices": [{"message": {"content": "1. fev')
            if "ENVELOPE" in active:
                return self._send(200, b'{"object": "chat.completion", "model": "local"}')
            if "FORMAT" in active:
                text = "Sure! Here are the entities I found in the text, described in prose."
            elif state.mode == "none":
                text = "1. text | False | ==NONE== | no clinical entity"
            else:
                text = state.answer_text(note, "ABSENT" in active)
            if not self._wait_gate():
                return
            n_in, n_out = len(prompt.split()), len(text.split())
            n_reason = state.reasoning_tokens
            with state.lock:
                state.answered[key] += 1
                state.tokens.update(prompt=n_in, completion=n_out + n_reason, reasoning=n_reason)
            self._send(200, json.dumps(self._reply(gemini, text, n_in, n_out, n_reason)).encode())

        def _wait_gate(self) -> bool:
            with state.lock:
                held = state.hold_at is not None and sum(state.answered.values()) >= state.hold_at
            if not held:
                return True
            state.gate.wait()
            with state.lock:
                state.dropped += 1
            self.close_connection = True
            return False

        @staticmethod
        def _reply(gemini: bool, text: str, n_in: int, n_out: int, n_reason: int) -> dict:
            if gemini:
                meta = {
                    "promptTokenCount": n_in,
                    "candidatesTokenCount": n_out,
                    "totalTokenCount": n_in + n_out,
                }
                if n_reason:
                    meta["thoughtsTokenCount"] = n_reason
                    meta["totalTokenCount"] += n_reason
                return {
                    "candidates": [
                        {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
                    ],
                    "usageMetadata": meta,
                }
            usage = {
                "prompt_tokens": n_in,
                "completion_tokens": n_out + n_reason,
                "total_tokens": n_in + n_out + n_reason,
            }
            if n_reason:
                usage["completion_tokens_details"] = {"reasoning_tokens": n_reason}
            return {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                ],
                "usage": usage,
            }

    return Handler


class LLMTestServer:
    """Threaded server on 127.0.0.1; use as a context manager or start()/stop()."""

    def __init__(
        self,
        vocab: dict[str, str] | None = None,
        *,
        port: int = 0,
        latency: float = 0.0,
        faults: dict[str, int] | None = None,
        slow_s: float = 2.0,
        mode: str = "vocab",
        reasoning_tokens: int = 0,
        gather: int = 0,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        vocab = load_vocab(DEFAULT_VOCAB) if vocab is None else vocab
        self.state = _State(vocab, latency, faults, slow_s, mode, reasoning_tokens, gather)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.state))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def gemini_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1beta"

    def start(self) -> LLMTestServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> LLMTestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def hold_after(self, n: int) -> None:
        with self.state.lock:
            self.state.hold_at = n
            self.state.gate.clear()

    def release(self) -> None:
        """Drop the held requests unanswered and answer everything from now on."""
        with self.state.lock:
            self.state.hold_at = None
        self.state.gate.set()

    def stats(self) -> dict:
        s = self.state
        with s.lock:
            return {
                "requests": s.requests,
                "by_status": dict(s.status),
                "tries": dict(s.tries),
                "answered": dict(s.answered),
                "tokens": dict(s.tokens),
                "paths": dict(s.paths),
                "keyed": dict(s.keyed),
                "models": dict(s.models),
                "dropped": s.dropped,
                "max_in_flight": s.max_in_flight,
                "tried_at": {k: list(v) for k, v in s.tried_at.items()},
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--mode", choices=MODES, default="vocab")
    parser.add_argument(
        "--vocab", default=str(DEFAULT_VOCAB), help="few-shot .yml, {term: label} .json or .spacy"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--fault", action="append", default=[], help="KIND:N applied to every prompt, repeatable"
    )
    args = parser.parse_args()
    faults = {k: int(n) for k, n in (f.split(":") for f in args.fault)}
    server = LLMTestServer(
        load_vocab(args.vocab), port=args.port, latency=args.latency, faults=faults, mode=args.mode
    )
    print(f"llm test server ready at {server.url}", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
