"""NoteSpanGrammar: the per-prompt GBNF derives exactly the note's runs of 1..k tokens."""

from __future__ import annotations

import json
import re

import pytest

from clin_distill.llm.grammar import NoteSpanGrammar, make_note_span_grammar, mention_rules
from clin_distill.llm.models import make_openai_compatible_v2

REPLY = 'root ::= line{0,10}\nline ::= mention " | True | DISEASE\\n"\n'
RULE = re.compile(r"^(\S+) ::= (.*)$")
ALT = re.compile(r'("(?:[^"\\]|\\.)*")(?: \(?("(?:[^"\\]|\\.)*") (\S+?)(\)\?)?)?')


def language(rules_text: str) -> set[str]:
    """Every string the ``mention`` rule derives (the generated rules are finite and acyclic)."""
    rules = dict(RULE.match(line).groups() for line in rules_text.splitlines())

    def derive(name: str) -> set[str]:
        out = set()
        for alt in rules[name].split(" | "):
            if alt.startswith("m") and " " not in alt:
                out |= derive(alt)
                continue
            literal, gap, rest, optional = ALT.fullmatch(alt).groups()
            head = json.loads(literal)
            if optional or not rest:
                out.add(head)
            if rest:
                out |= {head + json.loads(gap) + tail for tail in derive(rest)}
        return out

    return derive("mention")


def runs(tokens: list[str], gaps: list[str], k: int) -> set[str]:
    out = set()
    for i in range(len(tokens)):
        text = ""
        for j in range(i, min(i + k, len(tokens))):
            text += (gaps[j - 1] if j > i else "") + tokens[j]
            out.add(text)
    return out


def test_mentions_are_exactly_the_notes_token_runs():
    note = 'Type 2 diabetes, "severe" hypo-glycaemia;  aspirin'
    tokens = ["Type", "2", "diabetes", ",", '"', "severe", '"', "hypo", "-", "glycaemia", ";", "aspirin"]
    gaps = [" ", " ", "", " ", "", "", " ", "", "", "", "  "]
    expected = {m for m in runs(tokens, gaps, 3) if m[0].isalnum() and m[-1].isalnum()}
    assert language(mention_rules(note, 3)) == expected
    assert "Type 2 diabetes" in expected and "hypo-glycaemia" in expected
    assert '"severe" hypo' not in expected and "diabetes," not in expected


def test_field_and_line_separators_break_runs():
    derived = language(mention_rules("chest pain | fever\ncough now", 4))
    assert {"chest pain", "fever", "cough now"} <= derived
    assert not any("|" in m or "\n" in m for m in derived)
    assert "pain fever" not in derived and "fever cough" not in derived


def test_the_note_is_the_last_paragraph_of_the_prompt():
    grammar = NoteSpanGrammar(REPLY, max_tokens=2)
    prompt = (
        "Paragraph: Gaucher disease here.\nAnswer:\n1. Gaucher disease\n\nParagraph: He has gout.\nAnswer:"
    )
    text = grammar(prompt)
    assert text.startswith(REPLY.rstrip()) and "mention ::=" in text
    assert language(text[len(REPLY.rstrip()) + 1 :]) == {"He", "He has", "has", "has gout", "gout"}
    with pytest.raises(ValueError, match="Paragraph"):
        grammar("no marker")
    with pytest.raises(ValueError, match="no word"):
        grammar("Paragraph: ...\nAnswer:")


def test_reply_grammar_must_leave_mention_undefined():
    with pytest.raises(ValueError, match="mention"):
        make_note_span_grammar(REPLY + 'mention ::= "x"\n')


def test_v2_model_sends_each_prompts_grammar_and_keys_its_cache_on_it():
    grammar = make_note_span_grammar(REPLY, max_tokens=2)
    model = make_openai_compatible_v2(base_url="http://127.0.0.1:9/v1", api_key_env="", grammar=grammar)
    try:
        _, body, _ = model._request("Paragraph: He has gout.\nAnswer:")
        assert '"gout"' in body["grammar"] and '"He"' in body["grammar"]
        assert json.loads(model.identity)["grammar"]["max_tokens"] == 2
    finally:
        model.close()
    with pytest.raises(ValueError, match="either"):
        make_openai_compatible_v2(
            base_url="http://127.0.0.1:9/v1", api_key_env="", grammar=grammar, extra_body={"grammar": "x"}
        )
