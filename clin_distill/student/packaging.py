"""Turn a trained student into the installable ``en_clin_distilled`` package (sdist and wheel).

The packaged pipeline is the student plus a sentencizer and medspaCy ConText after NER
(:mod:`clin_distill.runtime.assertion`). Every module of :mod:`clin_distill.runtime` ships inside the
package (``spacy package --code``), so the installed model needs spaCy, spacy-transformers, medspaCy
and torch, never ``clin_distill``. The transformer's config, tokenizer and weights are serialized inside
the model folder by spacy-transformers, so loading needs no hub access.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.cli.package import package as spacy_package

from ..files.benchmark import Benchmark
from ..files.combine import CombineChoice
from ..files.pool import Pool
from ..labels import LABELS
from ..runtime.assertion import ASSERTION_ATTRIBUTES, add_assertion
from ..runtime.int8 import FACTORY as INT8_FACTORY

RUNTIME_PACKAGE = "clin_distill.runtime"
OWN_DISTRIBUTION = "clin-distill"
TRANSFORMER = "transformer"
INT8_NAME = "int8"
# Pinned to what trained the model: the serialized transformer and tokenizer are read back by these
PINNED = ("torch", "transformers", "medspacy")


def runtime_code_paths() -> list[Path]:
    """Every module of clin_distill.runtime except its ``__init__`` (spacy package copies them flat)."""
    folder = resources.files(RUNTIME_PACKAGE)
    return sorted(
        Path(str(p)) for p in folder.iterdir() if p.name.endswith(".py") and p.name != "__init__.py"
    )


def pinned_requirements() -> list[str]:
    """``name==version`` for PINNED, from this environment (local labels such as ``+cpu`` dropped)."""
    return [f"{name}=={metadata.version(name).split('+')[0]}" for name in PINNED]


def licence_notes(datasets: list[str], teachers: list[str]) -> dict[str, Any]:
    """Licence notes of the corpora, the ontology teachers used (all of them if none) and the backbones."""
    notes = json.loads(
        (resources.files("clin_distill") / "resources" / "student" / "licences.json").read_text()
    )
    ontologies = notes["ontologies"]
    chosen = [t for t in teachers if t in ontologies] or list(ontologies)
    return {
        "data": {d: notes["datasets"].get(d, "see the corpus's own licence") for d in datasets},
        "ontologies": {name: ontologies[name] for name in chosen},
        "backbones": notes["backbones"],
        "note": "Teacher labels from LLM services are subject to each provider's terms of use.",
    }


def label_scores(evaluation: dict) -> dict[str, Any]:
    """Strict and lenient P/R/F (with 95% CIs) of each scored label (+ micro) from a
    metrics/<system>/<corpus>.json record or one of its ``by_corpus`` parts."""
    labels = evaluation.get("labels", LABELS)
    out: dict[str, Any] = {"n_docs": evaluation.get("n_docs"), "labels": list(labels)}
    for mode in ("strict", "lenient"):
        table = evaluation.get(mode, {})
        out[mode] = {
            key: {m: table[key][m] for m in ("p", "r", "f", "ci") if m in table[key]}
            for key in (*labels, "micro")
            if key in table
        }
    return out


def scores_record(
    model_meta: dict, metrics_dir: Path | None, corpus: str = "pool", system: str = "distilled"
) -> dict[str, Any]:
    """Test-set scores from the evaluate step (pooled, and per source corpus on the labels each
    annotates) when present, else spaCy's label-aware dev scores from training."""
    if metrics_dir is not None:
        path = metrics_dir / system / f"{corpus}.json"
        if path.is_file():
            evaluation = srsly.read_json(path)
            by_corpus = {name: label_scores(part) for name, part in evaluation.get("by_corpus", {}).items()}
            return {"source": str(path), "split": "test", **label_scores(evaluation), "by_corpus": by_corpus}
    perf = model_meta.get("performance", {})
    return {
        "source": "training (spaCy scorer, gold dev set, best checkpoint)",
        "split": "dev",
        "strict": {
            **{label: vals for label, vals in (perf.get("ents_per_type") or {}).items()},
            "micro": {"p": perf.get("ents_p"), "r": perf.get("ents_r"), "f": perf.get("ents_f")},
        },
    }


