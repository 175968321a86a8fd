"""Assemble the report from the metrics folder (see :mod:`clin_distill.report.sources`)."""

from __future__ import annotations

from pathlib import Path

from ..anchors import load_anchors
from ..docio import corpus_of, get_doc_id, labels_annotated, read_docbin
from ..metrics.compare import MODES, comparison_table, corpus_label_table, format_f1
from ..metrics.errors import OUTCOMES
from .ablation import ablation_section
from .combination import labels_section, subsets_section
from .distances import distances_section
from .examples import is_public, render_example, select_examples
from .local_llm import local_llm_section
from .model import Image, Note, RawHtml, Report, Section, Table
from .note_sentences import note_sentences_section
from .plots import corpus_label_chart, f1_bar_chart
from .sources import load_results, load_spans
from .speed import speed_section

STUDENT = "distilled"


def comparison_section(results: list[dict]) -> Section:
    """F1 per corpus and label, pooled F1 per label, and warnings on failures and small models."""
    first = results[0]
    boot = first.get("bootstrap", {})
    blocks: list = []
    for mode in MODES:
        header, rows = corpus_label_table(results, mode)
        blocks.append(Table(header, rows, f"{mode.capitalize()} F1 per corpus and label [95% CI]"))
    header, rows = comparison_table(results)
    blocks += [
        Table(
            header, rows, "Pooled test set: F1 per label (each label on the docs whose corpus annotates it)"
        ),
        Note(
            "Each corpus is scored only on the labels it annotates (a MEDICATION predicted in an NCBI "
            "Disease abstract is neither right nor wrong); – marks a pair without gold. "
            "Strict = exact boundaries and label; lenient = any overlap, same label (one-to-one). "
            f"Brackets: {int(100 * boot.get('confidence', 0.95))}% {boot.get('method', 'bootstrap')}, "
            f"{boot.get('n_resamples', '?')} resamples, seed {boot.get('seed', '?')}."
        ),
    ]
    for r in results:
        if r.get("failures") or r.get("missing"):
            blocks.append(
                Note(
                    f"{r['system']}: {r.get('failures', 0)} test docs failed and "
                    f"{r.get('missing', 0)} had no prediction; both are left out of its scores.",
                    warn=True,
                )
            )
        if r.get("kind") == "teacher" and r.get("small_local_model"):
            blocks.append(
                Note(
                    f"Teacher {r['system']} is a 135M-parameter local model (SmolLM2-135M) standing in "
                    "for an LLM offline: its F1 says nothing about GPT-4o or other large LLM teachers.",
                    warn=True,
                )
            )
    return Section("Comparison on the test sets (F1 with 95% CI)", blocks)


def anchor_blocks(results: list[dict], anchors: dict) -> list:
    """The paper's F1 rows beside ours (students, strict and lenient), and where they come from."""
    labels = list(
        dict.fromkeys([*anchors["f1"]["distilled"], *(lab for r in results for lab in r["labels"])])
    )
    rows = [
        [f"paper: {anchors['f1_rows'].get(key, key)}"]
        + [f"{values[lab]:g}" if lab in values else "–" for lab in labels]
        for key, values in anchors["f1"].items()
    ]
    for r in results:
        if r.get("kind") == "model":
            for mode in ("strict", "lenient"):
                rows.append(
                    [f"ours: {r['system']} ({mode})"]
                    + [
                        format_f1(r[mode].get(lab)) if lab in r["labels"] else "not annotated"
                        for lab in labels
                    ]
                )
    src = anchors["source"]
    return [
        Table(["system", *labels], rows, f"Paper anchors (arXiv {src['arxiv']}) beside ours: F1"),
        Note(
            f"{src['title']} ({src['authors']}, {src['submitted']}; numbers from its {src['where']}). "
            f"{anchors.get('note', '')} Resource paper_anchors v{anchors['version']}."
        ),
    ]


def errors_section(results: list[dict]) -> Section:
    """Correct, boundary, confusion, missed and spurious counts per system."""
    rows = []
    for r in results:
        errors = r.get("errors", {})
        total = errors.get("total", {})
        confusions = "; ".join(
            f"{gold}→{pred} {n}"
            for gold, row in errors.get("per_label", {}).items()
            for pred, n in row.get("confused_as", {}).items()
        )
        rows.append([r["system"], *(str(total.get(o, 0)) for o in OUTCOMES), confusions or "–"])
    return Section(
        "Error breakdown",
        [
            Table(["system", *OUTCOMES, "confusions (gold→pred)"], rows),
            Note(
                "boundary: same label, overlapping but not exact; confusion: same or overlapping span with "
                "another label; missed/spurious: gold/predicted spans with no counterpart."
            ),
        ],
    )


def _annotated_spans(doc, spans: set) -> set:
    """``spans`` restricted to the labels ``doc``'s corpus annotates."""
    return {span for span in spans if span[2] in labels_annotated(doc)}


