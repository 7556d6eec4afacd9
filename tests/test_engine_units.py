"""Small engine helpers that save work on the answer path, tested without a store."""

from __future__ import annotations

import numpy as np

from dossier.index.engine import DISPUTE_NEIGHBOURS, _Nearest, _remembered
from dossier.index.models import SentenceRecord


def _record(i: int, doc: str = "a") -> SentenceRecord:
    return SentenceRecord(sentence_id=f"{doc}:v:s{i}", doc_id=doc, text=f"s{i}", start=0, end=2, speaker="",
                          quoted=False, quote=f"s{i}", embedding=np.zeros(3, dtype=np.float32))


def test_a_lines_nearest_sentences_are_asked_once_for_folding_and_disputes():
    asked: list[int] = []
    pool = [_record(i, "stale" if i == 2 else "a") for i in range(40)]

    def nearest(record: SentenceRecord, k: int) -> list[SentenceRecord]:
        asked.append(k)
        return pool[:k]

    near = _Nearest(nearest, lambda r: r.doc_id != "stale")
    first = near(pool[0], 8)
    assert [r.sentence_id for r in first] == [f"a:v:s{i}" for i in range(8) if i != 2]  # the nearest 8, current only
    assert len(near(pool[0], DISPUTE_NEIGHBOURS)) == DISPUTE_NEIGHBOURS - 1
    assert asked == [DISPUTE_NEIGHBOURS]  # one query served both
    near(pool[0], DISPUTE_NEIGHBOURS + 4)
    assert asked == [DISPUTE_NEIGHBOURS, DISPUTE_NEIGHBOURS + 4]  # more than was asked: asked again


def test_remembered_words_are_embedded_once():
    calls: list[list[str]] = []

    def embed(words: list[str]) -> np.ndarray:
        calls.append(list(words))
        return np.array([[float(len(w)), 1.0] for w in words])

    vectors = _remembered(embed)
    first = vectors(["pay", "ferry", "pay"])
    assert calls == [["pay", "ferry"]] and first.shape == (3, 2) and first[0][0] == first[2][0] == 3.0
    second = vectors(["ferry", "toll"])
    assert calls == [["pay", "ferry"], ["toll"]] and second[0][0] == 5.0


def test_remembered_words_start_again_past_the_limit():
    calls: list[list[str]] = []

    def embed(words: list[str]) -> np.ndarray:
        calls.append(list(words))
        return np.ones((len(words), 2))

    vectors = _remembered(embed, limit=2)
    vectors(["pay", "ferry"])
    vectors(["toll"])  # a third word: the two kept so far are dropped
    vectors(["toll"])
    vectors(["pay"])
    assert calls == [["pay", "ferry"], ["toll"], ["pay"]]
