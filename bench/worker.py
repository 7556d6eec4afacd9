"""One measured task per process, so peak resident memory (ru_maxrss) belongs to that task.

    python -m bench.worker embed   CORPUS
    python -m bench.worker ingest  CORPUS HOME [--memo]
    python -m bench.worker stock-ingest CORPUS PERSIST_DIR
    python -m bench.worker query   HOME [--server PORT] [--repeat N]
    python -m bench.worker stock-query PERSIST_DIR [--repeat N]

Prints one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "What did Kirby say about the artillery shells?",
    "How many missiles did North Korea fire toward the Sea of Japan?",
    "Which air routes did South Korea close?",
    "What sanctions did the US impose on Iran?",
    "Who said the shipments would not change the course of the war?",
    "What did Ned Price say about sanctions?",
    "Where were the shells being routed?",
    "What did the UN say about accountability?",
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def corpus_texts(corpus: Path) -> tuple[list[str], int, int]:
    from dossier.index.ingest import discover
    from dossier.index.parse import load_article

    files, _ = discover([corpus])
    texts, chunks = [], 0
    for path in files:
        doc = load_article(path, 10**8)
        texts.extend(s.text for s in doc.sentences)
        chunks += len(doc.chunks)
    return texts, chunks, len(files)


class MemoEmbedding:
    """Bench-only stand-in used to *build* the 100k-chunk store in reasonable time on 2 cores:
    the synthetic corpus recombines a few dozen distinct seed sentences, so each distinct
    sentence is embedded once with the real model and every occurrence gets that vector plus
    small deterministic noise (so the HNSW graph does not hold exact duplicates)."""

    @staticmethod
    def make():
        import numpy as np

        from dossier.index.embedder import OnnxMiniLMEmbedding

        class Memo(OnnxMiniLMEmbedding):
            def embed(self, texts):
                cache = self.__dict__.setdefault("_memo", {})
                missing = [t for t in dict.fromkeys(texts) if t not in cache]
                if missing:
                    for text, vector in zip(missing, super().embed(missing)):
                        cache[text] = vector
                counter = self.__dict__.setdefault("_n", [0])
                rng = np.random.default_rng(counter[0])
                counter[0] += 1
                out = np.stack([cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)
                out = out + rng.normal(0, 0.02, out.shape).astype(np.float32)
                return out / np.linalg.norm(out, axis=1, keepdims=True)
        return Memo()


def do_embed(args) -> dict:
    from dossier.index.embedder import OnnxMiniLMEmbedding

    texts, chunks, files = corpus_texts(args.corpus)
    model = OnnxMiniLMEmbedding()
    model.embed(texts[:64])  # warm the session
    started = time.perf_counter()
    for begin in range(0, len(texts), 2048):  # the same batches the ingest embeds
        model.embed(texts[begin:begin + 2048])
    seconds = time.perf_counter() - started
    return {"task": "embed", "sentences": len(texts), "chunks": chunks, "files": files, "seconds": seconds,
            "sentences_per_s": len(texts) / seconds, "chunks_per_s": chunks / seconds, "peak_rss_mb": peak_rss_mb()}


def do_ingest(args) -> dict:
    from dossier.index.embedder import OnnxMiniLMEmbedding
    from dossier.index.engine import Engine
    from dossier.index.settings import Settings

    model = MemoEmbedding.make() if args.memo else OnnxMiniLMEmbedding()
    model.embed(["warm up the session"])
    engine = Engine.open(Settings(home=args.home, _env_file=None), embedder=model)
    started = time.perf_counter()
    report = engine.ingest([args.corpus])
    seconds = time.perf_counter() - started
    chunks = engine.store.count_chunks()
    return {"task": "ingest", "memo_embedder": bool(args.memo), "files": len(report.added) + len(report.updated),
            "chunks": chunks, "seconds": seconds, "chunks_per_s": chunks / seconds, "peak_rss_mb": peak_rss_mb()}


def _stock_embedder():
    from dossier.index.embedder import OnnxMiniLMEmbedding

    return OnnxMiniLMEmbedding()


def do_stock_ingest(args) -> dict:
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex

    model = _stock_embedder()
    model.embed(["warm up the session"])
    started = time.perf_counter()
    documents = SimpleDirectoryReader(str(args.corpus), required_exts=[".txt"]).load_data()
    index = VectorStoreIndex.from_documents(documents, embed_model=model)
    seconds = time.perf_counter() - started
    nodes = len(index.docstore.docs)
    index.storage_context.persist(persist_dir=str(args.home))
    return {"task": "stock-ingest", "files": len(documents), "nodes": nodes, "seconds": seconds,
            "peak_rss_mb": peak_rss_mb()}


def _latencies(call, repeat: int) -> dict:
    for question in QUESTIONS[:3]:
        call(question)  # warm: models loaded, BM25 loaded, caches filled
    times = []
    for _ in range(repeat):
        for question in QUESTIONS:
            started = time.perf_counter()
            call(question)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))], "n": len(times)}


def do_query(args) -> dict:
    from dossier.index.embedder import OnnxMiniLMEmbedding
    from dossier.index.engine import Engine
    from dossier.index.settings import Settings

    if args.server:
        settings = Settings(home=args.home / "client", chroma_host="127.0.0.1", chroma_port=args.server,
                            _env_file=None)
    else:
        settings = Settings(home=args.home, _env_file=None)
    engine = Engine.open(settings, embedder=OnnxMiniLMEmbedding())
    answered = sum(not engine.ask(q).refused for q in QUESTIONS)
    ask = _latencies(lambda q: engine.ask(q, mode="extractive"), args.repeat)
    retrieve = _latencies(lambda q: engine.retrieve(q), args.repeat)
    return {"task": "query", "server": bool(args.server), "chunks": engine.store.count_chunks(), "answered": answered,
            "ask": ask, "retrieve": retrieve, "peak_rss_mb": peak_rss_mb()}


def do_stock_query(args) -> dict:
    from llama_index.core import StorageContext, load_index_from_storage

    model = _stock_embedder()
    index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(args.home)), embed_model=model)
    retriever = index.as_retriever()
    retrieve = _latencies(lambda q: retriever.retrieve(q), args.repeat)
    return {"task": "stock-query", "retrieve": retrieve, "peak_rss_mb": peak_rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=["embed", "ingest", "stock-ingest", "query", "stock-query"])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--memo", action="store_true")
    parser.add_argument("--server", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.task in ("embed",):
        args.corpus = args.paths[0]
    elif args.task in ("ingest", "stock-ingest"):
        args.corpus, args.home = args.paths
    else:
        args.home = args.paths[0]
    result = {"embed": do_embed, "ingest": do_ingest, "stock-ingest": do_stock_ingest, "query": do_query,
              "stock-query": do_stock_query}[args.task](args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
