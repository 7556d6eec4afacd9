"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) rankings fused by reciprocal rank."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .lexical import LexicalIndex
from .models import RetrievalHit
from .store import Store
from .store.layout import version_of

__all__ = ["RRF_K", "Retrieved", "hybrid_search", "reciprocal_rank_fusion", "version_of"]

RRF_K = 60  # the constant of Cormack et al. (2009); damps the weight of top ranks

# The one retrieval-hit type lives in models; the old name stays for callers.
Retrieved = RetrievalHit


def reciprocal_rank_fusion(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank + 1)
    return scores


def hybrid_search(store: Store, lexical: LexicalIndex, question: str, query_vector: np.ndarray, k: int,
                  committed: dict[str, str], use_dense: bool = True, use_lexical: bool = True) -> list[RetrievalHit]:
    """Top ``k`` committed chunks for the question. Each side contributes ``3k`` candidates."""
    depth = max(3 * k, 20)
    dense_hits = store.query_chunks(query_vector, depth) if use_dense else []
    dense_hits = [h for h in dense_hits if committed.get(h.doc_id) == version_of(h.chunk_id)]
    lexical_hits = lexical.search(question, depth) if use_lexical else []
    lexical_hits = [h for h in lexical_hits if committed.get(h[1]) == version_of(h[0])]
    fused = reciprocal_rank_fusion([[h.chunk_id for h in dense_hits], [h[0] for h in lexical_hits]])
    top = sorted(fused, key=lambda cid: -fused[cid])[:k]
    dense_by_id = {h.chunk_id: h for h in dense_hits}
    lexical_by_id = {h[0]: h[2] for h in lexical_hits}
    fetched = store.get_chunks([cid for cid in top if cid not in dense_by_id])
    results = []
    for cid in top:
        hit = dense_by_id.get(cid) or fetched.get(cid)
        if hit is not None:
            results.append(replace(hit, fused=fused[cid], lexical=lexical_by_id.get(cid)))
    return results
