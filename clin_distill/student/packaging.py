"""Turn a trained student into the installable ``en_clin_distilled`` package (sdist and wheel).

The packaged pipeline is the student plus a sentencizer and medspaCy ConText after NER
(:mod:`clin_distill.runtime.assertion`). Every module of :mod:`clin_distill.runtime` ships inside the
package (``spacy package --code``), so the installed model needs spaCy, spacy-transformers, medspaCy
and torch, never ``clin_distill``. The transformer's config, tokenizer and weights are serialized inside
the model folder by spacy-transformers, so loading needs no hub access.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import spacy
import srsly
from spacy.cli.package import package as spacy_package

from ..metrics.note_sentences import score_sentences
from ..runtime.abbreviation_guard import NAME as GUARD_NAME
from ..runtime.abbreviation_guard import add_abbreviation_guard
from ..runtime.assertion import add_assertion
from ..runtime.int8 import FACTORY as INT8_FACTORY
from .model_meta import MetaInputs, build_meta

RUNTIME_PACKAGE = "clin_distill.runtime"
OWN_DISTRIBUTION = "clin-distill"
TRANSFORMER = "transformer"
INT8_NAME = "int8"


def runtime_code_paths() -> list[Path]:
    """Every module of clin_distill.runtime except its ``__init__`` (spacy package copies them flat)."""
    folder = resources.files(RUNTIME_PACKAGE)
    return sorted(
        Path(str(p)) for p in folder.iterdir() if p.name.endswith(".py") and p.name != "__init__.py"
    )


def stage_model(model_dir: Path, staging: Path, guard: dict[str, str | None] | None = None) -> Path:
    """Load the student, add int8 (off) after the transformer, the abbreviation guard (with a ``guard``
    table) and assertion after NER, and save to staging."""
    nlp = spacy.load(model_dir)
    if TRANSFORMER in nlp.pipe_names:
        nlp.add_pipe(INT8_FACTORY, name=INT8_NAME, after=TRANSFORMER, config={"enabled": False})
    after = "ner"
    if guard is not None:
        add_abbreviation_guard(nlp, guard, after="ner")
        after = GUARD_NAME
    add_assertion(nlp, after=after)
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
    inputs: MetaInputs | None = None,
    guard: dict[str, str | None] | None = None,
    sentences: Path | None = None,
) -> Path:
    """Build ``packages_dir/en_<name>-<version>/`` with ``dist/`` holding the sdist and the wheel
    (``inputs``: the step files the meta is written from; ``guard``: the abbreviation guard's table).
    With ``sentences``, the staged pipeline's scores on the note-sentence table are written there
    (:mod:`clin_distill.metrics.note_sentences`)."""
    packages_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="clin_distill_package_") as tmp:
        staging = stage_model(model_dir, Path(tmp) / "model", guard)
        if sentences is not None:
            score_sentences(spacy.load(staging), f"en_{name} {version}").write(sentences)
        meta = build_meta(srsly.read_json(staging / "meta.json"), name, version, inputs or MetaInputs())
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
