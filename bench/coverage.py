"""How much of its text stock llama-index actually embeds: its default nodes are up to 1,024
tokens, and MiniLM reads at most 256, so the rest of each node never reaches its vector.

    python -m bench.coverage --sizes 1k,10k,100k     # needs the stock stores from ingest_bench

For every node of a persisted stock index, the text the embedder is given
(``get_content(MetadataMode.EMBED)``, as ``VectorStoreIndex`` builds it) is tokenized with
the model's tokenizer; the share is sum(min(tokens, 256)) / sum(tokens). Dossier embeds every
sentence whole (its sentences are far below 256 tokens), so its share is 1. Writes
bench/results/coverage.json.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA, parse_sizes, save  # noqa: E402


def stock_coverage(persist_dir: Path) -> dict:
    from llama_index.core.schema import MetadataMode
    from llama_index.core.storage.docstore import SimpleDocumentStore
    from tokenizers import Tokenizer

    from dossier.index.minilm import MAX_TOKENS, TOKENIZER_PATH

    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    nodes = list(SimpleDocumentStore.from_persist_dir(str(persist_dir)).docs.values())
    total = seen = 0
    for begin in range(0, len(nodes), 512):
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes[begin:begin + 512]]
        for encoding in tokenizer.encode_batch(texts):
            total += len(encoding.ids)
            seen += min(len(encoding.ids), MAX_TOKENS)
    return {"nodes": len(nodes), "tokens": total, "embedded_tokens": seen, "share": seen / total if total else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1k,10k,100k")
    args = parser.parse_args()
    for size in parse_sizes(args.sizes):
        stock = DATA / f"stock-{size}"
        if not (stock / "docstore.json").exists():
            print(f"[{size}] no stock index at {stock}; run bench/ingest_bench.py first")
            continue
        result = stock_coverage(stock)
        print(f"[{size}] {result}", flush=True)
        save("coverage", {"runs": {size: result}})
    from bench.report import write_report

    print(write_report())


if __name__ == "__main__":
    main()
