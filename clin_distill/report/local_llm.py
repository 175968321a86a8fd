"""The report's section on the offline LLM teacher (SmolLM2-135M under llama.cpp).

Everything here is compared on the same notes: F1 of every system on the test docs the local
LLM labelled, its speed beside the student's from one run (``local_llm_speed.json``), and the
teacher-subset search with and without it on the dev docs every teacher labelled
(``combine_local_llm/subsets.json``). Missing inputs are named, never filled in.
"""

from __future__ import annotations

from pathlib import Path

from ..combine.subsets import choose_best
from ..docio import get_doc_id, read_docbin
from ..metrics.spans import char_spans, lenient_counts, strict_counts, summarise
from ..stepfiles.combine import SubsetSearch
from ..stepfiles.llm_usage import LLMUsage
from ..stepfiles.local_llm_speed import LocalLLMSpeed
from .model import Note, Section, Table
from .sources import load_spans

TITLE = "Local LLM teacher (SmolLM2-135M, offline)"
SPEED_FILE = "local_llm_speed.json"
SUBSETS_FILE = Path("combine_local_llm") / "subsets.json"
CAVEAT = (
    "SmolLM2-135M-Instruct is a 135M-parameter model run on this CPU to prove the offline LLM path "
    "(llama.cpp server, OpenAI protocol, grammar-constrained replies, grounding). Its F1 says nothing "
    "about GPT-4o, o1-mini, Gemini Flash or any large LLM; its speed is what a local model costs here."
)


def _f(value: float) -> str:
    return f"{value:.3f}"


def same_docs_table(results: list[dict], local: str, metrics_dir: Path, corpus: str, gold: Path) -> list:
    """Strict/lenient F1 of every system with a spans file, on the test docs ``local`` scored."""
    local_spans = load_spans(metrics_dir, local, corpus)
    if not local_spans:
        return [Note(f"No {local}/{corpus}.spans.json with scored docs: run evaluate-local-llm.", warn=True)]
    labels = results[0]["labels"]
    gold_spans = {get_doc_id(d): char_spans(d, labels) for d in read_docbin(gold)}
    doc_ids = sorted(set(local_spans) & gold_spans.keys())
    rows, left_out = [], []
    for r in results:
        spans = local_spans if r["system"] == local else load_spans(metrics_dir, r["system"], corpus)
        if spans is None or not all(d in spans for d in doc_ids):
            left_out.append(r["system"])
            continue
        per_doc = {
            d: {
                "strict": strict_counts(spans[d], gold_spans[d]),
                "lenient": lenient_counts(spans[d], gold_spans[d]),
            }
            for d in doc_ids
        }
        scores = summarise(per_doc, labels)
        s, le = scores["strict"], scores["lenient"]
        cells = [f"{_f(s[lab]['f'])} / {_f(le[lab]['f'])}" for lab in labels]
        rows.append([r["system"], r.get("kind", ""), *cells, str(s["micro"]["tp"]), str(s["micro"]["fp"])])
    header = ["system", "kind", *(f"{lab} strict / lenient F1" for lab in labels), "strict TP", "FP"]
    note = (
        "Every system is scored on exactly these docs (the local LLM labels a subset: "
        "vars.local_llm_max_docs per split), so the rows compare like with like."
    )
    if left_out:
        note += f" Left out (no prediction for some of these docs): {', '.join(left_out)}."
    return [Table(header, rows, f"F1 on the {len(doc_ids)} {corpus} test docs {local} labelled"), Note(note)]


