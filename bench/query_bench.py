"""Query latency (embedded and through `chroma run`), cold start and peak memory, per size.

    python -m bench.query_bench --sizes 1k,10k            # stores from bench/ingest_bench.py
    python -m bench.build_store --size 100k && python -m bench.query_bench --sizes 100k

Latency is warm: each worker process opens the engine, answers a few questions, then
times `Engine.ask` (retrieval plus the extractive answer) and `Engine.retrieve` over a
fixed question list. Stock llama-index times its default retriever (top-2, in-memory
SimpleVectorStore loaded from its persisted index). Cold start runs the `dossier ask`
command (and a stock load-and-retrieve script) in fresh processes, 5 times each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA, ROOT, parse_sizes, save, start_chroma, worker  # noqa: E402

QUESTION = "What did Kirby say about the artillery shells?"
STOCK_COLD = """
import sys
from llama_index.core import StorageContext, load_index_from_storage
from dossier.index.embedder import OnnxMiniLMEmbedding
index = load_index_from_storage(StorageContext.from_defaults(persist_dir=sys.argv[1]), embed_model=OnnxMiniLMEmbedding())
for node in index.as_retriever().retrieve(sys.argv[2]):
    print(node.node.get_content()[:200])
"""


def cold(command: list[str], env: dict, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "n": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1k,10k")
    parser.add_argument("--repeat", type=int, default=5, help="passes over the question list")
    parser.add_argument("--cold", type=int, default=5, help="cold-start runs")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--only", choices=["query", "cold", "stock", "server"], action="append",
                        help="run only these parts (repeatable); default: all")
    args = parser.parse_args()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "TOKENIZERS_PARALLELISM": "false"}
    dossier = str(Path(sys.executable).with_name("dossier"))
    for size in parse_sizes(args.sizes):
        home = DATA / f"store-{size}"
        if not (home / "chroma").exists():
            print(f"[{size}] no store at {home}; run bench/ingest_bench.py or bench/build_store.py first")
            continue
        run: dict = {}
        parts = set(args.only or ["query", "cold", "stock", "server"]) - ({"server"} if args.no_server else set())
        if "query" in parts:
            print(f"[{size}] embedded query ...", flush=True)
            run["query"] = worker("query", str(home), "--repeat", str(args.repeat))
        if "cold" in parts:
            print(f"[{size}] cold start ...", flush=True)
            run["cold"] = cold([dossier, "ask", QUESTION], {**env, "DOSSIER_HOME": str(home)}, args.cold)
        stock = DATA / f"stock-{size}"
        if "stock" in parts and (stock / "docstore.json").exists():
            print(f"[{size}] stock llama-index query ...", flush=True)
            run["stock_query"] = worker("stock-query", str(stock), "--repeat", str(args.repeat))
            run["stock_cold"] = cold([sys.executable, "-c", STOCK_COLD, str(stock), QUESTION], env, args.cold)
        if "server" in parts:
            print(f"[{size}] through a chroma server ...", flush=True)
            process, port = start_chroma(home / "chroma")
            try:
                run["server_query"] = worker("query", str(home), "--server", str(port), "--repeat", str(args.repeat))
                # Cold start of a replica against a running server (its BM25 copy is current).
                run["server_cold"] = cold([dossier, "ask", QUESTION],
                                          {**env, "DOSSIER_HOME": str(home / "client"), "DOSSIER_CHROMA_HOST": "127.0.0.1",
                                           "DOSSIER_CHROMA_PORT": str(port)}, args.cold)
            finally:
                process.terminate()
                process.wait(timeout=60)
        print(f"[{size}] {run}", flush=True)
        save("query", {"runs": {size: run}})
    from bench.report import write_report

    print(write_report())


if __name__ == "__main__":
    main()
