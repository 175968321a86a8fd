"""Show JSON written by other steps (teacher subsets, benchmark) as tables, whatever its shape.

Scalars of a dict become a key/value table; a list of dicts, or a dict of dicts, becomes a
table with one row per item and its scalar fields (nested dicts flattened as
``key.sub``, three levels deep) as columns. Anything deeper is summarised, never dropped silently.
"""

from __future__ import annotations

from .model import Table

MAX_ROWS = 200
MAX_DEPTH = 3


def fmt(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(fmt(v) for v in value)
    if isinstance(value, dict | list):
        return f"({type(value).__name__} of {len(value)})"
    return str(value)


def flatten(item: dict, depth: int = MAX_DEPTH, prefix: str = "") -> dict[str, object]:
    """Nested dicts become ``a.b.c`` columns, down to ``depth`` levels."""
    out: dict[str, object] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and depth > 1:
            out.update(flatten(value, depth - 1, f"{name}."))
        else:
            out[name] = value
    return out


def records_table(records: list[dict | None], title: str, index: list[str] | None = None) -> Table:
    flat = [flatten(r or {}) for r in records[:MAX_ROWS]]
    columns = list(dict.fromkeys(k for r in flat for k in r))
    header = (["name"] if index else []) + columns
    rows = [([index[i]] if index else []) + [fmt(r.get(c, "")) for c in columns] for i, r in enumerate(flat)]
    if len(records) > MAX_ROWS:
        title += f" (first {MAX_ROWS} of {len(records)})"
    return Table(header, rows, title)


def json_tables(data: object, title: str) -> list[Table]:
    """Tables showing ``data``; nested parts get ``title / key`` titles."""
    if isinstance(data, list):
        if data and all(isinstance(v, dict) for v in data):
            return [records_table(data, title)]
        return [Table(["value"], [[fmt(v)] for v in data[:MAX_ROWS]], title)]
    if not isinstance(data, dict):
        return [Table(["value"], [[fmt(data)]], title)]
    tables: list[Table] = []
    scalars = [
        [str(k), fmt(v)] for k, v in data.items() if not isinstance(v, dict | list) or fmt(v)[:1] != "("
    ]
    if scalars:
        tables.append(Table(["key", "value"], scalars, title))
    for key, value in data.items():
        sub = f"{title} / {key}"
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            tables.append(records_table(value, sub))
        elif isinstance(value, dict) and value and all(isinstance(v, dict | None) for v in value.values()):
            tables.append(records_table(list(value.values()), sub, [str(k) for k in value]))
        elif isinstance(value, dict | list) and value and fmt(value)[:1] == "(":
            tables.extend(json_tables(value, sub))
    return tables
