"""The BM25 side of hybrid retrieval (bm25s), kept consistent with Chroma.

The index is built from the committed chunks in Chroma and saved beside the
store together with the store revision it reflects. Ingest rebuilds it once at
the end of a run; a reader whose saved revision differs from the store's (another
process ingested) rebuilds once and saves. Queries never rebuild.
"""

from __future__ import annotations

import math
import re
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional

import numpy as np

from .jsonfile import dump_json, load_json
from .vocabulary import DERIVATION_SUFFIXES

_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?", re.UNICODE)
STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not of off on once
only or other our ours ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves s t don
""".split())


def _import_bm25s():
    import logging

    import bm25s

    # bm25s sets its own logger to DEBUG on import; keep its chatter out of our output.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class _Stemmer:
    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("english")

    def __call__(self, words: list[str]) -> list[str]:
        return self._stemmer.stemWords(words)


_STEM: Optional[_Stemmer] = None


def derived(terms: list[str], knows: Callable[[str], bool]) -> list[str]:
    """The corpus's nouns made from the query's verbs ("own" -> "owner"), which the stemmer
    keeps apart (vocabulary.DERIVATION_SUFFIXES)."""
    return [t + suffix for t in dict.fromkeys(terms) if len(t) >= 3 for suffix in DERIVATION_SUFFIXES
            if knows(t + suffix)]


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-word-free, Snowball-stemmed terms."""
    return list(_stems(text))


@lru_cache(maxsize=1 << 14)
def _stems(text: str) -> tuple[str, ...]:
    """``tokenize`` remembered: answering tokenizes the same sentences and words many times over
    (the question analysis reads each retrieved sentence word by word)."""
    return tuple(stem for stem, _ in tokenize_words(text))


def tokenize_words(text: str) -> list[tuple[str, str]]:
    """(stem, word) pairs of ``tokenize``: the word is what a stem's meaning is embedded from."""
    global _STEM
    if _STEM is None:
        _STEM = _Stemmer()
    words = [w.replace("\u2019", "'").split("'")[0] for w in _TOKEN.findall(text.lower())]
    words = [w for w in words if w and w not in STOPWORDS]
    return list(zip(_STEM(words), words))


_ANY_WORD = re.compile(r"\b([A-Za-z][a-z]+)\b")


def _cases(text: str, capitalised: set[str], lowered: set[str]) -> None:
    """Collect, lower-cased, the words ``text`` capitalises inside a sentence and those it writes
    in lower case (a capital at the start of a sentence, a line or a quotation says nothing)."""
    for match in _ANY_WORD.finditer(text):
        word = match.group(1)
        if word[0].islower():
            lowered.add(word)
        else:
            before = text[max(0, match.start() - 4):match.start()].rstrip(" \u201c\"'(\u2018\u2014-")
            if before and before[-1] not in ".!?:\n":
                capitalised.add(word.lower())


# The corpus words given a meaning vector (see question.WordVectors): the most frequent
# ones, so that a huge corpus costs a bounded one-off embedding (about 2 s per 1,000 words
# on two CPU cores with the local model, so at most about 20 s, once per store); rarer
# words still match a focus exactly or by stem.
MAX_VECTOR_TERMS = 10000


