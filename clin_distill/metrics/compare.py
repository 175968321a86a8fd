"""The comparison tables: one row per system, F1 (with 95% CI) per label and mode, and per
(source corpus, label) pair that has gold."""

from __future__ import annotations

from collections.abc import Sequence

from ..stepfiles.scores import Scores

MODES = ("strict", "lenient")
PRF_COLUMNS = ["strict P", "strict R", "strict F", "lenient P", "lenient R", "lenient F"]


def prf_cells(scores: Scores, label: str) -> list[str]:
    """The :data:`PRF_COLUMNS` cells of ``label`` (strict, then lenient P/R/F1; 3 decimals)."""
    strict, lenient = scores.prf("strict", label), scores.prf("lenient", label)
    return [f"{v:.3f}" for v in (strict.p, strict.r, strict.f, lenient.p, lenient.r, lenient.f)]


def format_f1(entry: dict | None, with_ci: bool = True) -> str:
    """``0.842 [0.801–0.880]`` from a label/micro dict of :func:`evaluate_docs` output."""
    if not entry or "f" not in entry:
        return "–"
    text = f"{entry['f']:.3f}"
    ci = entry.get("ci", {}).get("f")
    if with_ci and ci:
        text += f" [{ci[0]:.3f}–{ci[1]:.3f}]"
    return text


def table_labels(results: Sequence[dict]) -> list[str]:
    """Scored labels across results (first-seen order), then ``micro``."""
    labels: list[str] = []
    for result in results:
        labels.extend(lab for lab in result.get("labels", []) if lab not in labels)
    return [*labels, "micro"]


def comparison_table(
    results: Sequence[dict], modes: Sequence[str] = MODES, with_ci: bool = True
) -> tuple[list[str], list[list[str]]]:
    """Header and rows: system, kind, scored docs, failures, then label × mode F1."""
    labels = table_labels(results)
    header = ["system", "kind", "docs", "failed"] + [f"{lab} {mode} F1" for lab in labels for mode in modes]
    rows = []
    for r in results:
        row = [str(r.get("system", "?")), str(r.get("kind", "?")), str(r.get("n_docs", "?"))]
        row.append(str(r.get("failures", 0)))
        row += [format_f1(r.get(mode, {}).get(lab), with_ci) for lab in labels for mode in modes]
        rows.append(row)
    return header, rows


def corpus_label_pairs(results: Sequence[dict]) -> list[tuple[str, str]]:
    """Every (source corpus, label) pair some result scored (the corpus annotates the label)."""
    pairs: list[tuple[str, str]] = []
    for result in results:
        for corpus, part in result.get("by_corpus", {}).items():
            pairs.extend((corpus, lab) for lab in part.get("labels", []) if (corpus, lab) not in pairs)
    return pairs


def corpus_label_table(
    results: Sequence[dict], mode: str = "strict", with_ci: bool = True
) -> tuple[list[str], list[list[str]]]:
    """Header and rows: system, kind, then ``mode`` F1 for each (corpus, label) pair with gold."""
    pairs = corpus_label_pairs(results)
    header = ["system", "kind", *(f"{corpus} {lab}" for corpus, lab in pairs)]
    rows = []
    for r in results:
        row = [str(r.get("system", "?")), str(r.get("kind", "?"))]
        for corpus, lab in pairs:
            part = r.get("by_corpus", {}).get(corpus, {})
            row.append(
                format_f1(part.get(mode, {}).get(lab), with_ci) if lab in part.get("labels", []) else "–"
            )
        rows.append(row)
    return header, rows