def speed_blocks(path: Path) -> list:
    """The teacher and the student timed on the same notes, and the student's speed-up."""
    if not path.is_file():
        return [Note(f"Speed not measured: {path} not found (run bench-local-llm).", warn=True)]
    data = LocalLLMSpeed.read(path)
    t, s = data.teacher, data.student
    timed = [(f"teacher {t.name} ({t.model})", t)]
    if s.timed is not None:
        timed.append((f"student {s.path}", s.timed))
    rows = [
        [name, str(r.notes), f"{r.wall_s:.2f}", f"{r.notes_per_s:.3f}", f"{r.s_per_note:.3f}"]
        for name, r in timed
    ]
    m = data.machine
    verdict = (
        f"The student labels these notes {data.student_speedup}× faster than the local LLM"
        if data.student_speedup
        else f"Student not timed: {s.reason or 'no result'}"
    )
    return [
        Table(
            ["model", "notes", "wall s", "notes/s", "s/note"],
            rows,
            "Speed side by side (one run, same notes)",
        ),
        Note(
            f"{verdict} ({data.notes} notes, {data.chars} characters; LLM uncached, "
            f"{t.completion_tokens} completion tokens at {t.completion_tokens_per_s}/s; server start-up "
            f"{data.server.startup_s} s and student load {s.load_s} s not counted). Machine: {m.cpu}, "
            f"{m.cpu_count} cores, load {m.load_avg_1m}. Reference paper: distilled BioBERT 12× faster "
            "than GPT-4o."
        ),
    ]


def subsets_blocks(path: Path, local: str, labels: list[str]) -> list:
    """Each label's best teacher subset with and without the local LLM, on the same dev docs."""
    if not path.is_file():
        return [
            Note(
                f"Combination with the local LLM not run: {path} not found (run combine-local-llm).",
                warn=True,
            )
        ]
    search = SubsetSearch.read(path)
    # the combine step's own choice rule (strict F1, then lenient F1, fewer teachers, union first)
    best_without = choose_best([r for r in search.rows if local not in r.teachers], labels)
    best_with = choose_best([r for r in search.rows if local in r.teachers], labels)
    rows = []
    for label in labels:
        without, with_ = best_without[label], best_with[label]
        if without is None or with_ is None:
            continue
        rows.append(
            [
                label,
                f"{'+'.join(without.teachers)} ({without.strategy})",
                _f(without.strict.f),
                f"{'+'.join(with_.teachers)} ({with_.strategy})",
                _f(with_.strict.f),
                f"{with_.strict.f - without.strict.f:+.3f}",
            ]
        )
    header = ["label", "best subset without", "strict F1", "best subset with local LLM", "strict F1", "gain"]
    return [
        Table(header, rows, "Does the local LLM help the combination? (gold dev, strict)"),
        Note(
            f"Subset search over {', '.join(search.teachers)} ({search.n_subsets} subsets × union/vote) on "
            f"the {search.dev_docs_scored} {search.dataset} dev docs every teacher labelled; both columns "
            f"are scored on those same docs. Full table: {path}."
        ),
    ]


def ledger_note(path: Path) -> Note | None:
    """The local teacher's ledger in one sentence (None when it has none)."""
    if not path.is_file():
        return None
    data = LLMUsage.read(path)
    server = data.server
    where = (
        f"server {server.server}, start-up {server.startup_s} s, {server.n_threads} threads"
        if server
        else "no server record"
    )
    return Note(
        f"Ledger ({path.name}): {data.docs} notes labelled in {data.wall_s} s "
        f"({data.docs_per_s} notes/s), {data.prompts} prompts, {data.prompt_tokens} prompt + "
        f"{data.completion_tokens} completion tokens, {data.failures} failed prompts, "
        f"{data.cache_hits} cache hits; {where}."
    )


def local_llm_section(
    results: list[dict], metrics_dir: Path, corpus: str, gold: Path | None
) -> Section | None:
    """The section, or None when no small local LLM teacher was evaluated on ``corpus``."""
    local = next((r for r in results if r.get("kind") == "teacher" and r.get("small_local_model")), None)
    if local is None:
        return None
    name = local["system"]
    blocks: list = [Note(CAVEAT, warn=True)]
    if gold is not None:
        blocks += same_docs_table(results, name, metrics_dir, corpus, gold)
    else:
        blocks.append(Note("Same-docs F1 table left out: no gold test DocBin given (--examples).", warn=True))
    blocks += speed_blocks(metrics_dir / SPEED_FILE)
    blocks += subsets_blocks(metrics_dir / SUBSETS_FILE, name, local["labels"])
    ledger = ledger_note(metrics_dir / "teachers" / f"{name}.usage.json")
    if ledger is not None:
        blocks.append(ledger)
    return Section(TITLE, blocks)
