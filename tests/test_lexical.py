"""The BM25 side (index/lexical.py): tokens, ranking, IDF, and the index saved beside the store."""

from __future__ import annotations

import math
import json
from pathlib import Path

import numpy as np
import pytest

from dossier.index.lexical import LexicalIndex, derived, tokenize, tokenize_words

ROWS = [
    ("a-1", "a", "The harbour authority closed the harbour before the storm."),
    ("a-2", "a", "Ferries to the islands stopped for two days."),
    ("b-1", "b", "The mayor said the storm damaged the old town."),
    ("c-1", "c", "Wheat prices rose 10 percent in the spring."),
]


@pytest.fixture
def index(tmp_path: Path) -> LexicalIndex:
    built = LexicalIndex(tmp_path / "bm25")
    built.build(ROWS, revision=7)
    return built


# ---- tokens ------------------------------------------------------------------------------------


def test_tokens_are_lowercased_stemmed_and_free_of_stop_words():
    assert tokenize("The Ferries WERE stopping at the harbours") == ["ferri", "stop", "harbour"]


def test_possessives_and_curly_apostrophes_give_the_word_itself():
    assert tokenize("Korea's") == tokenize("Korea\u2019s") == tokenize("Korea") == ["korea"]


def test_numbers_stay_and_underscores_split():
    assert tokenize("10 missiles on 2022_11_02") == ["10", "missil", "2022", "11", "02"]


def test_only_stop_words_or_punctuation_give_no_terms():
    assert tokenize("Who is it? -- ...") == []


def test_word_pairs_keep_the_surface_word_of_each_stem():
    assert tokenize_words("Shipments shipped") == [("shipment", "shipments"), ("ship", "shipped")]


# ---- ranking -----------------------------------------------------------------------------------


def test_search_ranks_by_the_query_terms_and_drops_non_matches(index: LexicalIndex):
    hits = index.search("harbour storm", k=10)
    assert [chunk_id for chunk_id, _, _ in hits] == ["a-1", "b-1"]  # "harbour" twice and "storm" beats "storm"
    assert all(score > 0 for _, _, score in hits)
    assert hits[0][1] == "a"  # each hit names its document


def test_a_verb_finds_the_noun_made_from_it(tmp_path: Path):
    built = LexicalIndex(tmp_path / "bm25")
    built.build([("d-1", "d", "The registered owner of the ferry is a shipping firm."),
                 ("e-1", "e", "Ferries stopped for two days.")], revision=1)
    assert [hit[0] for hit in built.search("Who owns the ferry?", k=5)][0] == "d-1"
    assert derived(tokenize("owns pays"), lambda term: term in {"owner", "payment"}) == ["owner", "payment"]
    assert derived(tokenize("ban"), lambda term: True) == [f"ban{s}" for s in ("er", "ers", "or", "ors", "ment",
                                                                               "ship", "al", "ance", "ence")]


def test_search_keeps_at_most_k(index: LexicalIndex):
    assert len(index.search("harbour storm ferries wheat", k=2)) == 2


def test_a_query_of_stop_words_or_an_empty_index_finds_nothing(index: LexicalIndex, tmp_path: Path):
    assert index.search("the of and", k=5) == []
    empty = LexicalIndex(tmp_path / "empty")
    empty.build([], revision=1)
    assert empty.search("harbour", k=5) == [] and not empty.knows("harbour")


# ---- IDF -------------------------------------------------------------------------------------------


def test_idf_is_higher_for_rarer_terms_and_highest_for_unseen_ones(index: LexicalIndex):
    storm, wheat = index.idf("storm"), index.idf("wheat")  # in two chunks / in one
    assert 0 < storm < wheat < index.idf("zebra")
    assert wheat == pytest.approx(math.log(1 + (4 - 1 + 0.5) / (1 + 0.5)))
    assert index.knows("wheat") and not index.knows("zebra")


def test_idf_without_an_index_weighs_every_term_alike(tmp_path: Path):
    assert LexicalIndex(tmp_path / "none").idf("anything") == 1.0


# ---- saved beside the store ------------------------------------------------------------------------


def test_a_saved_index_loads_with_its_revision_and_ranks_the_same(index: LexicalIndex, tmp_path: Path):
    loaded = LexicalIndex(tmp_path / "bm25")
    assert loaded.load()
    assert loaded.revision == 7
    assert loaded.search("harbour storm", k=10) == index.search("harbour storm", k=10)
    assert loaded.idf("wheat") == index.idf("wheat")


@pytest.mark.parametrize("state", [None, "{not json", '{"revision": 1}'], ids=["missing", "damaged", "old"])
def test_a_missing_or_damaged_index_does_not_load(tmp_path: Path, state):
    directory = tmp_path / "bm25"
    if state is not None:
        directory.mkdir()
        (directory / "state.json").write_text(state, encoding="utf-8")
    assert LexicalIndex(directory).load() is False


def test_the_share_of_articles_using_a_term_counts_articles_not_chunks(index: LexicalIndex, tmp_path: Path):
    assert index.article_share("harbour") == pytest.approx(1 / 3)  # twice in one article's chunk
    assert index.article_share("storm") == pytest.approx(2 / 3)
    assert index.article_share("unseen") == 0.0
    loaded = LexicalIndex(tmp_path / "bm25")
    assert loaded.load() and loaded.article_share("storm") == pytest.approx(2 / 3)


def test_an_index_saved_without_article_counts_is_rebuilt(index: LexicalIndex, tmp_path: Path):
    state = json.loads((tmp_path / "bm25" / "state.json").read_text(encoding="utf-8"))
    del state["articles"]
    (tmp_path / "bm25" / "state.json").write_text(json.dumps(state), encoding="utf-8")
    assert LexicalIndex(tmp_path / "bm25").load() is False


def test_a_rebuild_replaces_the_saved_index(index: LexicalIndex, tmp_path: Path):
    index.build(ROWS[2:], revision=8)
    loaded = LexicalIndex(tmp_path / "bm25")
    assert loaded.load() and loaded.revision == 8
    assert [c for c, _, _ in loaded.search("harbour storm", k=10)] == ["b-1"]


def test_word_vectors_are_embedded_once_and_saved_a_new_revision_embeds_only_new_words(
        index: LexicalIndex, tmp_path: Path, embedder):
    calls: list[list[str]] = []

    def embed(words: list[str]) -> np.ndarray:
        calls.append(words)
        return embedder.embed(words)

    stems, matrix = index.word_vectors(embed)
    assert len(calls) == 1 and "harbour" in stems and matrix.shape == (len(stems), 384)
    assert index.knows("10") and "10" not in stems  # numbers are matched, never given a meaning vector
    index.word_vectors(embed)
    reopened = LexicalIndex(tmp_path / "bm25")
    assert reopened.load()
    again, saved = reopened.word_vectors(embed)
    assert len(calls) == 1 and again == stems and np.array_equal(saved, matrix)
    index.build(ROWS, revision=9)  # a new revision with the same words: nothing to embed
    assert index.word_vectors(embed)[0] == stems and len(calls) == 1
    index.build(ROWS + [("d-1", "d", "Lighthouses guided the trawlers home.")], revision=10)
    grown, _ = index.word_vectors(embed)
    assert len(calls) == 2 and sorted(calls[1]) == ["guided", "home", "lighthouses", "trawlers"]
    assert set(stems) < set(grown)
