"""Self-training: the first distilled student labels its own training texts, and its confident
spans join the teachers' combined labels for a second student (the BOND recipe, arXiv 2006.15509).

Confidence is the student's own probability of a span: its NER is run as a beam search
(``beam_width`` parses per doc) and a span's confidence is the total probability of the
parses that contain it (spaCy's ``EntityRecognizer.scored_ents``).

The rule, per distilled training doc (every doc and id is kept, in order):

* the teachers' combined spans stay as they are, and so do their missing tokens;
* a student span with confidence ≥ ``threshold`` that overlaps no teacher span becomes an
  entity (the student recovers a teacher miss, or sides with a teacher the combination
  overruled);
* a student span with confidence ≥ ``floor`` (but below ``threshold``) that overlaps no teacher
  span has its tokens marked missing: the student doubts the teachers' "O" there, so the
  second student is not taught "O" on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span
from tqdm import tqdm

from ..docio import tokens_copy

ScoredSpan = tuple[int, int, str, float]


@dataclass(frozen=True)
class SelfTrainingRule:
    """The self-training rule's confidence threshold, floor and beam width (module docstring)."""

    threshold: float = 0.9
    floor: float = 0.5
    beam_width: int = 8

    def __post_init__(self) -> None:
        if not 0 < self.floor <= self.threshold <= 1:
            raise ValueError(f"need 0 < floor <= threshold <= 1, got {self.floor} and {self.threshold}")
        if self.beam_width < 2:
            raise ValueError(f"beam_width must be at least 2, got {self.beam_width}")


def _batches(docs: Sequence[Doc], size: int) -> Iterator[Sequence[Doc]]:
    for start in range(0, len(docs), size):
        yield docs[start : start + size]


def scored_spans(
    nlp: Language, docs: Sequence[Doc], rule: SelfTrainingRule, batch_size: int = 16
) -> list[list[ScoredSpan]]:
    """Per doc, the student's spans with confidence ≥ ``rule.floor`` (token offsets), best first.

    ``nlp`` must end in an ``ner`` component; the components before it run as usual.
    """
    ner = nlp.get_pipe("ner")
    before = [proc for name, proc in nlp.pipeline[: nlp.pipe_names.index("ner")]]
    out: list[list[ScoredSpan]] = []
    with tqdm(total=len(docs), desc="student labels its training texts", unit="doc") as bar:
        for batch in _batches(docs, batch_size):
            copies = [tokens_copy(doc, nlp.vocab) for doc in batch]
            for proc in before:
                copies = list(proc.pipe(copies))
            for scores in ner.scored_ents(ner.beam_parse(copies, beam_width=rule.beam_width)):
                spans = [
                    (start, end, label if isinstance(label, str) else nlp.vocab.strings[label], float(prob))
                    for (start, end, label), prob in scores.items()
                    if prob >= rule.floor and end > start
                ]
                out.append(sorted(spans, key=lambda s: (-s[3], s[0])))
            bar.update(len(batch))
    return out


def merge_student(doc: Doc, student: Iterable[ScoredSpan], rule: SelfTrainingRule, counts: Counter) -> Doc:
    """``doc`` (a distilled training doc) with the student's spans joined by the rule (module docstring)."""
    out = doc.copy()
    teacher = list(doc.ents)
    taken = {i for ent in teacher for i in range(ent.start, ent.end)}
    missing = {i for i, token in enumerate(doc) if token.ent_iob == 0}
    added: list[Span] = []
    doubted: set[int] = set()
    for start, end, label, prob in student:
        tokens = set(range(start, end))
        if tokens & taken:
            counts["student spans overlapping a teacher span (teacher kept)"] += 1
            continue
        if prob >= rule.threshold:
            added.append(Span(out, start, end, label=label))
            taken |= tokens
            counts[f"added {label}"] += 1
        elif prob < rule.threshold:
            doubted |= tokens
    missing -= taken
    doubted -= taken
    counts["tokens marked missing (student unsure)"] += len(doubted - missing)
    ents = [Span(out, e.start, e.end, label=e.label_) for e in teacher] + added
    runs = sorted(missing | doubted)
    out.set_ents(ents, missing=[Span(out, i, i + 1) for i in runs], default="outside")
    return out


def self_label(nlp: Language, docs: Sequence[Doc], rule: SelfTrainingRule) -> tuple[list[Doc], Counter]:
    """Every doc of ``docs`` with the student's confident spans joined; and what the rule did."""
    counts: Counter = Counter()
    merged = [
        merge_student(doc, spans, rule, counts)
        for doc, spans in zip(docs, scored_spans(nlp, docs, rule), strict=True)
    ]
    return merged, counts
