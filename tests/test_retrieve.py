"""Hybrid retrieval (index/retrieve.py): reciprocal-rank fusion of the dense and BM25 sides,
over the real seeded store (real Chroma, real embedder)."""

from __future__ import annotations

import pytest

from dossier.index.retrieve import RRF_K, hybrid_search, reciprocal_rank_fusion, version_of

MISSILES = "How many missiles did North Korea fire toward the Sea of Japan?"
MISSILES_DOC = "002_4e57d263a0889e77"


# ---- fusion ------------------------------------------------------------------------------------


def test_fusion_adds_one_over_k_plus_rank_from_each_ranking():
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "c"]])
    assert fused == pytest.approx({"a": 1 / (RRF_K + 1), "b": 1 / (RRF_K + 2) + 1 / (RRF_K + 1),
                                   "c": 1 / (RRF_K + 2)})
    assert sorted(fused, key=lambda item: -fused[item]) == ["b", "a", "c"]  # found by both sides wins


def test_a_smaller_constant_weighs_top_ranks_more():
    top_heavy = reciprocal_rank_fusion([["a", "b", "c"]], k=1)
    flat = reciprocal_rank_fusion([["a", "b", "c"]], k=1000)
    assert top_heavy["a"] / top_heavy["c"] > flat["a"] / flat["c"] > 1


def test_no_rankings_fuse_to_nothing():
    assert reciprocal_rank_fusion([]) == {} and reciprocal_rank_fusion([[], []]) == {}


# ---- hybrid search over the seeded store ----------------------------------------------------------


def search(engine, question: str, k: int = 6, committed=None, **sides):
    vector = engine.embedder.embed([question])[0]
    engine.sources()  # the catalogue reflects the store's current revision
    versions = engine.catalogue.versions if committed is None else committed
    return hybrid_search(engine.store, engine.lexical, question, vector, k, versions, **sides)


def test_hits_are_at_most_k_best_fused_first_and_from_committed_versions(seeded_engine):
    hits = search(seeded_engine, MISSILES, k=4)
    assert 0 < len(hits) <= 4
    assert [h.fused for h in hits] == sorted((h.fused for h in hits), reverse=True)
    versions = seeded_engine.catalogue.versions
    for hit in hits:
        assert versions[hit.doc_id] == version_of(hit.chunk_id)
        assert hit.sentence_ids and all(s.startswith(f"{hit.doc_id}:") for s in hit.sentence_ids)
        assert hit.dense is not None or hit.lexical is not None
    assert hits[0].doc_id == MISSILES_DOC and "missiles" in hits[0].text


def test_each_side_alone_reports_only_its_own_score(seeded_engine):
    dense = search(seeded_engine, MISSILES, use_lexical=False)
    lexical = search(seeded_engine, MISSILES, use_dense=False)
    assert dense and all(h.lexical is None and h.dense is not None for h in dense)
    assert lexical and all(h.dense is None and h.lexical is not None and h.lexical > 0 for h in lexical)
    assert search(seeded_engine, MISSILES, use_dense=False, use_lexical=False) == []


def test_hybrid_draws_from_both_sides(seeded_engine):
    depth = 20  # each side's candidates for k=6: max(3k, 20)
    dense = {h.chunk_id for h in search(seeded_engine, MISSILES, k=depth, use_lexical=False)}
    lexical = {h.chunk_id for h in search(seeded_engine, MISSILES, k=depth, use_dense=False)}
    hybrid = search(seeded_engine, MISSILES)
    assert {h.chunk_id for h in hybrid} <= dense | lexical
    assert any(h.dense is not None and h.lexical is not None for h in hybrid)  # agreed on by both


def test_documents_without_a_committed_version_are_never_returned(seeded_engine):
    versions = dict(seeded_engine.catalogue.versions)
    del versions[MISSILES_DOC]  # as while its ingest has not committed yet
    hits = search(seeded_engine, MISSILES, committed=versions)
    assert hits and MISSILES_DOC not in {h.doc_id for h in hits}
    stale = {**versions, MISSILES_DOC: "0" * 16}  # an older version's records left behind
    assert MISSILES_DOC not in {h.doc_id for h in search(seeded_engine, MISSILES, committed=stale)}


def test_a_question_with_no_terms_still_gets_dense_hits(seeded_engine):
    hits = search(seeded_engine, "Who is it?")
    assert hits and all(h.lexical is None for h in hits)
