"""Whether two statements contradict each other, agree, or are about different things.

A contradiction here is a statement and its rejection: an accusation and its denial ("is
secretly doing X" / "has never done X"), a claim and a sentence calling it untrue ("denied
the claims", "a baseless rumor"). It is decided from three kinds of evidence:

1. **Cues** (general English, vocabulary.py "stance"): a denial verb ("denied", "refuted"),
   a rejection verb with a noun of saying as object ("rejected the allegations"), a word
   judging a claim untrue ("baseless", "untrue", "misinformation"), or "never" on the
   sentence's own predicate ("have never conducted"). A bare "not" or "no" makes a sentence
   negative but never a side: it negates details as often as the point ("did not pose an
   immediate threat", "there were no injuries"). A negated verb of knowing or telling
   ("could not confirm", "declined to specify") withholds a statement, it denies nothing; a
   "not" before a negative adjective ("not insignificant") asserts.
2. **The same point**: the caller's cosine between the two sentences, the content terms
   they share (stemmed, cue words and speech verbs left out) and the names they share
   ("Canada" and "Canadian" are one name).
3. **Two sides**: one statement rejects and the other asserts; a speaker does not
   contradict themself (the same named speaker on both sides is never a contradiction).

Both rejecting or both asserting, on the same point, is agreement. Precision comes
first: a wrong "contradicts" misleads a reader more than a missing one, so "never" needs
more evidence of the same point than an explicit denial, and a
denial that names nothing of what it denies ("has since denied the claims") is decided
only with the sentence it refers back to (``refers_back``; the caller passes both).
Thresholds were chosen on the dev halves of tests/data/stance/*.jsonl only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional, Sequence

import numpy as np

from .lexical import tokenize
from .models import SentenceRecord
from .vocabulary import (ATTRIBUTION_VERBS, CLAIM_NOUNS, DEMONYM_SUFFIXES, DENIAL_VERBS, FUNCTION_WORDS,
                         LITOTES_PREFIXES, MONTHS, NEGATORS, OBJECT_DENIAL_VERBS, REJECTION_WORDS, RELATIVE_DATES,
                         REPORTING_VERBS, STRONG_NEGATORS, TIME_NOUNS, WEEKDAYS, WITHHOLDING_VERBS,
                         WITHHOLDING_WORDS)

CONTRADICTS, AGREES, UNRELATED = "contradicts", "agrees", "unrelated"

# Evidence that two statements are about the same point, per kind of rejection (dev halves only).
DENIAL_MIN_COSINE = 0.50  # an explicit denial or rejection word ...
DENIAL_MIN_SHARED = 2  # ... sharing at least this many content terms or names, one a term
DENIAL_WORDS_COSINE = 0.45  # (or this close, sharing that many content terms besides names)
DENIAL_ALONE_COSINE = 0.65  # an explicit denial this close needs no shared content term
NEGATION_MIN_COSINE = 0.55  # "never": the act is denied without a denial word, the point must be plainly the same
NEGATION_MIN_SHARED = 3
AGREE_MIN_COSINE = 0.70  # same polarity, and this close: the same statement or a restatement
AGREE_MIN_SHARED = 3
AGREE_SHARED_COSINE = 0.55  # (or this close with AGREE_MIN_SHARED terms in common)

_WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)?")
_CUE_WORDS = DENIAL_VERBS | OBJECT_DENIAL_VERBS | REJECTION_WORDS | NEGATORS | STRONG_NEGATORS | CLAIM_NOUNS
# Dates and times ("last week", "on Tuesday") place a statement; two sharing one are not on one point.
_WHEN_WORDS = MONTHS | WEEKDAYS | RELATIVE_DATES | TIME_NOUNS | {"last", "next", "earlier", "later", "recent",
                                                                 "recently", "ago"}
_IGNORED_STEMS = frozenset(tokenize(" ".join(sorted(_CUE_WORDS | ATTRIBUTION_VERBS | REPORTING_VERBS
                                                     | WITHHOLDING_WORDS | _WHEN_WORDS))))
# Words that may follow a pronoun object and end the denial ("denied it on Tuesday", "denied it outright").
_AFTER_OBJECT = frozenset({"on", "in", "at", "as", "and", "but", "earlier", "later", "again", "outright", "strongly",
                           "flatly", "publicly", "immediately", "last", "this", "that"})
_BACK_REFERENCES = frozenset({"the", "these", "those", "such", "that", "this", "it", "them", "both"})


@dataclass(frozen=True)
class Stance:
    relation: str  # "contradicts" | "agrees" | "unrelated"
    score: float  # how strongly the evidence holds (0..1); for "unrelated", how close the two came
    reason: str  # the evidence in a few words, for people reading eval output


@dataclass(frozen=True)
class Cues:
    """What in one sentence rejects something: an explicit denial or rejection word, a negator
    on its own predicate (``strong`` for "never"), and whether its denial names nothing of
    what it denies."""

    denial: str = ""
    negation: str = ""
    strong: bool = False
    refers_back: bool = False

    @property
    def rejects(self) -> bool:
        """It rejects a statement: a denial word, or "never" on its own predicate. A bare "not"
        or "no" also negates details ("did not pose an immediate threat", "no injuries"), so
        it makes a sentence negative (``negative``) but never a side of a contradiction."""
        return bool(self.denial or self.strong)

    @property
    def negative(self) -> bool:
        return bool(self.denial or self.negation)

    @property
    def word(self) -> str:
        return self.denial or self.negation


def _words(text: str) -> list[str]:
    """Lower-case words, with "n't" written out as "not" ("don't" -> "do", "not")."""
    words: list[str] = []
    for match in _WORD.finditer(text.replace("\u2019", "'")):
        word = match.group().lower()
        if word.endswith("n't"):
            words += [word[:-3] or "not", "not"] if word not in ("can't", "won't") else ["can", "not"]
        else:
            words.append(word)
    return words


@lru_cache(maxsize=4096)
def cues(text: str) -> Cues:
    """The rejection cues of one sentence (quotations included: denials are often quoted)."""
    words = _words(text)
    denial = _denial(words)
    negation, strong = _negation(words)
    return Cues(denial=denial, negation=negation, strong=strong, refers_back=bool(denial) and _refers_back(words))


def _denial(words: list[str]) -> str:
    for i, word in enumerate(words):
        if i and words[i - 1] in NEGATORS | STRONG_NEGATORS and word not in REJECTION_WORDS:
            continue  # "did not deny", "not disputed": no rejection
        if word in DENIAL_VERBS or word in REJECTION_WORDS:
            return word
        if word in OBJECT_DENIAL_VERBS and any(w in CLAIM_NOUNS for w in words[i + 1:i + 5]):
            return word
        if word == "not" and words[i + 1:i + 2] == ["true"]:
            return "not true"
    return ""


def _negation(words: list[str]) -> tuple[str, bool]:
    """The negator that denies the sentence's own predicate (a strong one first), and whether it is strong."""
    first = ""
    for i, word in enumerate(words):
        if word not in NEGATORS and word not in STRONG_NEGATORS:
            continue
        following = words[i + 1:i + 5]
        if word == "not" and following[:1] == ["only"]:
            continue  # "not only X but also Y" asserts both
        if word == "not" and following and following[0].startswith(LITOTES_PREFIXES) and len(following[0]) > 6 \
                and following[0] not in WITHHOLDING_VERBS:
            continue  # "not insignificant"
        if any(w in WITHHOLDING_VERBS or w in WITHHOLDING_WORDS for w in following) \
                or any(w in WITHHOLDING_WORDS for w in words[max(0, i - 3):i]):
            continue  # "could not confirm", "declined to say"
        if word in STRONG_NEGATORS:
            return word, True
        first = first or word
    return first, False


