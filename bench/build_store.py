"""Build the store for a size without timing the model (for query benchmarks at 100k).

    python -m bench.build_store --size 100k

Uses the bench-only memoising embedder (bench/worker.py MemoEmbedding): each distinct
seed sentence is embedded once with the real model and reused with small noise. The
store has the real structure and size (chunks, sentences, manifest, BM25); its ingest
time is NOT an ingest-throughput figure and is reported separately as such.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA, corpus, save, worker  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="100k")
    args = parser.parse_args()
    source = corpus(args.size)
    home = DATA / f"store-{args.size}"
    shutil.rmtree(home, ignore_errors=True)
    result = worker("ingest", str(source), str(home), "--memo", timeout=6 * 3600)
    print(result)
    save("build", {"runs": {args.size: {"memo_ingest": result}}})


if __name__ == "__main__":
    main()
