"""Fixtures for the Ray tests: one local Ray for the session, generated note shards, a tiny model."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import spacy

from clin_distill.labels import DISEASE, MEDICATION, SYMPTOM

HERE = Path(__file__).parent
NEGATION_CODE = HERE / "negation_component.py"
TERMS = {
    MEDICATION: ["metformin", "insulin", "aspirin", "lisinopril", "warfarin"],
    DISEASE: ["diabetes", "hypertension", "asthma", "pneumonia"],
    SYMPTOM: ["chest pain", "fever", "cough", "nausea", "headache"],
}
FILLERS = ["Patient seen today.", "Follow up in two weeks.", "Vitals stable.", "Labs pending."]


def make_note(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        label = rng.choice(list(TERMS))
        cue = rng.choice(["Reports", "No", "Denies", "History of", "Started"])
        parts.append(f"{cue} {rng.choice(TERMS[label])}.")
        parts.append(rng.choice(FILLERS))
    return " ".join(parts)


def notes_for(prefix: str, n: int, rng: random.Random) -> list[dict]:
    return [
        {"id": f"{prefix}-{i:04d}", "text": make_note(rng), "site": rng.choice(["A", "B"])} for i in range(n)
    ]


def write_jsonl(path: Path, records: list[dict]) -> None:
    lines = "".join(json.dumps(r) + "\n" for r in records)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(lines.encode()))
    else:
        path.write_text(lines + "\n", encoding="utf8")  # a trailing blank line is not a note


@pytest.fixture(scope="session")
def ray_local():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, namespace="clin_distill")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="session")
def notes_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict]]]:
    """300 notes in four shards (JSONL, gzipped JSONL, two Parquet), one note without text,
    and two bad shards (a truncated line, a duplicate id)."""
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("notes")
    (root / "sub").mkdir()
    shards = {
        key: notes_for(key.replace("/", "_"), n, rng)
        for key, n in [("a", 80), ("b", 70), ("c", 80), ("sub/d", 70)]
    }
    shards["c"][5]["text"] = None
    write_jsonl(root / "a.jsonl", shards["a"])
    write_jsonl(root / "b.jsonl.gz", shards["b"])
    pq.write_table(pa.Table.from_pylist(shards["c"]), root / "c.parquet")
    pq.write_table(pa.Table.from_pylist(shards["sub/d"]), root / "sub" / "d.parquet")
    (root / "_ignored.jsonl").write_text("not a shard\n")
    (root / "broken.jsonl").write_text('{"id": "x1", "text": "Fever."}\n{"id": "x2", "text": "Cough\n')
    write_jsonl(root / "dup.jsonl", [{"id": "d", "text": "Fever."}, {"id": "d", "text": "Cough."}])
    return root, shards


@pytest.fixture(scope="session")
def ruler_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """entity_ruler + a negation component registered by NEGATION_CODE, saved to disk."""
    spacy.util.import_file("clin_distill_test_negation_code", str(NEGATION_CODE))
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": label, "pattern": [{"LOWER": w} for w in term.split()]}
            for label, terms in TERMS.items()
            for term in terms
        ]
    )
    nlp.add_pipe("clin_distill_test_negation")
    nlp.meta["name"], nlp.meta["version"] = "tiny_ruler", "1.2.3"
    path = tmp_path_factory.mktemp("model") / "tiny_ruler"
    nlp.to_disk(path)
    return path
