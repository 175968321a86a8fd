"""Teacher speed and cost: ontology teachers from their metrics, LLM teachers from their usage
ledgers, and list prices from the versioned price table (``configs/prices.cfg``).

Costs are USD per 1,000 notes. CPU work (student, ontology teachers) costs the table's
``[cpu]`` on-demand price per vCPU-hour times the threads it used. An LLM teacher costs its
tokens per note at its list price; tokens per note come, in order of preference, from its own
ledger, from another LLM teacher's ledger (same prompt, another tokenizer), or as a lower bound
from the notes alone (the student's wordpieces of each note: no instructions, examples or output).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from confection import Config

from ..report.sources import load_anchors


def paper_ratios() -> dict:
    """The paper's student-vs-teacher speed and cost ratios, keyed by our teacher names
    (``GPT-4o`` -> ``gpt-4o``), from the one place they are recorded: the paper anchors resource."""
    anchors = load_anchors()
    rows = {row["versus"].lower().replace(" ", "-"): row for row in anchors["speed_cost"]}
    return {
        "speedup_vs": {name: float(row["faster"]) for name, row in rows.items()},
        "cost_ratio_vs": {name: float(row["cheaper"]) for name, row in rows.items()},
        "source": f"arXiv {anchors['source']['arxiv']}",
    }


PAPER_RATIOS = paper_ratios()


@dataclass
class Prices:
    version: str
    as_of: str
    llm: dict[str, dict]
    cpu: dict

    @property
    def usd_per_vcpu_hour(self) -> float:
        return float(self.cpu["usd_per_hour"]) / float(self.cpu["vcpus"])

    def to_dict(self) -> dict:
        return asdict(self)


def load_prices(path: str | Path) -> Prices:
    """Read and check the price table; a missing field is a one-line error naming the file."""
    cfg = Config().from_disk(path, interpolate=False)
    try:
        meta, llm, cpu = cfg["meta"], cfg["llm"], cfg["cpu"]
        for name, entry in llm.items():
            for key in ("input_per_1m", "output_per_1m", "source"):
                if key not in entry:
                    raise KeyError(f"llm.{name}.{key}")
        for key in ("usd_per_hour", "vcpus", "source"):
            if key not in cpu:
                raise KeyError(f"cpu.{key}")
        return Prices(version=str(meta["version"]), as_of=str(meta["as_of"]), llm=dict(llm), cpu=dict(cpu))
    except KeyError as err:
        raise ValueError(f"{path}: price table lacks {err.args[0]}") from None


def cpu_usd_per_1k(notes_per_s: float, threads: int, prices: Prices) -> float | None:
    if not notes_per_s:
        return None
    return 1000 * prices.usd_per_vcpu_hour * threads / (notes_per_s * 3600)


@dataclass
class TeacherCost:
    name: str
    kind: str  # "ontology" or "llm"
    notes_per_s: float | None
    usd_per_1k: float | None
    source: str
    tokens_in_per_note: float | None = None
    tokens_out_per_note: float | None = None
    s_per_note: float | None = None
    model: str | None = None
    ledger_usd_per_1k: float | None = None
    price_note: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None


def ontology_costs(metrics_dir: Path, prices: Prices) -> list[TeacherCost]:
    """Teachers whose ``<name>.json`` records labelling time per split (and have no LLM ledger)."""
    out = []
    for path in sorted(metrics_dir.glob("*.json")):
        if path.name.endswith(".usage.json") or (metrics_dir / f"{path.stem}.usage.json").exists():
            continue
        splits = _read(path).get("splits", {})
        timed = [s for s in splits.values() if isinstance(s, dict) and s.get("seconds")]
        if not timed:
            continue
        docs = sum(int(s.get("docs", 0)) for s in timed)
        seconds = sum(float(s["seconds"]) for s in timed)
        rate = docs / seconds
        out.append(
            TeacherCost(
                name=path.stem,
                kind="ontology",
                notes_per_s=rate,
                usd_per_1k=cpu_usd_per_1k(rate, 1, prices),
                s_per_note=1 / rate,
                source=f"{path.name}: {docs} docs in {seconds:.1f} s (teach step, 1 process)",
            )
        )
    return out


def _list_usd_per_1k(tokens_in: float, tokens_out: float, price: dict) -> float:
    """USD per 1,000 notes at list prices, from tokens per note."""
    return 1000 * (tokens_in * price["input_per_1m"] + tokens_out * price["output_per_1m"]) / 1e6


def _ledger_per_note(usage: dict) -> tuple[float, float, int]:
    """(input tokens, output tokens) per note, fresh and cached calls together; and the note count."""
    docs = int(usage.get("docs") or usage.get("prompts") or 0)
    cached = usage.get("cached", {})
    tin = usage.get("prompt_tokens", 0) + cached.get("prompt_tokens", 0)
    tout = usage.get("completion_tokens", 0) + cached.get("completion_tokens", 0)
    return (tin / docs, tout / docs, docs) if docs else (0.0, 0.0, 0)


def llm_costs(metrics_dir: Path | None, prices: Prices, note_tokens: float | None) -> list[TeacherCost]:
    """One row per LLM ledger, and one per priced model without a ledger (estimated, see module doc)."""
    ledgers = {}
    found = sorted(metrics_dir.glob("*.usage.json")) if metrics_dir and metrics_dir.is_dir() else []
    for path in found:
        usage = _read(path)
        ledgers[usage.get("teacher", path.name.removesuffix(".usage.json"))] = (path, usage)
    rows = []
    for name, (path, usage) in ledgers.items():
        tin, tout, docs = _ledger_per_note(usage)
        if not docs:
            continue
        all_cached = usage.get("cache_hits", 0) >= usage.get("prompts", 0) > 0
        rate = None if all_cached else usage.get("docs_per_s")
        price = prices.llm.get(name)
        list_cost = _list_usd_per_1k(tin, tout, price) if price else None
        ledger_cost = 1000 * (usage.get("cost_usd", 0) + usage.get("cached", {}).get("cost_usd", 0)) / docs
        rows.append(
            TeacherCost(
                name=name,
                kind="llm",
                model=usage.get("model"),
                notes_per_s=rate,
                s_per_note=(usage["wall_s"] / docs) if rate and usage.get("wall_s") else None,
                tokens_in_per_note=tin,
                tokens_out_per_note=tout,
                usd_per_1k=list_cost if list_cost is not None else ledger_cost,
                ledger_usd_per_1k=ledger_cost,
                source=f"{path.name}: {docs} notes"
                + (", all answers from cache: no speed" if all_cached else f", {usage.get('wall_s')} s wall")
                + (f"; priced at list ({prices.as_of})" if price else "; ledger's own prices"),
            )
        )
    proxy = next(((n, u) for n, (_, u) in ledgers.items() if _ledger_per_note(u)[2]), None)
    for name, price in prices.llm.items():
        if name in ledgers:
            continue
        if proxy:
            tin, tout, _ = _ledger_per_note(proxy[1])
            source = f"price table x tokens/note of the {proxy[0]} ledger (same prompt, its tokenizer)"
        elif note_tokens:
            tin, tout = note_tokens, 0.0
            source = "price table x note tokens only: LOWER BOUND (no instructions, examples or output)"
        else:
            continue
        rows.append(
            TeacherCost(
                name=name,
                kind="llm",
                model=price.get("model"),
                notes_per_s=None,
                tokens_in_per_note=tin,
                tokens_out_per_note=tout,
                usd_per_1k=_list_usd_per_1k(tin, tout, price),
                source=source,
                price_note=price.get("note"),
            )
        )
    return rows
