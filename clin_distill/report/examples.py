"""displaCy renderings of test notes where the distilled student and the teachers disagree.

This exports note text verbatim, so it is only done for the public corpora that the
``convert`` step reads (``clin_distill.corpora.public.DATASETS``); for any other corpus
(n2c2, MedAlign, anything with PHI) examples are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spacy import displacy
from spacy.tokens import Doc

from ..corpora.public import DATASETS as PUBLIC_CORPORA
from ..docio import get_doc_id
from ..offsets import CharSpan

SpanSet = set[CharSpan]
COLORS = {"MEDICATION": "#8ecae6", "DISEASE": "#ffb703", "SYMPTOM": "#b5e48c"}
MAX_EXAMPLES = 5
MAX_CHARS = 1500


def is_public(corpus: str) -> bool:
    """Whether ``corpus`` is a public corpus whose text may be shown."""
    return corpus in PUBLIC_CORPORA


def select_examples(
    gold_docs: Sequence[Doc],
    student: Mapping[str, SpanSet],
    teachers: Mapping[str, Mapping[str, SpanSet]],
    k: int = MAX_EXAMPLES,
    max_chars: int = MAX_CHARS,
) -> list[str]:
    """Ids of up to ``k`` short docs where the student's spans differ from a teacher's the most
    (by disagreeing teachers, then differing spans, then doc id)."""
    scored = []
    for doc in gold_docs:
        doc_id = get_doc_id(doc)
        if doc_id not in student or len(doc.text) > max_chars:
            continue
        diffs = [len(student[doc_id] ^ spans[doc_id]) for spans in teachers.values() if doc_id in spans]
        n_teachers = sum(1 for d in diffs if d)
        if n_teachers:
            scored.append((-n_teachers, -sum(diffs), doc_id))
    return [doc_id for *_, doc_id in sorted(scored)[:k]]


def render_example(doc: Doc, systems: Sequence[tuple[str, SpanSet]]) -> str:
    """One displaCy block per system (name, spans) over the doc's text."""
    parsed = [
        {
            "text": doc.text,
            "ents": [{"start": s, "end": e, "label": lab} for s, e, lab in sorted(spans)],
            "title": name,
        }
        for name, spans in systems
    ]
    return displacy.render(
        parsed, style="ent", manual=True, page=False, jupyter=False, options={"colors": COLORS}
    )
