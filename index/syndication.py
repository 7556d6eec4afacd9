"""Copies of the same wire text: how much of one article's text another one carries.

Each article is reduced at ingest to a MinHash signature of its word shingles (runs of
``SHINGLE_WORDS`` words of its normalised text) and the number of distinct shingles. Two
signatures estimate the Jaccard similarity J of the two shingle sets; with the set sizes
that gives the size of their intersection, |A ∩ B| = J (|A| + |B|) / (1 + J), and so how
much of each article the other one carries (containment). Containment, not Jaccard, is
what "shares 62 % of its text" means, and it also finds a long wire passage inside a
longer article, which Jaccard dilutes.

A signature is ``PERMUTATIONS`` integers whatever the article's length, so comparing a new
article with every stored one is one vectorised numpy comparison per article.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

SHINGLE_WORDS = 5  # long enough that shared runs are copied text, not shared phrasing ("the united states said that")
PERMUTATIONS = 128  # the estimate's standard error is about sqrt(J(1-J)/128): ±4 points at J = 0.4
_PRIME = (1 << 31) - 1  # hashes and coefficients stay below it, so a*x + b fits in 64 bits
_RNG_SEED = 14  # fixed: signatures must compare across processes and runs
# Share of an article's text another one carries before the two count as copies of one
# story (one "wire story" for the outlet count): half the shorter one is no coincidence.
COPY_SHARE = 0.5
# Share worth reporting in `dossier sources`: a long passage taken over is news to a reader
# even when the rest of the article is its own.
REPORT_SHARE = 0.2
# An article with fewer distinct shingles than this is too short to call a copy of anything.
MIN_SHINGLES = 20

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_A, _B = (np.random.default_rng(_RNG_SEED).integers(1, _PRIME, size=PERMUTATIONS, dtype=np.int64)
          for _ in range(2))


@dataclass(frozen=True)
class Fingerprint:
    """What is kept per article: its MinHash signature and its number of distinct shingles."""

    signature: tuple[int, ...]
    shingles: int


@dataclass(frozen=True)
class Overlap:
    """How much of ``doc_id``'s text ``other`` carries (0..1), estimated from the signatures."""

    doc_id: str
    other: str
    share: float


def words(text: str) -> list[str]:
    """The text's words, case and typography folded (curly quotes, accents, NBSP)."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    return _WORD.findall(folded)


def shingle_hashes(text: str) -> set[int]:
    """Stable (process-independent) hashes of the text's word shingles."""
    tokens = words(text)
    if len(tokens) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(tokens).encode()) % _PRIME} if tokens else set()
    return {zlib.crc32(" ".join(tokens[i:i + SHINGLE_WORDS]).encode()) % _PRIME
            for i in range(len(tokens) - SHINGLE_WORDS + 1)}


def fingerprint(text: str) -> Fingerprint:
    hashes = shingle_hashes(text)
    if not hashes:
        return Fingerprint(signature=tuple([_PRIME] * PERMUTATIONS), shingles=0)
    values = np.fromiter(hashes, dtype=np.int64)
    signature = ((np.outer(_A, values) + _B[:, None]) % _PRIME).min(axis=1)
    return Fingerprint(signature=tuple(int(v) for v in signature), shingles=len(hashes))


def overlaps(doc_id: str, prints: Mapping[str, Fingerprint], others: Iterable[str]) -> list[Overlap]:
    """Both directions of the overlap between ``doc_id`` and each of ``others`` that share any
    text, from the stored fingerprints: (doc_id in other) and (other in doc_id)."""
    mine = prints[doc_id]
    candidates = [o for o in others if o != doc_id and prints[o].shingles]
    if mine.shingles < MIN_SHINGLES or not candidates:
        return []
    matrix = np.array([prints[o].signature for o in candidates], dtype=np.int64)
    jaccard = (matrix == np.array(mine.signature, dtype=np.int64)).mean(axis=1)
    found = []
    for other, j in zip(candidates, jaccard):
        if j <= 0 or prints[other].shingles < MIN_SHINGLES:
            continue
        common = j * (mine.shingles + prints[other].shingles) / (1 + j)
        found.append(Overlap(doc_id, other, min(1.0, common / mine.shingles)))
        found.append(Overlap(other, doc_id, min(1.0, common / prints[other].shingles)))
    return found


def copies(a: str, b: str, shares: Mapping[tuple[str, str], float]) -> bool:
    """Whether two articles carry the same wire text: one carries most of the other."""
    return max(shares.get((a, b), 0.0), shares.get((b, a), 0.0)) >= COPY_SHARE


def stories(doc_ids: Sequence[str], shares: Mapping[tuple[str, str], float]) -> int:
    """How many distinct stories ``doc_ids`` are: copies of one wire text count once
    (connected components of the "copies" relation)."""
    parent = {d: d for d in doc_ids}

    def root(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d

    for i, a in enumerate(doc_ids):
        for b in doc_ids[i + 1:]:
            if copies(a, b, shares):
                parent[root(a)] = root(b)
    return len({root(d) for d in doc_ids})
