"""Licensed release files → terms: RxNorm ``RXNCONSO.RRF`` and SNOMED CT RF2 Snapshot files.

Both readers stream their files line by line; only concept ids and tags are held in memory
(a full RxNorm or SNOMED CT International build stays well under a few GB).

**RxNorm** (MEDICATION, id = RXCUI): rows with ``SAB=RXNORM``, ``LAT=ENG``, ``SUPPRESS=N``
(not obsolete, suppressible or editor-suppressed) and a term type in :data:`RXNORM_TTYS`:
ingredients (IN, PIN, MIN), brands (BN), clinical/branded drugs (SCD, SBD) and their
synonyms (SY, TMSY).

**SNOMED CT** (id = SCTID): active concepts with an active FSN; the FSN's semantic tag
decides the label. ``(disorder)`` → DISEASE. ``(finding)`` → SYMPTOM only under the
symptom roots (default: 418799008 |Finding reported by subject or history provider|),
through active is-a relationships of ``sct2_Relationship_Snapshot``; without that file no
SYMPTOM patterns are made (and the meta says so). Terms are the active FSN (without its tag)
and active synonyms; descriptions whose case significance is "entire term case sensitive"
keep their spelling.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from ..labels import DISEASE, MEDICATION, SYMPTOM
from .hierarchy import descendants
from .sources import Source
from .terms import Term

RXNORM_TTYS: tuple[str, ...] = ("IN", "PIN", "MIN", "BN", "SCD", "SBD", "SY", "TMSY")
RXNCONSO_COLUMNS = (
    "RXCUI LAT TS LUI STT SUI ISPREF RXAUI SAUI SCUI SDUI SAB TTY CODE STR SRL SUPPRESS CVF".split()
)

SNOMED_FSN = "900000000000003001"
SNOMED_SYNONYM = "900000000000013009"
SNOMED_CASE_SENSITIVE = "900000000000017005"
SNOMED_IS_A = "116680003"
SNOMED_SYMPTOM_ROOTS: tuple[str, ...] = ("418799008",)
SEMANTIC_TAG_LABELS = {"disorder": DISEASE, "finding": SYMPTOM}


def find_release_file(folder: str | Path, pattern: str) -> Path | None:
    """The first file under ``folder`` (recursively) whose name matches ``pattern``."""
    matches = sorted(Path(folder).rglob(pattern))
    return matches[0] if matches else None


def rxnorm_terms(rrf_path: str | Path, ttys: tuple[str, ...] = RXNORM_TTYS) -> tuple[Iterator[Term], Source]:
    """Stream MEDICATION terms from ``RXNCONSO.RRF``."""
    path = Path(rrf_path)
    src = Source("RxNorm", "local release", "n/a", path.parent.name, "UMLS licence (NLM RxNorm)", path.name)
    wanted = set(ttys)
    n_cols = len(RXNCONSO_COLUMNS)

    def gen() -> Iterator[Term]:
        with open(path, encoding="utf8", newline="") as fh:
            for line_no, line in enumerate(fh, 1):
                cols = line.rstrip("\r\n").split("|")
                if len(cols) < n_cols:
                    raise ValueError(f"{path}:{line_no}: expected {n_cols} '|' fields, found {len(cols)}")
                row = dict(zip(RXNCONSO_COLUMNS, cols, strict=False))
                if row["SAB"] != "RXNORM" or row["LAT"] != "ENG" or row["SUPPRESS"] != "N":
                    continue
                if row["TTY"] not in wanted:
                    continue
                src.count(MEDICATION)
                yield Term(row["STR"], MEDICATION, row["RXCUI"], src.name)

    return gen(), src


def _rf2_rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def semantic_tag(fsn: str) -> tuple[str, str]:
    """Split "Asthma (disorder)" into ("Asthma", "disorder")."""
    if fsn.endswith(")") and " (" in fsn:
        head, _, tag = fsn[:-1].rpartition(" (")
        return head, tag
    return fsn, ""


def _descendants(rel_path: Path, roots: tuple[str, ...], candidates: set[str]) -> set[str]:
    """``roots`` and the ``candidates`` below them through active is-a relationships."""
    children: dict[str, list[str]] = {}
    for row in _rf2_rows(rel_path):
        if row["active"] == "1" and row["typeId"] == SNOMED_IS_A and row["sourceId"] in candidates:
            children.setdefault(row["destinationId"], []).append(row["sourceId"])
    return descendants(children, roots)


def snomed_terms(
    snomed_dir: str | Path, symptom_roots: tuple[str, ...] = SNOMED_SYMPTOM_ROOTS
) -> tuple[Iterator[Term], Source]:
    """Stream DISEASE/SYMPTOM terms from an RF2 Snapshot folder (Terminology files)."""
    desc_path = find_release_file(snomed_dir, "sct2_Description_Snapshot-en*.txt")
    concept_path = find_release_file(snomed_dir, "sct2_Concept_Snapshot*.txt")
    if desc_path is None or concept_path is None:
        raise FileNotFoundError(
            f"{snomed_dir}: needs sct2_Description_Snapshot-en*.txt and sct2_Concept_Snapshot*.txt"
        )
    rel_path = find_release_file(snomed_dir, "sct2_Relationship_Snapshot*.txt")
    src = Source(
        "SNOMED CT",
        "local release",
        "n/a",
        desc_path.stem.rsplit("_", 1)[-1],
        "SNOMED CT affiliate licence",
        desc_path.name,
    )
    src.notes = (
        f"(finding) concepts under {', '.join(symptom_roots)} via {rel_path.name}"
        if rel_path
        else "no relationship file: SYMPTOM patterns skipped"
    )

    def gen() -> Iterator[Term]:
        active = {row["id"] for row in _rf2_rows(concept_path) if row["active"] == "1"}
        labels: dict[str, str] = {}
        for row in _rf2_rows(desc_path):
            if row["active"] == "1" and row["typeId"] == SNOMED_FSN and row["conceptId"] in active:
                label = SEMANTIC_TAG_LABELS.get(semantic_tag(row["term"])[1])
                if label:
                    labels[row["conceptId"]] = label
        findings = {c for c, lab in labels.items() if lab == SYMPTOM}
        symptoms = _descendants(rel_path, symptom_roots, findings) if rel_path else set()
        for concept in findings - symptoms:
            del labels[concept]
        for row in _rf2_rows(desc_path):
            label = labels.get(row["conceptId"])
            if row["active"] != "1" or label is None or row["typeId"] not in (SNOMED_FSN, SNOMED_SYNONYM):
                continue
            text = semantic_tag(row["term"])[0] if row["typeId"] == SNOMED_FSN else row["term"]
            src.count(label)
            case_sensitive = row["caseSignificanceId"] == SNOMED_CASE_SENSITIVE
            yield Term(text, label, row["conceptId"], src.name, case_sensitive)

    return gen(), src


def licensed_sources(rxnorm_dir: str | Path, snomed_dir: str | Path) -> list:
    """Term sources for the given release folders; an empty string skips that release.

    Raises ``FileNotFoundError`` when both are empty or a given folder lacks its files.
    """
    sources = []
    if str(rxnorm_dir).strip():
        rrf = find_release_file(rxnorm_dir, "RXNCONSO.RRF")
        if rrf is None:
            raise FileNotFoundError(f"{rxnorm_dir}: no RXNCONSO.RRF found (RxNorm release 'rrf' folder)")
        sources.append(rxnorm_terms(rrf))
    if str(snomed_dir).strip():
        sources.append(snomed_terms(snomed_dir))
    if not sources:
        raise FileNotFoundError(
            "no licensed release given: set --rxnorm-dir (RxNorm RRF folder) "
            "and/or --snomed-dir (SNOMED CT RF2 folder)"
        )
    return sources
