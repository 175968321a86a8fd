"""The ablation table: what each change to the distilled student buys, per corpus and label.

Rows are students trained with the same seed, each one change away from the default run's
distilled student (the ablation workflow writes ``<metrics>/ablation/<row>/<corpus>.json``;
the default run's students are rows too), followed by the best single teacher and the human-label student for
reference. Cells are strict F1 on each corpus's test docs, for the labels it annotates.
"""

from __future__ import annotations

from pathlib import Path

from ..metrics.compare import corpus_label_pairs
from .distances import best_teacher_f1, cell_f1
from .model import Note, Section, Table
from .sources import load_results

# row name → what it is: the default distilled student, then each row one change away from it
ROWS: dict[str, str] = {
    "distilled": "teacher labels as combined, the rest taught as O (default)",
    "disputed": "the default, with disputed tokens (dropped proposals, split votes) as missing values",
    "schedule": "the default, at learn rate vars.ablate_learn_rate (the earlier schedule)",
    "steps": "the default, trained for vars.ablate_max_steps steps",
    "nomesh": "the default, teachers without the MeSH vocabulary (ablate-mesh)",
    "unknown": "the default, unknown phrases (vars.ablate_unknown) as missing values (ablate-unknown)",
    "self": "the default + self-training, vars.self_rounds rounds",
    "rounds": "the default + self-training, up to vars.ablate_self_rounds rounds (ablate-rounds)",
    "anchored": "gold spans where a corpus annotates a label, the teachers' elsewhere (uses human labels)",
}
REFERENCE = "human"


def _cell(result: dict, corpus: str, label: str) -> str:
    f = cell_f1(result, corpus, label)
    return "–" if f is None else f"{f:.3f}"


def _best_teacher(results: list[dict], corpus: str, label: str) -> str:
    best = best_teacher_f1(results, corpus, label)
    return "–" if best is None else f"{best[0]:.3f} ({best[1]})"


def ablation_section(results: list[dict], metrics_dir: Path, corpus: str) -> Section | None:
    """The table (the default run's students, plus any ablation-workflow rows), or None without rows."""
    ablated = {r["system"]: r for r in load_results(metrics_dir / "ablation", corpus)}
    main = {r["system"]: r for r in results}
    rows_by_name = {**{k: v for k, v in main.items() if k in ROWS}, **ablated}
    if not rows_by_name:
        return None
    pairs = corpus_label_pairs(list(rows_by_name.values()) + results)
    header = ["row", "change", *(f"{c} {lab}" for c, lab in pairs)]
    rows = [
        [name, ROWS.get(name, "(unlisted)"), *(_cell(rows_by_name[name], c, lab) for c, lab in pairs)]
        for name in [*ROWS, *sorted(set(rows_by_name) - set(ROWS))]
        if name in rows_by_name
    ]
    rows.append(["best single teacher", "per column", *(_best_teacher(results, c, lab) for c, lab in pairs)])
    if REFERENCE in main:
        rows.append(
            [
                REFERENCE,
                "human specialist of each corpus (reference)",
                *(_cell(main[REFERENCE], c, lab) for c, lab in pairs),
            ]
        )
    note = Note(
        "Strict F1 on each corpus's test docs, for the labels it annotates; every student trained with the "
        "same seed and backbone. Rows from the ablation workflow (metrics/ablation/) and the default run."
    )
    return Section("Ablation: what each change buys", [Table(header, rows), note])