class LexicalIndex:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.revision: Optional[int] = None
        self._ids: list[str] = []
        self._docs: list[str] = []
        self._bm25 = None
        self._idf: dict[str, float] = {}
        self._surface: dict[str, str] = {}  # stem -> its most frequent word in the corpus
        self._proper: frozenset[str] = frozenset()  # words the corpus only ever writes capitalised, lower-cased
        self._articles: dict[str, int] = {}  # stem -> how many articles use it
        self._n_articles = 0
        self._vectors: Optional[tuple[int, list[str], np.ndarray]] = None

    def load(self) -> bool:
        """Load a saved index; False when there is none or it is unreadable."""
        bm25s = _import_bm25s()
        state = load_json(self.directory / "state.json")
        if not state:
            return False
        try:
            self._bm25 = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False) if state["ids"] else None
        except Exception:
            return False
        if "surface" not in state or "proper" not in state or "articles" not in state:  # an older version's: rebuild once
            return False
        self._ids, self._docs, self.revision = state["ids"], state["docs"], state["revision"]
        self._idf = state.get("idf", {})
        self._surface = state["surface"]
        self._proper = frozenset(state["proper"])
        self._articles, self._n_articles = state["articles"], len(set(self._docs))
        return True

    def build(self, rows: Iterable[tuple[str, str, str]], revision: int) -> None:
        """Index ``(chunk_id, doc_id, text)`` rows and save them with ``revision``."""
        bm25s = _import_bm25s()
        ids, docs, corpus = [], [], []
        words: dict[tuple[str, str], int] = {}
        capitalised: set[str] = set()
        lowered: set[str] = set()
        for chunk_id, doc_id, text in rows:
            ids.append(chunk_id)
            docs.append(doc_id)
            _cases(text, capitalised, lowered)
            pairs = tokenize_words(text)
            for pair in pairs:
                words[pair] = words.get(pair, 0) + 1
            corpus.append([stem for stem, _ in pairs] or ["\u2205"])
        surface: dict[str, str] = {}
        for (stem, word), _ in sorted(words.items(), key=lambda item: -item[1]):
            surface.setdefault(stem, word)
        frequency: dict[str, int] = {}
        by_article: dict[str, set[str]] = {}
        for terms, doc_id in zip(corpus, docs):
            for term in set(terms):
                frequency[term] = frequency.get(term, 0) + 1
                by_article.setdefault(term, set()).add(doc_id)
        articles = {t: len(found) for t, found in by_article.items()}
        idf = {t: math.log(1 + (len(corpus) - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        target = self.directory / "bm25"
        if target.exists():
            shutil.rmtree(target)
        if bm25 is not None:
            bm25.save(str(target), show_progress=False)
        proper = sorted(capitalised - lowered)
        dump_json(self.directory / "state.json", {"revision": revision, "ids": ids, "docs": docs, "idf": idf,
                                                  "surface": surface, "proper": proper, "articles": articles})
        self._bm25, self._ids, self._docs, self.revision = bm25, ids, docs, revision
        self._idf, self._surface, self._proper = idf, surface, frozenset(proper)
        self._articles, self._n_articles = articles, len(set(docs))

    def word_vectors(self, embed: Callable[[list[str]], np.ndarray]) -> tuple[list[str], np.ndarray]:
        """(stems, unit vectors of their words) for the corpus vocabulary, so that no question
        ever embeds it. Vectors are kept by word beside the index: a new revision embeds only
        the words no earlier revision had (an ingest of a few articles adds a few words)."""
        if self._vectors is not None and self._vectors[0] == self.revision:
            return self._vectors[1], self._vectors[2]
        stems = sorted((t for t in self._surface if not any(c.isdigit() for c in t)),
                       key=lambda t: (self._idf.get(t, 0.0), t))[:MAX_VECTOR_TERMS]
        words = [self._surface[t] for t in stems]
        path = self.directory / "words.npz"
        known = self._load_vectors(path)
        missing = [w for w in dict.fromkeys(words) if w not in known]
        if missing:
            known.update(zip(missing, embed(missing)))
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial.npz")
            kept = [w for w in known if w in set(words)]
            np.savez(partial, words=np.array(kept, dtype=str), matrix=np.stack([known[w] for w in kept]))
            partial.replace(path)
        matrix = np.stack([known[w] for w in words]) if words else np.zeros((0, 1), dtype=np.float32)
        self._vectors = (self.revision, stems, matrix)
        return stems, matrix

    @staticmethod
    def _load_vectors(path: Path) -> dict[str, np.ndarray]:
        try:
            with np.load(path, allow_pickle=False) as saved:
                return dict(zip((str(w) for w in saved["words"]), saved["matrix"]))
        except (OSError, KeyError, ValueError):
            return {}

    def proper(self) -> frozenset[str]:
        """The words the corpus writes only with a capital inside a sentence ("oslo"),
        lower-cased: a question typed in lower case still names them."""
        return self._proper

    def article_share(self, term: str) -> float:
        """The share of the corpus's articles that use a (tokenized) term."""
        return self._articles.get(term, 0) / self._n_articles if self._n_articles else 0.0

    def knows(self, term: str) -> bool:
        """Whether a (tokenized) term occurs anywhere in the indexed corpus."""
        return term in self._idf

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency over chunks; unseen terms get the rarest weight."""
        if not self._idf:
            return 1.0
        return self._idf.get(term, math.log(1 + (len(self._ids) + 0.5) / 0.5))

    def search(self, query: str, k: int) -> list[tuple[str, str, float]]:
        """Top ``k`` chunks as ``(chunk_id, doc_id, score)`` with a positive score."""
        if self._bm25 is None:
            return []
        terms = tokenize(query)
        if not terms:
            return []
        terms += derived(terms, self.knows)
        scores = self._bm25.get_scores(terms)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self._ids[i], self._docs[i], float(scores[i])) for i in top if scores[i] > 0]
