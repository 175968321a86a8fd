"""Matplotlib (Agg, no pyplot state) charts returned as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..metrics.compare import MODES, corpus_label_pairs, table_labels


def _entry(result: dict, mode: str, column: str) -> dict:
    """A result's ``mode`` score of ``column``: a label, or ``"<corpus> <label>"``."""
    corpus, _, label = column.rpartition(" ")
    part = result.get("by_corpus", {}).get(corpus, {}) if corpus else result
    scored = label == "micro" or label in part.get("labels", [label])
    return part.get(mode, {}).get(label, {}) if scored else {}


def corpus_label_chart(results: Sequence[dict], modes: Sequence[str] = MODES) -> bytes:
    """Grouped bars of F1 per (corpus, label) pair with gold, per system, one panel per mode."""
    columns = [f"{corpus} {label}" for corpus, label in corpus_label_pairs(results)]
    return f1_bar_chart(results, None, modes, columns)


def f1_bar_chart(
    results: Sequence[dict],
    anchors: dict | None = None,
    modes: Sequence[str] = MODES,
    columns: Sequence[str] | None = None,
) -> bytes:
    """Grouped bars of F1 per column (default: each label and micro) per system, one panel per mode,
    with 95% CI error bars; the paper's distilled F1 is drawn as black diamonds where given."""
    labels = list(columns) if columns is not None else table_labels(results)
    paper = (anchors or {}).get("f1", {}).get("distilled", {})
    fig = Figure(figsize=(max(4.2, 0.9 * len(labels)) * len(modes) + 1.5, 4.2), dpi=100)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, len(modes), sharey=True, squeeze=False)[0]
    x = np.arange(len(labels))
    width = 0.8 / max(len(results), 1)
    for ax, mode in zip(axes, modes, strict=True):
        for i, result in enumerate(results):
            entries = [_entry(result, mode, lab) for lab in labels]
            f1 = np.array([e.get("f", 0.0) for e in entries])
            ci = np.array([e.get("ci", {}).get("f", [e.get("f", 0.0)] * 2) for e in entries])
            yerr = np.clip(np.vstack([f1 - ci[:, 0], ci[:, 1] - f1]), 0, None)
            offset = (i - (len(results) - 1) / 2) * width
            ax.bar(x + offset, f1, width, yerr=yerr, capsize=2, label=result.get("system", "?"))
        anchor_x = [j for j, lab in enumerate(labels) if lab in paper]
        if anchor_x:
            ax.scatter(
                anchor_x,
                [paper[labels[j]] for j in anchor_x],
                marker="D",
                color="black",
                zorder=5,
                label="paper: distilled BioBERT",
            )
        ax.set_xticks(x, [lab.replace(" ", "\n") for lab in labels], fontsize="small")
        ax.set_ylim(0, 1)
        ax.set_title(f"{mode} F1 (95% CI)")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("F1")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
