"""Read the inputs of the report: per-system metrics and predicted spans."""

from __future__ import annotations

import json
from pathlib import Path

from ..offsets import CharSpan
from ..stepfiles.system_metrics import SystemMetrics

FIRST_SYSTEMS = ("anchored", "self", "distilled", "human")


def read_json(path: Path) -> tuple[object | None, str | None]:
    """``(data, None)``, or ``(None, reason)`` when the file is absent or not JSON."""
    if not path.is_file():
        return None, f"{path} not found"
    try:
        return json.loads(path.read_text(encoding="utf8")), None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return None, f"{path} could not be read ({type(err).__name__})"


def system_order(result: dict) -> tuple:
    """Sort key: the students first (anchored, self, distilled, human), then models, then teachers."""
    name, kind = result.get("system", ""), result.get("kind", "")
    rank = FIRST_SYSTEMS.index(name) if name in FIRST_SYSTEMS else len(FIRST_SYSTEMS)
    return (rank, kind != "model", name)


def load_results(metrics_dir: Path, corpus: str) -> list[dict]:
    """Every ``<metrics_dir>/<system>/<corpus>.json`` the evaluate step wrote, read and checked through
    its model (:class:`~clin_distill.stepfiles.system_metrics.SystemMetrics`; another file there is a
    one-line :class:`~clin_distill.stepfiles.base.FileFormatError`), as the JSON the report's tables
    read; students first."""
    results = [SystemMetrics.read(path).to_json() for path in metrics_dir.glob(f"*/{corpus}.json")]
    return sorted(results, key=system_order)


def load_spans(metrics_dir: Path, system: str, corpus: str) -> dict[str, set[CharSpan]] | None:
    """A system's predicted offsets (``<system>/<corpus>.spans.json``), or None if absent."""
    data, _ = read_json(metrics_dir / system / f"{corpus}.spans.json")
    if not isinstance(data, dict):
        return None
    return {doc_id: {(int(s), int(e), str(lab)) for s, e, lab in spans} for doc_id, spans in data.items()}
