"""Label docs with an LLM teacher: the one path a doc takes, each step called once, in order.

Per batch of docs: :mod:`.chunking` cuts each note into chunks, spacy-llm's task renders one prompt
per chunk, the teacher's model (:mod:`.rest`) answers every prompt of the batch concurrently, and per
chunk :mod:`.replies` reads the reply and :mod:`.grounding` finds its mentions in the note. This
module then assembles each doc: the chunks' spans merged into the note's entities, or the doc's
failure mark.

Each returned doc is a fresh copy of the input (same tokens and doc id) whose ``ents``
are the teacher's grounded spans. A doc with any chunk that failed (API failure after
retries; a filtered, blocked, refused, oversized or empty reply; a reply not in the task
format or cut inside a mention) is marked with ``mark_failed`` and has no entities: callers must
exclude it, never read it as "no entities". Grounding drop counts are kept in
``doc.user_data["llm_grounding"]``.

Calls: :mod:`.chunking`, the task's ``generate_prompts``, the model, :mod:`.replies`, :mod:`.grounding`.
spacy-llm's ``ShardReducer`` is not used: it concatenates shards (``Doc.from_docs``), which overlapping
chunks would repeat, and it cannot mark a doc failed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from spacy.tokens import Doc
from spacy.util import filter_spans, minibatch

from ..docio import DOC_ID, mark_failed, tokens_copy
from ..offsets import CharSpan
from .chunking import Chunk, chunk_doc
from .grounding import Grounded, ground_chunk
from .replies import UnusableReply, read_reply
from .teacher import LLMTeacher

GROUNDING = "llm_grounding"
DROPS = ("unfound", "ambiguous", "unknown_label")


def merge_chunk_spans(doc: Doc, chunk_spans: list[CharSpan]) -> tuple[list, int]:
    """De-duplicate spans from overlapping chunks (already in note offsets) as spans of ``doc``.

    The same span with two labels (from two chunks) is ambiguous and dropped; of overlapping
    different spans the longest wins (spaCy's ``filter_spans``). Returns (spans, n_ambiguous).
    """
    labels_at: dict[tuple[int, int], set[str]] = {}
    for start, end, label in chunk_spans:
        labels_at.setdefault((start, end), set()).add(label)
    spans, ambiguous = [], 0
    for (start, end), labels in sorted(labels_at.items()):
        if len(labels) > 1:
            ambiguous += 1
            continue
        span = doc.char_span(start, end, label=next(iter(labels)), alignment_mode="strict")
        if span is not None:
            spans.append(span)
    return filter_spans(spans), ambiguous


def _assemble(doc: Doc, found: list[Grounded]) -> Doc:
    """A copy of ``doc`` whose entities are the chunks' merged spans, with the drop counts."""
    out = tokens_copy(doc, user_data=(DOC_ID,))
    counts: Counter = Counter()
    for grounded in found:
        counts.update(grounded.counts)
    out.ents, ambiguous = merge_chunk_spans(out, [span for grounded in found for span in grounded.spans])
    counts["ambiguous"] += ambiguous
    out.user_data[GROUNDING] = {k: counts[k] for k in DROPS}
    return out


def _label_one(teacher: LLMTeacher, doc: Doc, chunks: list[Chunk], replies: list[str]) -> Doc:
    found, failures = [], []
    for i, (chunk, reply) in enumerate(zip(chunks, replies, strict=True)):
        try:
            reading = read_reply(reply, teacher.task.label_dict, teacher.task.normalizer)
            found.append(ground_chunk(chunk, reading))
        except UnusableReply as err:
            failures.append(f"chunk {i + 1}/{len(chunks)}: {err}")
    if failures:
        return mark_failed(tokens_copy(doc, user_data=(DOC_ID,)), "; ".join(failures))
    return _assemble(doc, found)


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