def trained_labels(choice: CombineChoice | None, model_labels: list[str]) -> dict[str, Any]:
    """Which labels the student was taught, and which the teacher combination dropped (and why)."""
    if choice is None:
        return {"trained": model_labels, "dropped": {}}
    return {
        "trained": [label for label in LABELS if label in choice.labels_decided],
        "dropped": choice.labels_dropped,
    }


def pool_record(pool: Path | None) -> dict[str, Any] | None:
    """The pool the teachers labelled: corpora with their split sizes and annotated labels, notes."""
    if pool is None or not pool.is_file():
        return None
    data = Pool.read(pool)
    return {
        "corpora": {
            name: {"docs": counts, "annotated_labels": data.annotated_labels.get(name, [])}
            for name, counts in data.corpora.items()
        },
        "notes": {"read": data.notes.read, "kept": data.notes.kept, "skipped": data.notes.skipped},
    }


def speed_record(path: Path) -> dict[str, Any]:
    """A compact speed summary for the model's meta (``spacy info`` prints it in one row): the best
    notes per second of each precision and its threads, int8's speed-up and F1 loss, the machine,
    and where the whole benchmark is."""
    result = Benchmark.read(path)
    summary = result.summary
    best = {run.precision: run for run in result.runs if run.name in summary.best.values()}
    return {
        "notes_per_s": {p: round(run.notes_per_s, 2) for p, run in best.items()},
        "threads": {p: run.threads for p, run in best.items()},
        "int8_speedup": summary.int8_speedup_best_vs_best,
        "int8_f1_loss_points": summary.f1_loss_points,
        "notes": result.n_docs,
        "machine": f"{result.machine.cpu_model}, {result.machine.usable_cpus} usable CPUs",
        "source": str(path),
    }


def build_meta(
    model_meta: dict,
    name: str,
    version: str,
    metrics_dir: Path | None,
    benchmark: Path | None,
    combine: Path | None,
    pool: Path | None = None,
    system: str = "distilled",
) -> dict[str, Any]:
    """The packaged model's meta.json: spaCy's, plus the ``clin_distill`` record (labels trained and
    dropped, pool, teacher choice per label, test scores of ``system`` per corpus, speed, licences).

    ``combine`` is ``metrics/combine/subsets.json``; ``choice.json`` beside it is read.

    Raises:
        FileFormatError: a metrics file of the wrong schema (e.g. from an older clin-distill).
    """
    record = model_meta.get("clin_distill", {})
    choice_path = combine.parent / "choice.json" if combine is not None else None
    choice = CombineChoice.read(choice_path) if choice_path and choice_path.is_file() else None
    teachers = choice.teachers_selected if choice is not None else []
    pooled = pool_record(pool)
    labels = trained_labels(choice, list(LABELS))
    meta = dict(model_meta)
    meta.update(
        {
            "name": name,
            "version": version,
            "description": (
                f"Clinical NER ({', '.join(labels['trained'])}) distilled from LLM and ontology teachers, "
                "with medspaCy ConText assertion (negated, historical, family, hypothetical)."
                + (f" Not trained on: {', '.join(labels['dropped'])}." if labels["dropped"] else "")
            ),
            "license": "MIT (code); see clin_distill.licences for data, ontology and backbone terms",
            "requirements": pinned_requirements(),
        }
    )
    meta["clin_distill"] = {
        **record,
        "labels": labels["trained"],
        "labels_dropped": labels["dropped"],
        "assertion_attributes": list(ASSERTION_ATTRIBUTES),
        "pool": pooled,
        "teacher_combination": {
            "per_label": {label: c.model_dump(exclude_defaults=True) for label, c in choice.labels.items()}
            if choice is not None
            else None,
            "teachers": teachers,
            "strategy": choice.strategy if choice is not None else None,
            "subsets_table": str(combine) if combine is not None and combine.is_file() else None,
        },
        "scores": scores_record(model_meta, metrics_dir, system=system),
        "speed": speed_record(benchmark) if benchmark is not None and benchmark.is_file() else None,
    }
    datasets = list((pooled or {}).get("corpora", {})) or ["unknown"]
    meta["clin_distill"]["licences"] = licence_notes(datasets, teachers)
    return meta


