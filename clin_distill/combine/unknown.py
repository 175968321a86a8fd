"""Unknown, not "O": candidate phrases that no teacher labels become missing values.

AutoNER (arXiv 1809.03599) never teaches a dictionary's misses as "O": a phrase that looks like an
entity but matches nothing is left untaught. Here a candidate span (:mod:`clin_distill.candidates`)
of a selected source whose tokens overlap no teacher's proposal (any teacher, any label, kept by
the combination or not) has its tokens marked missing in the distilled corpus; every teacher span
the combination kept stays an entity, and every other token is taught "O". (The ``disputed``
mode of :mod:`.uncertain` is the other direction: it removes kept spans.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..candidates import SOURCES, SPANS_KEY, SPLITS
from ..docio import get_doc_id, read_docbin
from .teachers import DocVotes, StaleTeacherError, pool_split_ids

Candidate = tuple[int, int, str]


def load_candidates(folder: Path, pool_dir: Path) -> dict[str, list[Candidate]]:
    """The candidates of every pool train doc and note, by doc id.

    Raises:
        StaleTeacherError: the candidates were found on other texts than the pool's (rerun the
            candidates step).
    """
    out: dict[str, list[Candidate]] = {}
    for split in SPLITS:
        path = Path(folder) / f"{split}.spacy"
        docs = read_docbin(path) if path.is_file() else []
        found = {
            get_doc_id(d): [(s.start, s.end, s.label_) for s in d.spans.get(SPANS_KEY, [])] for d in docs
        }
        expected = pool_split_ids(pool_dir, split)
        if set(found) != set(expected):
            raise StaleTeacherError(
                f"{path}: candidates of {len(found)} docs, but the pool's {split} split has {len(expected)}; "
                "rerun the candidates step"
            )
        out.update(found)
    return out


def check_sources(sources: Sequence[str]) -> None:
    """ValueError unless every source is one of :data:`~clin_distill.candidates.run.SOURCES`."""
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown candidate sources {sorted(unknown)}; choose some of {SOURCES}")


def unknown_tokens(
    dv: DocVotes, candidates: Sequence[Candidate], sources: Sequence[str], counts: Counter
) -> set[int]:
    """Tokens of ``sources``' candidates in ``dv`` that overlap no teacher proposal (module docstring);
    ``counts`` gets the tokens each source marked."""
    proposed = {i for spans in dv.spans.values() for start, end, _ in spans for i in range(start, end)}
    marked: set[int] = set()
    for start, end, source in candidates:
        tokens = set(range(start, end))
        if source in sources and not tokens & proposed:
            counts[source] += len(tokens - marked)
            marked |= tokens
    return marked
