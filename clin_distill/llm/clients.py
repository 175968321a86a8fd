"""The two API dialects: OpenAI-compatible chat completions and Gemini's generateContent.

Each builds its request and reads its reply: the text, the tokens it was billed, and why an
unusable reply failed (cut at the token limit, filtered, blocked, refused, empty). The shared
prompt layer is :class:`~.rest.RESTModel`; a per-prompt grammar comes from :mod:`.grammar`.
"""

from __future__ import annotations

from typing import Any

from .grammar import NoteSpanGrammar
from .ledger import Usage
from .rest import RESTModel
from .transport import FatalReply, RetryableReply

# Gemini finishReasons: the reply was withheld (blocked), or ended normally
GEMINI_BLOCKED = frozenset(
    {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"}
)
GEMINI_DONE = frozenset({None, "STOP", "FINISH_REASON_UNSPECIFIED"})


class OpenAICompatible(RESTModel):
    """Chat completions on OpenAI, Azure-style gateways, vLLM, Ollama, llama.cpp, ...

    grammar: builds each request's llama.cpp ``grammar`` from its prompt (None: no grammar
    beyond one a caller put in extra_body).
    """

    def __init__(
        self,
        *,
        temperature: float | None,
        response_format: dict[str, Any] | None,
        extra_body: dict[str, Any],
        grammar: NoteSpanGrammar | None = None,
        **kwargs: Any,
    ):
        self.temperature = temperature
        self.response_format = dict(response_format) if response_format else None
        self.extra_body = dict(extra_body)
        if grammar is not None and "grammar" in self.extra_body:
            raise ValueError("give the grammar either in extra_body or as a per-prompt grammar, not both")
        self.grammar = grammar
        super().__init__(**kwargs)

    def _generation_settings(self) -> dict[str, Any]:
        settings = {
            "temperature": self.temperature,
            "response_format": self.response_format,
            "extra_body": self.extra_body,
        }
        if self.grammar is not None:
            settings["grammar"] = self.grammar.describe()
        return settings

    def _request(self, prompt: str) -> tuple[str, dict, dict[str, str]]:
        payload: dict[str, Any] = {
            "model": self.name,
            "messages": [{"role": "user", "content": prompt}],
            **self.extra_body,
        }
        if self.grammar is not None:
            payload["grammar"] = self.grammar(prompt)
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        if self.response_format is not None:
            payload["response_format"] = self.response_format
        headers = {"Content-Type": "application/json"}
        if key := self._api_key():
            headers["Authorization"] = f"Bearer {key}"
        return f"{self.base_url}/chat/completions", payload, headers

    def _usage(self, body: dict) -> Usage:
        raw = body.get("usage") or {}
        details = raw.get("completion_tokens_details") or {}
        return Usage(
            prompt_tokens=int(raw.get("prompt_tokens") or 0),
            completion_tokens=int(raw.get("completion_tokens") or 0),
            reasoning_tokens=int(details.get("reasoning_tokens") or 0),
        )

    def _text(self, body: dict) -> str:
        choice = body["choices"][0]
        message = choice.get("message") or {}
        finish = choice.get("finish_reason")
        if finish == "length":
            raise FatalReply("reply cut at the token limit")
        if finish == "content_filter":
            raise FatalReply("reply filtered by the provider (content_filter)")
        if message.get("refusal"):
            raise FatalReply("the model refused (refusal)")
        content = message["content"]
        return content if isinstance(content, str) else ""


class Gemini(RESTModel):
    """Gemini through the native ``models/<name>:generateContent`` REST endpoint."""

    def __init__(
        self,
        *,
        temperature: float | None,
        response_mime_type: str | None,
        generation_config: dict[str, Any],
        **kwargs: Any,
    ):
        self.temperature = temperature
        self.response_mime_type = response_mime_type
        self.generation_config = dict(generation_config)
        super().__init__(**kwargs)

    def _generation_settings(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "response_mime_type": self.response_mime_type,
            "generation_config": self.generation_config,
        }

    def _request(self, prompt: str) -> tuple[str, dict, dict[str, str]]:
        config: dict[str, Any] = dict(self.generation_config)
        if self.temperature is not None:
            config["temperature"] = self.temperature
        if self.response_mime_type:
            config["responseMimeType"] = self.response_mime_type
        payload: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}
        if config:
            payload["generationConfig"] = config
        headers = {"Content-Type": "application/json"}
        if key := self._api_key():
            headers["x-goog-api-key"] = key  # a header, so the key never appears in a logged URL
        return f"{self.base_url}/models/{self.name}:generateContent", payload, headers

    def _usage(self, body: dict) -> Usage:
        meta = body.get("usageMetadata") or {}
        thoughts = int(meta.get("thoughtsTokenCount") or 0)
        return Usage(
            prompt_tokens=int(meta.get("promptTokenCount") or 0),
            completion_tokens=int(meta.get("candidatesTokenCount") or 0) + thoughts,
            reasoning_tokens=thoughts,
        )

    def _text(self, body: dict) -> str:
        candidates = body.get("candidates") or []
        if not candidates:
            block = (body.get("promptFeedback") or {}).get("blockReason")
            if block:
                raise FatalReply(f"prompt blocked ({block})")
            raise RetryableReply("reply without candidates")
        candidate = candidates[0]
        finish = candidate.get("finishReason")
        if finish == "MAX_TOKENS":
            raise FatalReply("reply cut at the token limit")
        if finish in GEMINI_BLOCKED:
            raise FatalReply(f"reply blocked ({finish})")
        if finish not in GEMINI_DONE:
            raise FatalReply(f"reply stopped ({finish})")
        parts = (candidate.get("content") or {}).get("parts") or []
        return "".join(p["text"] for p in parts if "text" in p and not p.get("thought"))
