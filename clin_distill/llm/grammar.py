"""Per-prompt GBNF grammars whose mentions can only be copied from the prompt's note.

A small model asked to "copy each mention exactly" still invents text or copies the few-shot
examples. llama.cpp constrains decoding by a grammar sent with each request, so
:class:`NoteSpanGrammar` completes a reply grammar (which uses a ``mention`` rule it does not
define) with a ``mention`` rule that derives exactly the runs of 1 to ``max_tokens`` consecutive
tokens of the note that start and end on a word: every reply is grounded by construction. The
note is the text between the last ``paragraph_marker`` and the following ``answer_marker`` of the
rendered prompt.

Calls nothing else of the package; the model (:mod:`.clients`) sends the grammar with each request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from spacy_llm.registry import registry

# Words, numbers and single punctuation marks: mentions start and end on these boundaries
TOKEN = re.compile(r"\w+|[^\w\s]")
FORBIDDEN = re.compile(r"[|\n\r]")  # the reply format's field and line separators


def gbnf_literal(text: str) -> str:
    """A GBNF string literal (JSON escaping is a subset GBNF reads)."""
    return json.dumps(text, ensure_ascii=False)


def mention_rules(note: str, max_tokens: int) -> str:
    """``mention ::= ...`` deriving every run of 1..max_tokens consecutive tokens of ``note``
    that starts and ends on a word or number and holds no field or line separator.
    ``m<i>-<k>`` derives the runs that start at token i and span at most k tokens."""
    tokens = [m for m in TOKEN.finditer(note) if not FORBIDDEN.search(m.group())]
    is_word = [tok.group()[0].isalnum() for tok in tokens]
    defined: set[tuple[int, int]] = set()
    rules: list[str] = []
    for i in reversed(range(len(tokens))):  # a rule refers only to rules of later tokens
        tok = tokens[i]
        follows = i + 1 < len(tokens) and not FORBIDDEN.search(note[tok.end() : tokens[i + 1].start()])
        gap = gbnf_literal(note[tok.end() : tokens[i + 1].start()]) if follows else ""
        for k in range(1, max_tokens + 1):
            tail = f"{gap} m{i + 1}-{k - 1}" if follows and (i + 1, k - 1) in defined else ""
            if is_word[i]:
                body = gbnf_literal(tok.group()) + (f" ({tail})?" if tail else "")
            elif tail:  # punctuation inside a mention, never at its end
                body = f"{gbnf_literal(tok.group())} {tail}"
            else:
                continue
            defined.add((i, k))
            rules.append(f"m{i}-{k} ::= {body}")
    starts = [f"m{i}-{max_tokens}" for i in range(len(tokens)) if is_word[i]]
    if not starts:
        raise ValueError("the note has no word a mention could start with")
    return "\n".join([f"mention ::= {' | '.join(starts)}", *reversed(rules)])


@dataclass(frozen=True)
class NoteSpanGrammar:
    """Callable: rendered prompt → the reply grammar with this prompt's ``mention`` rule."""

    grammar: str
    max_tokens: int = 8
    paragraph_marker: str = "Paragraph: "
    answer_marker: str = "\nAnswer:"

    def note_of(self, prompt: str) -> str:
        """The note of a prompt: the text after the last paragraph marker."""
        start = prompt.rfind(self.paragraph_marker)
        if start < 0:
            raise ValueError(f"prompt has no {self.paragraph_marker!r} marker; check the template")
        start += len(self.paragraph_marker)
        end = prompt.find(self.answer_marker, start)
        return prompt[start : end if end >= 0 else len(prompt)]

    def __call__(self, prompt: str) -> str:
        """The llama.cpp grammar for ``prompt``: mentions may only be copied from its note."""
        return f"{self.grammar.rstrip()}\n{mention_rules(self.note_of(prompt), self.max_tokens)}\n"

    def describe(self) -> dict:
        """Settings that identify the grammar (part of the reply cache key)."""
        return {
            "grammar": self.grammar,
            "max_tokens": self.max_tokens,
            "paragraph_marker": self.paragraph_marker,
            "answer_marker": self.answer_marker,
        }


@registry.misc("clin_distill.NoteSpanGrammar.v1")
def make_note_span_grammar(
    grammar: str,
    max_tokens: int = 8,
    paragraph_marker: str = "Paragraph: ",
    answer_marker: str = "\nAnswer:",
) -> NoteSpanGrammar:
    """Per-prompt grammar for llama.cpp: ``grammar`` must use, and not define, a ``mention`` rule."""
    if re.search(r"^\s*mention\s*::=", grammar, flags=re.M):
        raise ValueError("the reply grammar must leave the `mention` rule to NoteSpanGrammar")
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    return NoteSpanGrammar(grammar, max_tokens, paragraph_marker, answer_marker)
