"""Synthetic corpora for the benchmarks: seed sentences recombined into new articles.

    python -m bench.corpus --chunks 1000 --out bench/data/c1k

Each article gets a distinct id (its file name), a headline line and paragraphs of
sentences drawn (deterministically, from a seeded RNG) from the five seed articles.
Articles are generated until the requested number of chunks (as Dossier's parser
counts them) is reached. Files are written one at a time: memory stays flat.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.index.parse import parse_article  # noqa: E402
from dossier.index.settings import SEEDS_DIR  # noqa: E402

PLACES = ["Seoul", "Tokyo", "Kyiv", "Geneva", "Nairobi", "Lima", "Oslo", "Hanoi", "Cairo", "Quito"]


def seed_sentences() -> tuple[list[str], list[str]]:
    sentences, titles = [], []
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        doc = parse_article(path, text, "0" * 64)
        titles.append(doc.meta.title)
        sentences.extend(s.text for s in doc.sentences if len(s.text) > 30)
    return sentences, titles


def article(rng: random.Random, n: int, sentences: list[str], titles: list[str]) -> str:
    headline = f"{rng.choice(titles)} ({rng.choice(PLACES)} report {n})"
    paragraphs = []
    for _ in range(rng.randint(8, 14)):
        paragraphs.append(" ".join(rng.choice(sentences) for _ in range(rng.randint(2, 4))))
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n"


def generate(out: Path, target_chunks: int, seed: int = 7) -> dict:
    """Write articles into ``out`` until they hold ``target_chunks`` chunks; returns counts."""
    manifest = out / "corpus.json"
    if manifest.exists():
        info = json.loads(manifest.read_text())
        if info.get("target_chunks") == target_chunks and info.get("seed") == seed:
            return info
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    sentences, titles = seed_sentences()
    rng = random.Random(seed)
    chunks = n_sentences = files = 0
    while chunks < target_chunks:
        path = out / f"syn{files:07d}.txt"
        text = article(rng, files, sentences, titles)
        doc = parse_article(path, text, "0" * 64)
        path.write_text(text, encoding="utf-8")
        chunks += len(doc.chunks)
        n_sentences += len(doc.sentences)
        files += 1
    info = {"target_chunks": target_chunks, "seed": seed, "files": files, "chunks": chunks,
            "sentences": n_sentences, "distinct_seed_sentences": len(set(sentences))}
    manifest.write_text(json.dumps(info, indent=1))
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.chunks, args.seed)))


if __name__ == "__main__":
    main()
