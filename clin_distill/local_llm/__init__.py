"""The offline LLM teacher: a local llama.cpp server (SmolLM2) behind the OpenAI protocol."""

from .fewshot import pick_examples, write_fewshot
from .session import local_server_url, teach_local
from .speed import speed_side_by_side

__all__ = ["local_server_url", "pick_examples", "speed_side_by_side", "teach_local", "write_fewshot"]
