"""Whether a generated answer sentence is faithful to the source sentence it cites.

Cosine and term overlap (computed by the caller, as ``generate.SupportScorer`` does) say
that two sentences talk about the same thing; they do not see a flipped meaning, because a
flip reuses the source's words. The judge adds hard rules for the flips a small model makes
(issue 13), each checked on the sentence with its ``[n]`` markers removed:

* quote-not-verbatim: a span the answer puts in quotation marks must occur in the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

SUPPORT_COSINE = 0.5
SUPPORT_OVERLAP = 0.5

_MARKER = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d]+)[\"\u201d]")


@dataclass(frozen=True)
class Verdict:
    """Whether a source sentence supports an answer sentence, and if not, the first reason."""

    supported: bool
    reason: str  # "ok", or the rule that failed ("negation", "number-mismatch", ...)


OK = Verdict(True, "ok")


def judge(sentence: str, source: str, *, cosine: float, overlap: float,
          source_speaker: Optional[str] = None, sentence_speakers: frozenset[str] = frozenset()) -> Verdict:
    """Judge one answer sentence against one source sentence.

    ``cosine`` and ``overlap`` are the caller's similarity figures for the pair;
    ``source_speaker`` is who says the source sentence (ingest's speaker, if any);
    ``sentence_speakers`` the people the answer sentence names as its speakers, e.g. from a
    pronoun annotated "He [Ortiz] said ..."."""
    bare = _MARKER.sub("", sentence).strip()
    for quote in _QUOTED.findall(bare):
        if _flat(quote) not in _flat(source):
            return Verdict(False, "quote-not-verbatim")
    if cosine < SUPPORT_COSINE or overlap < SUPPORT_OVERLAP:
        return Verdict(False, "low-similarity")
    return OK


def _flat(text: str) -> str:
    """Lower case, straight apostrophes, single spaces, no edge punctuation: how a quote is compared."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    return " ".join(text.split()).strip(" .,;:!?")
