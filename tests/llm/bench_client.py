"""Developer benchmark (test code, not a pipeline step): throughput of clin_distill.OpenAICompatible.v1
vs spacy-llm's spacy.GPT-4.v3 on one local test server.

Both run inside spacy-llm's own `llm` component with the same spacy.NER.v3 task (the `local`
teacher config), against the test LLM server (tests.helpers.llm_server) started with a fixed latency
per request. Only spacy-llm's auth check (a hard-coded call to api.openai.com) is patched out, in
this process. Run from the repository root: ``python -m tests.llm.bench_client DOCS.spacy OUT.json``.
"""

from __future__ import annotations

import itertools
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Annotated

import spacy
import typer
from spacy_llm.models.rest.openai.model import OpenAI
from wasabi import msg

from clin_distill.docio import read_docbin, write_json
from clin_distill.llm.teacher import teacher_config
from clin_distill.local_llm.server import free_port, serving

app = typer.Typer(add_completion=False)
REPO = Path(__file__).resolve().parents[2]


def timed_pipe(nlp, texts: list[str], batch_size: int) -> tuple[float, list]:
    """Seconds the llm component takes (tokenization, the same for both, is done before timing)."""
    docs = [nlp.make_doc(t) for t in texts]
    start = time.perf_counter()
    docs = list(nlp.pipe(docs, batch_size=batch_size))
    return time.perf_counter() - start, [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs]


@app.command()
def main(
    docs_path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="DocBin whose texts to label")
    ],
    out_path: Annotated[Path, typer.Argument(dir_okay=False, help="metrics/bench_llm_client.json")],
    config: Annotated[Path, typer.Option("--config", exists=True, dir_okay=False)] = REPO
    / "configs"
    / "teachers"
    / "local.cfg",
    concurrency: Annotated[int, typer.Option("--concurrency", min=1)] = 16,
    latency: Annotated[float, typer.Option("--latency", help="Seconds per request at the server")] = 0.2,
    n_ours: Annotated[int, typer.Option("--n-ours", min=1, help="Docs for our model")] = 320,
    n_baseline: Annotated[int, typer.Option("--n-baseline", min=1, help="Docs for spacy.GPT-4.v3")] = 40,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 64,
) -> None:
    texts = [d.text for d in read_docbin(docs_path)]
    texts = list(itertools.islice(itertools.cycle(texts), max(n_ours, n_baseline)))
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    server = [
        sys.executable,
        "-m",
        "tests.helpers.llm_server",
        "--port",
        str(port),
        "--latency",
        str(latency),
    ]
    log = Path(tempfile.mkdtemp()) / "server.log"
    with serving(server, url, log, startup_timeout=60, cwd=REPO):
        cfg = teacher_config(config, base_url=url, model_name="test-model")
        cfg["components"]["llm"]["model"]["max_concurrency"] = concurrency
        ours = spacy.util.load_model_from_config(cfg, auto_fill=True)
        ours_s, ours_ents = timed_pipe(ours, texts[:n_ours], batch_size)

        OpenAI._verify_auth = lambda self: None  # the only patch: skip the api.openai.com check
        cfg["components"]["llm"]["model"] = {
            "@llm_models": "spacy.GPT-4.v3",
            "name": "gpt-4",
            "endpoint": f"{url}/chat/completions",
            "config": {"temperature": 0.0},
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no OPENAI_API_KEY needed for the local server
            base = spacy.util.load_model_from_config(cfg, auto_fill=True)
            base_s, base_ents = timed_pipe(base, texts[:n_baseline], batch_size)
    rows = {
        "clin_distill.OpenAICompatible.v1": {
            "docs": n_ours,
            "seconds": ours_s,
            "docs_per_s": n_ours / ours_s,
        },
        "spacy.GPT-4.v3": {"docs": n_baseline, "seconds": base_s, "docs_per_s": n_baseline / base_s},
    }
    speedup = rows["clin_distill.OpenAICompatible.v1"]["docs_per_s"] / rows["spacy.GPT-4.v3"]["docs_per_s"]
    same = ours_ents[:n_baseline] == base_ents
    result = {
        "server_latency_s": latency,
        "concurrency": concurrency,
        "batch_size": batch_size,
        "docs_source": str(docs_path),
        "models": {k: {kk: round(vv, 3) for kk, vv in v.items()} for k, v in rows.items()},
        "speedup": round(speedup, 2),
        "machine": {"cpus": os.cpu_count(), "load_avg_1m_at_end": round(os.getloadavg()[0], 2)},
        "same_entities_on_shared_docs": same,
    }
    write_json(out_path, result)
    table = [(k, v["docs"], f"{v['seconds']:.2f}", f"{v['docs_per_s']:.2f}") for k, v in rows.items()]
    msg.table(table, header=("model", "docs", "seconds", "docs/s"), divider=True)
    ok = msg.good if speedup >= 10 else msg.warn
    setting = f"concurrency {concurrency}, {latency * 1000:.0f} ms/request"
    ok(f"speedup {speedup:.1f}x at {setting}; same entities on shared docs: {same}")


if __name__ == "__main__":
    app()