def examples_section(
    results: list[dict], metrics_dir: Path, corpus: str, examples: Path | None, teachers_dir: Path | None
) -> Section:
    """Test docs of public corpora where the student and teachers differ most, with each system's
    spans of the labels that doc's corpus annotates. Docs of other corpora (n2c2, MedAlign, the
    user's notes: PHI) are never shown."""
    title = "Examples where the distilled student and the teachers differ"
    if examples is None:
        return Section(title, [Note("Examples left out (--no-examples, or no --examples file).")])
    gold = [d for d in read_docbin(examples) if is_public(corpus_of(d)) or is_public(corpus)]
    if not gold:
        return Section(
            title, [Note(f"Examples left out: no test doc of {corpus!r} comes from a public corpus.")]
        )
    student = load_spans(metrics_dir, STUDENT, corpus)
    if student is None:
        return Section(title, [Note(f"No {STUDENT}/{corpus}.spans.json: run the evaluate step.", warn=True)])
    by_id = {get_doc_id(d): d for d in gold}
    student = {i: _annotated_spans(by_id[i], s) for i, s in student.items() if i in by_id}
    teachers: dict[str, dict] = {}
    for r in results:
        if r.get("kind") != "teacher" or teachers_dir is None:
            continue
        path = teachers_dir / r["system"] / corpus / "test.spacy"
        if path.is_file():
            teachers[r["system"]] = {
                get_doc_id(d): _annotated_spans(
                    by_id[get_doc_id(d)], {(e.start_char, e.end_char, e.label_) for e in d.ents}
                )
                for d in read_docbin(path)
                if get_doc_id(d) in by_id
            }
    chosen = select_examples(gold, student, teachers)
    if not chosen:
        return Section(
            title, [Note("No test doc where the student and a teacher differ (or no teacher outputs).")]
        )
    blocks: list = [
        Note(
            "Public corpus text exported verbatim for illustration; each doc shows only the labels its "
            "corpus annotates; teachers' labels shown only where they labelled the doc."
        )
    ]
    for doc_id in chosen:
        doc = by_id[doc_id]
        gold_spans = _annotated_spans(doc, {(e.start_char, e.end_char, e.label_) for e in doc.ents})
        systems = [("gold", gold_spans), (STUDENT, student[doc_id])]
        systems += [(name, spans[doc_id]) for name, spans in teachers.items() if doc_id in spans]
        blocks.append(
            RawHtml(
                f"<h3>doc {doc_id} ({corpus_of(doc)})</h3>" + render_example(doc, systems),
                f"- doc `{doc_id}` ({corpus_of(doc)}, rendered in report.html)",
            )
        )
    return Section(title, blocks)


def build_report(
    metrics_dir: Path,
    corpus: str,
    examples: Path | None = None,
    teachers_dir: Path | None = None,
    combine_json: Path | None = None,
    benchmark_json: Path | None = None,
    gold: Path | None = None,
) -> Report:
    """The whole report. Note text (examples) is included only when ``examples`` is given and
    ``corpus`` is public; ``examples=None`` leaves it out entirely. ``gold`` (the test DocBin) lets
    the local-LLM section score every system on the docs that teacher labelled; no text is shown."""
    results = load_results(metrics_dir, corpus)
    if not results:
        raise FileNotFoundError(f"no evaluate outputs {metrics_dir}/*/{corpus}.json (run the evaluate step)")
    anchors = load_anchors()
    report = Report(f"clin-distill evaluation: {corpus}")
    comparison = comparison_section(results)
    comparison.blocks += anchor_blocks(results, anchors)
    report.sections.append(comparison)
    distances = distances_section(results)
    if distances is not None:
        report.sections.append(distances)
    report.sections.append(
        Section(
            "F1 per corpus, label and system",
            [
                Image(corpus_label_chart(results), "report_f1_corpus", "F1 per corpus and label per system"),
                Image(f1_bar_chart(results, anchors), "report_f1", "F1 per label per system (pooled test)"),
            ],
        )
    )
    report.sections.append(errors_section(results))
    ablation = ablation_section(results, metrics_dir, corpus)
    if ablation is not None:
        report.sections.append(ablation)
    subsets = combine_json or metrics_dir / "combine" / "subsets.json"
    report.sections.append(labels_section(subsets.parent / "choice.json"))
    report.sections.append(subsets_section(subsets, list(results[0]["labels"])))
    report.sections.append(speed_section(benchmark_json or metrics_dir / "benchmark.json", anchors))
    sentences = note_sentences_section(metrics_dir)
    if sentences is not None:
        report.sections.append(sentences)
    local = local_llm_section(results, metrics_dir, corpus, gold or examples)
    if local is not None:
        report.sections.append(local)
    report.sections.append(examples_section(results, metrics_dir, corpus, examples, teachers_dir))
    return report