def _refers_back(words: list[str]) -> bool:
    """The denial's object is "the claims", "it", "them": what is denied is in an earlier sentence."""
    for i, word in enumerate(words):
        if word in DENIAL_VERBS or word in OBJECT_DENIAL_VERBS:
            after = words[i + 1:i + 4]
            if after[:1] and after[0] in ("it", "them", "this", "that") and (
                    len(after) == 1 or after[1] in _AFTER_OBJECT):
                return True  # "denied it", "rejected that on Monday"; not "denied that it ..."
            if after[:1] and after[0] in _BACK_REFERENCES and any(w in CLAIM_NOUNS for w in after[1:3]):
                return len(words) - i <= 6  # "... has since denied the claims." and nothing after
    return False


def refers_back(text: str) -> bool:
    """Whether a sentence denies something it does not state ("has since denied the claims"):
    its stance can only be judged with the sentence before it, which the caller prepends."""
    return cues(text).refers_back


def with_context(text: str, previous: Optional[str]) -> str:
    """The text to judge a sentence by: with the sentence before it when it refers back to
    what it denies (``refers_back``) and there is one, else the sentence alone."""
    return f"{previous} {text}" if previous and refers_back(text) else text


# ---- the same point --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed content terms, less cue words and verbs of saying (shared by any two reports)."""
    return frozenset(t for t in tokenize(text) if t not in _IGNORED_STEMS and not t.isdigit())


