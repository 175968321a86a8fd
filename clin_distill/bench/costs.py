"""Teacher speed and cost: ontology teachers from their metrics, LLM teachers from their usage
ledgers, and list prices from the versioned price table (``configs/prices.cfg``).

Costs are USD per 1,000 notes. CPU work (student, ontology teachers) costs the table's
``[cpu]`` on-demand price per vCPU-hour times the threads it used. An LLM teacher costs its
tokens per note at its list price; tokens per note come, in order of preference, from its own
ledger, from another LLM teacher's ledger (same prompt, another tokenizer), or as a lower bound
from the notes alone (the student's wordpieces of each note: no instructions, examples or output).
"""

from __future__ import annotations

from pathlib import Path

from ..anchors import load_anchors
from ..stepfiles.benchmark import PaperRatios, TeacherCost
from ..stepfiles.llm_usage import LLMUsage
from ..stepfiles.prices import LLMPrice, Prices
from ..stepfiles.teacher_metrics import TeacherMetrics

USAGE_SUFFIX = ".usage.json"


def paper_ratios() -> PaperRatios:
    """The paper's student-vs-teacher speed and cost ratios, keyed by our teacher names
    (``GPT-4o`` -> ``gpt-4o``), from the one place they are recorded: the paper anchors resource."""
    anchors = load_anchors()
    rows = {row["versus"].lower().replace(" ", "-"): row for row in anchors["speed_cost"]}
    return PaperRatios(
        speedup_vs={name: float(row["faster"]) for name, row in rows.items()},
        cost_ratio_vs={name: float(row["cheaper"]) for name, row in rows.items()},
        source=f"arXiv {anchors['source']['arxiv']}",
    )


def cpu_usd_per_1k(notes_per_s: float, threads: int, prices: Prices) -> float | None:
    """USD per 1,000 notes of CPU time at ``notes_per_s`` on ``threads`` vCPUs (None without a rate)."""
    if not notes_per_s:
        return None
    return 1000 * prices.usd_per_vcpu_hour * threads / (notes_per_s * 3600)


def ontology_costs(metrics_dir: Path, prices: Prices) -> list[TeacherCost]:
    """Ontology teachers (``metrics/teachers/<t>.json`` of kind ``ontology``) that timed their splits."""
    out = []
    for path in sorted(metrics_dir.glob("*.json")):
        if path.name.endswith(USAGE_SUFFIX):
            continue
        metrics = TeacherMetrics.read(path)
        timed = [s for s in metrics.splits.values() if s.seconds]
        if metrics.kind != "ontology" or not timed:
            continue
        docs = sum(s.docs for s in timed)
        seconds = sum(s.seconds or 0.0 for s in timed)
        rate = docs / seconds
        out.append(
            TeacherCost(
                name=metrics.teacher,
                kind="ontology",
                notes_per_s=rate,
                usd_per_1k=cpu_usd_per_1k(rate, 1, prices),
                s_per_note=1 / rate,
                source=f"{path.name}: {docs} docs in {seconds:.1f} s (teach step, 1 process)",
            )
        )
    return out


def _list_usd_per_1k(tokens_in: float, tokens_out: float, price: LLMPrice) -> float:
    """USD per 1,000 notes at list prices, from tokens per note."""
    return 1000 * (tokens_in * price.input_per_1m + tokens_out * price.output_per_1m) / 1e6


def _ledger_cost(path: Path, usage: LLMUsage, prices: Prices) -> TeacherCost:
    """An LLM teacher's row from its own ledger (at list prices when the table prices it)."""
    tin, tout = usage.tokens_per_note()
    docs = usage.docs or usage.prompts
    rate = None if usage.all_cached else usage.docs_per_s
    price = prices.llm.get(usage.teacher)
    list_cost = _list_usd_per_1k(tin, tout, price) if price else None
    ledger_cost = 1000 * (usage.cost_usd + usage.cached.cost_usd) / docs
    speed = ", all answers from cache: no speed" if usage.all_cached else f", {usage.wall_s} s wall"
    return TeacherCost(
        name=usage.teacher,
        kind="llm",
        model=usage.model,
        notes_per_s=rate,
        s_per_note=(usage.wall_s / docs) if rate and usage.wall_s else None,
        tokens_in_per_note=tin,
        tokens_out_per_note=tout,
        usd_per_1k=list_cost if list_cost is not None else ledger_cost,
        ledger_usd_per_1k=ledger_cost,
        source=f"{path.name}: {docs} notes{speed}"
        + (f"; priced at list ({prices.as_of})" if price else "; ledger's own prices"),
    )


def llm_costs(metrics_dir: Path | None, prices: Prices, note_tokens: float | None) -> list[TeacherCost]:
    """One row per LLM ledger, and one per priced model without a ledger (estimated, see module doc)."""
    found = sorted(metrics_dir.glob(f"*{USAGE_SUFFIX}")) if metrics_dir and metrics_dir.is_dir() else []
    ledgers = {usage.teacher: (path, usage) for path in found for usage in [LLMUsage.read(path)]}
    rows = [
        _ledger_cost(path, usage, prices) for path, usage in ledgers.values() if usage.docs or usage.prompts
    ]
    proxy = next(((n, u) for n, (_, u) in ledgers.items() if u.docs or u.prompts), None)
    for name, price in prices.llm.items():
        if name in ledgers:
            continue
        lower_bound = False
        if proxy:
            tin, tout = proxy[1].tokens_per_note()
            source = f"price table x tokens/note of the {proxy[0]} ledger (same prompt, its tokenizer)"
        elif note_tokens:
            tin, tout, lower_bound = note_tokens, 0.0, True
            source = "price table x note tokens only: LOWER BOUND (no instructions, examples or output)"
        else:
            continue
        rows.append(
            TeacherCost(
                name=name,
                kind="llm",
                model=price.model,
                notes_per_s=None,
                tokens_in_per_note=tin,
                tokens_out_per_note=tout,
                usd_per_1k=_list_usd_per_1k(tin, tout, price),
                source=source,
                price_note=price.note,
                lower_bound=lower_bound,
            )
        )
    return rows
