"""PHI guard (refusal before any request), chunking of long notes, grounding rules."""

from __future__ import annotations

import httpx
import pytest
import spacy

from clin_distill.docio import set_doc_id
from clin_distill.llm import ALLOW_REMOTE_ENV, RemoteEndpointRefused, is_loopback
from clin_distill.llm.chunking import chunk_bounds, chunk_doc
from clin_distill.llm.grounding import ground
from clin_distill.llm.labeling import label_docs
from clin_distill.llm.replies import ReplyFormatError, parse_reply
from clin_distill.llm.teacher import load_teacher

from .conftest import REPO, write_teacher_configs


@pytest.mark.parametrize(
    "url,local",
    [
        ("http://127.0.0.1:8080/v1", True),
        ("http://127.9.9.9/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://[::1]:8000/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.5:8000/v1", False),
        ("http://127.0.0.1.evil.example/v1", False),
    ],
)
def test_is_loopback(url, local):
    assert is_loopback(url) is local


def test_remote_refused_before_any_request(monkeypatch):
    sent = []
    monkeypatch.setattr(httpx.Client, "send", lambda self, *a, **k: sent.append(a))
    monkeypatch.delenv(ALLOW_REMOTE_ENV, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    for name in ("gpt-4o", "o1-mini", "gemini-flash"):
        with pytest.raises(RemoteEndpointRefused, match="--allow-remote true"):
            load_teacher(REPO / "configs" / "teachers" / f"{name}.cfg", allow_remote=False)
    with pytest.raises(RemoteEndpointRefused):
        load_teacher(
            REPO / "configs" / "teachers" / "local.cfg",
            allow_remote=False,
            base_url="http://10.1.2.3:8000/v1",
        )
    assert sent == []


def test_opt_in_by_flag_or_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-key")
    load_teacher(REPO / "configs" / "teachers" / "gpt-4o.cfg", allow_remote=True).close()
    monkeypatch.setenv(ALLOW_REMOTE_ENV, "1")
    load_teacher(REPO / "configs" / "teachers" / "gpt-4o.cfg", allow_remote=False).close()
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(RuntimeError, match="OPENAI_API_KEY"):
        load_teacher(REPO / "configs" / "teachers" / "gpt-4o.cfg", allow_remote=True)


def long_note(n: int) -> str:
    parts = []
    for i in range(n):
        parts.append(f"HISTORY {i}:\nPatient reports chest pain and fever on day {i}. Continue metformin.\n")
    return "".join(parts)


def test_chunks_are_bounded_aligned_and_overlap():
    text = long_note(40)
    bounds = chunk_bounds(text, max_chars=500, overlap_chars=120)
    assert len(bounds) > 5
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for (s1, e1), (s2, _) in zip(bounds, bounds[1:], strict=False):
        assert e1 - s1 <= 500 and s1 < s2 <= e1  # progress, no gap
        assert e1 - s2 <= 120  # overlap bounded
        assert text[s2 - 1] in " \n"  # starts at a segment boundary
    doc = spacy.blank("en")(text)
    chunks = chunk_doc(doc, 500, 120)
    for chunk in chunks:
        assert text[chunk.start_char : chunk.start_char + len(chunk.doc.text)] == chunk.doc.text


def test_long_note_spans_map_back_and_deduplicate(tmp_path, server):
    text = long_note(30)
    cfg_dir = write_teacher_configs(tmp_path / "cfg")
    small = load_teacher(cfg_dir / "local.cfg", allow_remote=False, base_url=server.url)
    small.max_chunk_chars, small.overlap_chars = 400, 150
    whole = load_teacher(cfg_dir / "local.cfg", allow_remote=False, base_url=server.url)
    whole.max_chunk_chars = 10**6
    doc = set_doc_id(spacy.blank("en")(text), "long")
    (chunked,) = label_docs(small, [doc])
    (single,) = label_docs(whole, [doc])
    n_chunks = len(chunk_bounds(text, 400, 150))
    assert n_chunks > 5 and sum(server.stats()["tries"].values()) == n_chunks + 1
    got = [(e.start_char, e.end_char, e.label_) for e in chunked.ents]
    assert got == [(e.start_char, e.end_char, e.label_) for e in single.ents]
    assert len(got) == len(set(got)) == 90  # chest pain, fever, metformin in each of 30 sections
    assert all(chunked.text[s:e] in {"chest pain", "fever", "metformin"} for s, e, _ in got)
    small.close()
    whole.close()


def test_grounding_rules():
    text = "Fever, feverish state and fever again; aspirin-induced rash."
    doc = spacy.blank("en")(text)
    mentions, unknown = parse_reply(
        "1. Fever | True | SYMPTOM | x\n"
        "2. febrile | True | SYMPTOM | absent\n"
        "3. aspirin | True | MEDICATION | hyphen-split token\n"
        "4. ish | True | SYMPTOM | inside a word\n"
        "5. rash | True | FOO | bad label\n"
        "6. rash | True | SYMPTOM | ok\n"
        "7. rash | True | DISEASE | conflicting\n"
        "8. the | False | ==NONE== | no",
        {"symptom": "SYMPTOM", "disease": "DISEASE", "medication": "MEDICATION"},
        str.lower,
    )
    assert unknown == 1
    out = ground(doc, mentions)
    # both "fever"s (any case), not "feverish"; "aspirin" is a whole token of "aspirin-induced"
    fever2, aspirin = text.index("fever again"), text.index("aspirin")
    assert out.spans == [
        (0, 5, "SYMPTOM"),
        (fever2, fever2 + 5, "SYMPTOM"),
        (aspirin, aspirin + 7, "MEDICATION"),
    ]
    assert dict(out.counts) == {"unfound": 2, "ambiguous": 1}  # febrile, ish; rash with two labels
    with pytest.raises(ReplyFormatError):
        parse_reply("Here are the entities: fever.", {"symptom": "SYMPTOM"}, str.lower)
