"""Label docs with an LLM teacher: chunk, prompt concurrently, parse, ground, merge.

Each returned doc is a fresh copy of the input (same tokens and doc id) whose ``ents``
are the teacher's grounded spans. A doc with any chunk that failed (API failure after
retries; a filtered, blocked, refused, oversized or empty reply; a reply not in the task
format) is marked with ``mark_failed`` and has no entities: callers must exclude it, never
read it as "no entities". Grounding drop counts
are kept in ``doc.user_data["llm_grounding"]``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from spacy.tokens import Doc
from spacy.util import minibatch

from ..docio import DOC_ID, mark_failed, tokens_copy
from ..offsets import CharSpan
from .chunking import Chunk, chunk_doc
from .grounding import ground, is_cut, merge_chunk_spans
from .models import failure_reason
from .replies import ReplyFormatError, open_mention, parse_reply
from .teacher import LLMTeacher

GROUNDING = "llm_grounding"


def _label_one(teacher: LLMTeacher, doc: Doc, chunks: list[Chunk], replies: list[str]) -> Doc:
    out = tokens_copy(doc, user_data=(DOC_ID,))
    counts: Counter = Counter()
    spans: list[CharSpan] = []
    failures = []
    for i, (chunk, reply) in enumerate(zip(chunks, replies, strict=True)):
        reason = failure_reason(reply) or (None if reply.strip() else "empty reply")
        if reason is None:
            try:
                mentions, unknown = parse_reply(reply, teacher.task.label_dict, teacher.task.normalizer)
            except ReplyFormatError as err:
                reason = str(err)
        if reason is None:
            last = open_mention(reply, teacher.task.label_dict, teacher.task.normalizer)
            if last is not None and is_cut(chunk.doc, last):
                reason = "reply cut inside a mention (its last line has no line end)"
        if reason is not None:
            failures.append(f"chunk {i + 1}/{len(chunks)}: {reason}")
            continue
        counts["unknown_label"] += unknown
        grounded = ground(chunk.doc, mentions)
        counts.update(grounded.counts)
        spans.extend((s + chunk.start_char, e + chunk.start_char, label) for s, e, label in grounded.spans)
    if failures:
        return mark_failed(out, "; ".join(failures))
    out.ents, ambiguous = merge_chunk_spans(out, spans)
    counts["ambiguous"] += ambiguous
    out.user_data[GROUNDING] = {k: counts[k] for k in ("unfound", "ambiguous", "unknown_label")}
    return out


def label_docs(
    teacher: LLMTeacher, docs: Iterable[Doc], on_batch: Callable[[list[Doc]], None] | None = None
) -> Iterator[Doc]:
    """Yield labelled (or failure-marked) copies of ``docs`` in order."""
    for batch in minibatch(docs, teacher.batch_size):
        chunked = [chunk_doc(d, teacher.max_chunk_chars, teacher.overlap_chars) for d in batch]
        flat = [c.doc for chunks in chunked for c in chunks]
        prompts = [p for p, _shards in teacher.task.generate_prompts(flat)]
        replies = iter(r for doc_replies in teacher.model(prompts) for r in doc_replies)
        out = [
            _label_one(teacher, d, cs, [next(replies) for _ in cs])
            for d, cs in zip(batch, chunked, strict=True)
        ]
        if on_batch is not None:
            on_batch(out)
        yield from out
