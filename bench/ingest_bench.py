"""Ingest throughput against the embedder alone and stock llama-index, per corpus size.

    python -m bench.ingest_bench --sizes 1k,10k,100k     # ~75 min on 2 cores, nearly all of it 100k

For each size: generate the corpus (bench/corpus.py), then in separate processes
(1) embed every sentence with the model alone, in the batches the ingest uses (the
limit), (2) `Engine.ingest` into a fresh embedded store, (3) stock llama-index
`VectorStoreIndex.from_documents` (default settings, the same OnnxMiniLMEmbedding
passed as embed_model, no LLM). Writes bench/results/ingest.json and refreshes
bench/results/summary.md and the plot (bench/report.py). The stores built here are
kept under bench/data/ for bench/query_bench.py.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA, corpus, parse_sizes, save, worker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1k,10k")
    parser.add_argument("--no-stock", action="store_true", help="skip stock llama-index")
    args = parser.parse_args()
    for size in parse_sizes(args.sizes):
        source = corpus(size)
        run: dict = {}
        print(f"[{size}] embedder alone ...", flush=True)
        run["embed"] = worker("embed", str(source))
        home = DATA / f"store-{size}"
        shutil.rmtree(home, ignore_errors=True)
        print(f"[{size}] dossier ingest ...", flush=True)
        run["ingest"] = worker("ingest", str(source), str(home))
        if not args.no_stock:
            stock = DATA / f"stock-{size}"
            shutil.rmtree(stock, ignore_errors=True)
            print(f"[{size}] stock llama-index ...", flush=True)
            run["stock_ingest"] = worker("stock-ingest", str(source), str(stock))
        print(f"[{size}] {run}", flush=True)
        save("ingest", {"runs": {size: run}})
    from bench.report import write_report

    print(write_report())


if __name__ == "__main__":
    main()