@lru_cache(maxsize=4096)
def names(text: str) -> frozenset[str]:
    """Capitalised words that are not sentence openers' function words, lower-cased ("US" included)."""
    found = set()
    for match in _WORD.finditer(text):
        word = match.group()
        if word[:1].isupper() and word.lower() not in FUNCTION_WORDS and (len(word) > 2 or word.isupper()):
            found.add(word.lower().replace("\u2019", "'").split("'")[0])
    return frozenset(found)


def _same_name(a: str, b: str) -> bool:
    """One name, or a place and its adjective ("Canada"/"Canadian", "Japan"/"Japanese")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    for stem in (short, short[:-1]):
        if len(stem) >= 4 and long_.startswith(stem) and long_[len(stem):] in DEMONYM_SUFFIXES:
            return True
    return False


@dataclass(frozen=True)
class Shared:
    """What two sentences have in common: names, and content terms that are not names."""

    names: tuple[str, ...]
    terms: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.names) + len(self.terms)

    def __str__(self) -> str:
        return ", ".join(self.names + self.terms)


def shared_evidence(a_text: str, b_text: str) -> Shared:
    """The content terms and names two sentences share (a name counted once, as a name)."""
    terms = sorted(content_terms(a_text) & content_terms(b_text))
    a_names, b_names = names(a_text), names(b_text)
    common_names = sorted({x for x in a_names for y in b_names if _same_name(x, y)})
    stems = set(tokenize(" ".join(a_names | b_names)))
    return Shared(names=tuple(common_names), terms=tuple(t for t in terms if t not in stems))


# ---- the decision ----------------------------------------------------------------------------------


def _same_speaker(a: Optional[str], b: Optional[str]) -> bool:
    return bool(a and b and a.strip().lower() == b.strip().lower())


def stance(a_text: str, a_speaker: Optional[str], b_text: str, b_speaker: Optional[str], *,
           cosine: float) -> Stance:
    """Whether statement b contradicts statement a, agrees with it, or neither.

    ``cosine`` is the similarity of the two sentences' embeddings (the caller has them). A
    speaker is the name who says the statement, None or '' when the outlet says it itself."""
    a_cues, b_cues = cues(a_text), cues(b_text)
    shared = shared_evidence(a_text, b_text)
    evidence = f"cosine {cosine:.2f}, shared {len(shared)}" + (f" ({shared})" if len(shared) else "")
    if a_cues.rejects != b_cues.rejects and not (a_cues.negative and b_cues.negative):
        rejecting = a_cues if a_cues.rejects else b_cues
        if _same_speaker(a_speaker, b_speaker):
            return Stance(UNRELATED, 0.0, f"one speaker on both sides ({a_speaker}); {evidence}")
        if _same_point(rejecting, cosine, shared):
            kind = "denial" if rejecting.denial else "negation"  # ("never")
            return Stance(CONTRADICTS, _confidence(cosine, len(shared)),
                          f"{kind} '{rejecting.word}' against an assertion; {evidence}")
        return Stance(UNRELATED, _confidence(cosine, len(shared)), f"not the same point; {evidence}")
    if a_cues.negative != b_cues.negative:  # a bare negation against an assertion: neither side is clear
        return Stance(UNRELATED, _confidence(cosine, len(shared)), f"a negation, no denial; {evidence}")
    if cosine >= AGREE_MIN_COSINE or (cosine >= AGREE_SHARED_COSINE and len(shared) >= AGREE_MIN_SHARED):
        both = "both reject" if a_cues.negative else "both assert"
        return Stance(AGREES, _confidence(cosine, len(shared)), f"{both}; {evidence}")
    return Stance(UNRELATED, _confidence(cosine, len(shared)), f"not the same point; {evidence}")


def _same_point(rejecting: Cues, cosine: float, shared: Shared) -> bool:
    """Whether the rejection and the assertion are close enough to be about one point. Names
    alone are weak evidence: the people and places of a story are in most of its sentences."""
    if rejecting.denial:
        return cosine >= DENIAL_ALONE_COSINE or (
            cosine >= DENIAL_MIN_COSINE and len(shared) >= DENIAL_MIN_SHARED and len(shared.terms) >= 1) or (
            cosine >= DENIAL_WORDS_COSINE and len(shared.terms) >= DENIAL_MIN_SHARED)
    return cosine >= NEGATION_MIN_COSINE and len(shared.terms) >= NEGATION_MIN_SHARED


def _confidence(cosine: float, shared: int) -> float:
    return round(max(0.0, min(1.0, 0.7 * cosine + 0.06 * shared)), 3)


# ---- the other side of an answer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Dispute:
    """A statement chosen for an answer and a retrieved one that contradicts it."""

    statement: SentenceRecord
    other: SentenceRecord
    stance: Stance


Before = Callable[[SentenceRecord], Optional[SentenceRecord]]  # the sentence before a record in its article


def find_dispute(chosen: Sequence[SentenceRecord], retrieved: Sequence[SentenceRecord],
                 before: Before) -> Optional[Dispute]:
    """The statement that most clearly contradicts the first of the chosen ones (in the
    answer's order) that any of ``retrieved`` contradicts; None when none is.

    Only statements outside the answer count (both sides shown already need no "Disputed"
    line). A sentence that refers back ("has since denied the claims") is judged with the
    sentence before it (``before``), its vector the mean of the two; without one it is
    skipped, as it cannot say what it denies."""
    shown = {r.sentence_id for r in chosen} | {r.text for r in chosen}
    others = list({r.sentence_id: r for r in retrieved if r.sentence_id not in shown and r.text not in shown}.values())
    judged = [(other, _judged(other, before)) for other in others]
    for statement in chosen:
        a = _judged(statement, before)
        if a is None:
            continue
        if any(_contradicts(statement, a, other, before) for other in chosen if other is not statement):
            return None  # the answer shows both sides already
        best: Optional[Dispute] = None
        for other, b in judged:
            if b is None:
                continue
            result = stance(a[0], statement.speaker, b[0], other.speaker, cosine=float(a[1] @ b[1]))
            if result.relation == CONTRADICTS and (best is None or result.score > best.stance.score):
                best = Dispute(statement=statement, other=other, stance=result)
        if best is not None:
            return best
    return None


def _contradicts(statement: SentenceRecord, judged: tuple[str, np.ndarray], other: SentenceRecord,
                 before: Before) -> bool:
    b = _judged(other, before)
    return b is not None and stance(judged[0], statement.speaker, b[0], other.speaker,
                                    cosine=float(judged[1] @ b[1])).relation == CONTRADICTS


def restates(a: SentenceRecord, b: SentenceRecord) -> bool:
    """Whether ``b`` says again what ``a`` says (their stance is agreement)."""
    return stance(a.text, a.speaker, b.text, b.speaker, cosine=float(a.embedding @ b.embedding)).relation == AGREES


def _judged(record: SentenceRecord, before: Before) -> Optional[tuple[str, np.ndarray]]:
    """(text, unit vector) a record is judged by; None for a back reference with nothing before it."""
    if not refers_back(record.text):
        return record.text, record.embedding
    previous = before(record)
    if previous is None:
        return None
    vector = record.embedding + previous.embedding
    return with_context(record.text, previous.text), vector / (np.linalg.norm(vector) or 1.0)