def stage_model(model_dir: Path, staging: Path) -> Path:
    """Load the student, add int8 (off) after the transformer and assertion after NER, save to staging."""
    nlp = spacy.load(model_dir)
    if TRANSFORMER in nlp.pipe_names:
        nlp.add_pipe(INT8_FACTORY, name=INT8_NAME, after=TRANSFORMER, config={"enabled": False})
    add_assertion(nlp, after="ner")
    nlp.to_disk(staging)
    return staging


def build_distributions(package_root: Path) -> None:
    """Build the sdist and the wheel into ``package_root/dist`` (no isolated build env: offline-safe)."""
    cmd = [sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", "dist", "."]
    result = subprocess.run(cmd, cwd=package_root, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"building {package_root.name} failed (exit {result.returncode}):\n{tail}")


def own_requirements(requirements: list[str]) -> list[str]:
    """The requirements naming clin-distill itself (the package must not have any)."""
    return [
        r
        for r in requirements
        if re.split(r"[<>=!~ ;\[]", r, maxsplit=1)[0].lower().replace("_", "-") == OWN_DISTRIBUTION
    ]


def build_package(
    model_dir: Path,
    packages_dir: Path,
    name: str,
    version: str,
    metrics_dir: Path | None = None,
    benchmark: Path | None = None,
    combine: Path | None = None,
    pool: Path | None = None,
    system: str = "distilled",
) -> Path:
    """Build ``packages_dir/en_<name>-<version>/`` with ``dist/`` holding the sdist and the wheel."""
    packages_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="clin_distill_package_") as tmp:
        staging = stage_model(model_dir, Path(tmp) / "model")
        meta = build_meta(
            srsly.read_json(staging / "meta.json"),
            name,
            version,
            metrics_dir,
            benchmark,
            combine,
            pool,
            system,
        )
        srsly.write_json(staging / "meta.json", meta)
        package_root = packages_dir / f"{meta['lang']}_{name}-{version}"
        if package_root.exists():
            shutil.rmtree(package_root)
        spacy_package(
            staging,
            packages_dir,
            code_paths=runtime_code_paths(),
            name=name,
            version=version,
            create_sdist=False,
            create_wheel=False,
            force=True,
            silent=True,
        )
    # spaCy adds the distribution of every registered function the config names; the runtime
    # factories are also registered by clin_distill's entry points, but ship as --code modules.
    meta_path = package_root / "meta.json"
    packaged = srsly.read_json(meta_path)
    packaged["requirements"] = [
        r for r in packaged["requirements"] if r not in own_requirements(packaged["requirements"])
    ]
    srsly.write_json(meta_path, packaged)
    build_distributions(package_root)
    check_package(package_root)
    return package_root


def check_package(package_root: Path) -> None:
    """The built package must not depend on the training library and must hold a wheel and an sdist."""
    meta = srsly.read_json(package_root / "meta.json")
    own = own_requirements(meta.get("requirements", []))
    if own:
        raise RuntimeError(f"{package_root}: the package must not require {own}")
    dist = package_root / "dist"
    if not list(dist.glob("*.whl")) or not list(dist.glob("*.tar.gz")):
        raise RuntimeError(f"{package_root}/dist lacks the wheel or the sdist")


def built_wheel(package_root: Path) -> Path:
    """The one wheel in ``package_root/dist``; RuntimeError if not exactly one."""
    wheels = sorted((package_root / "dist").glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {package_root}/dist, found {len(wheels)}")
    return wheels[0]
