"""Questions about agreement and disagreement ("do X and Y agree ...", "who denied ...",
"does X dispute Y"), answered from the claims (claims.py): a claim on the question's topic
and the claim contradicting it, each side once with who makes it and every article carrying
it. Only a contradiction the claim index holds is shown: when there is none on the topic the
question is answered as any other, so no disagreement is ever made up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Container, Optional

from . import vocabulary as vocab
from .claims import ClaimIndex, StoredClaim
from .lexical import tokenize
from .stance import refers_back

MAX_CARRIERS = 3  # articles cited per side: more markers would crowd out the words themselves


@dataclass(frozen=True)
class Side:
    """One side of a disagreement: who makes it ('' for the outlet itself) and one claim per
    article carrying it, in article order."""

    speaker: str
    claims: tuple[StoredClaim, ...]
    rejects: bool  # it denies, rejects or negates (stance.cues)


@dataclass(frozen=True)
class Disagreement:
    """A claim and the one contradicting it (the denying side second), with the link's score."""

    claim: Side
    denial: Side
    score: float


def disagreement(index: ClaimIndex, keys: list[str], parties: frozenset[str], documents: Container[str],
                 on_topic: Container[str], terms: frozenset[str]) -> Optional[Disagreement]:
    """The contradiction to show for a question whose topic retrieved the claim groups ``keys``
    (most relevant first): one between speakers the question names (``parties``, stems), then
    the strongest, then the most relevant group's. A question that names anyone is about them:
    a contradiction between others does not answer "does X dispute Y" (None). None as well when
    no group on the topic is contradicted by a claim of the ``documents`` still in the store.

    Both sides must be on the topic: among ``on_topic`` (every group the question retrieved) or
    using one of the question's ``terms`` (stems, the words of agreeing and disputing left out:
    a denial is rarely retrieved by the words of what it denies), unless one side is a denial
    of "the claims", whose topic is the sentence before it. A link between a claim on the topic
    and one about something else answers nothing asked."""
    groups = index.groups()
    best: Optional[Disagreement] = None
    best_order: tuple = ()
    for rank, key in enumerate(keys):
        for other, link in index.contradictions(key).items():
            a, b = _side(groups.get(key, []), documents), _side(groups.get(other, []), documents)
            if a is None or b is None or not (other in on_topic or _about(b, terms)
                                              or any(refers_back(c.text) for c in a.claims + b.claims)):
                continue
            named = sum(_named(s.speaker, parties) for s in (a, b))
            order = (named, link.score, -rank)
            if (named or not parties) and (best is None or order > best_order):
                best, best_order = _ordered(a, b, link.score), order
    return best


def plural(speaker: str) -> bool:
    """Whether a speaker phrase is plural ("Iranian officials", "the ministries"): a common
    noun in -s at its end; a name ("Reuters", "Ortiz") is taken as one speaker."""
    last = speaker.split()[-1] if speaker.split() else ""
    return last[:1].islower() and last.endswith("s") and not last.endswith("ss")


def topic_terms(terms: frozenset[str]) -> frozenset[str]:
    """A question's content stems without its words of agreeing, disputing and claiming."""
    return terms - _DISPUTE_STEMS


_DISPUTE_STEMS = frozenset(tokenize(" ".join(vocab.DISPUTE_QUESTION_VERBS | vocab.DISPUTE_OBJECT_VERBS
                                             | vocab.DISAGREEMENT_NOUNS | vocab.CLAIM_NOUNS)))


def _named(speaker: str, parties: frozenset[str]) -> bool:
    """Whether the question names this speaker: every capitalised word of it ("South Sudan",
    "Kenyan officials"); one word in common is not enough ("United Nations", "United States")."""
    name = {t for word in speaker.split() if word[:1].isupper() for t in tokenize(word)}
    return bool(name) and name <= parties


def _about(side: Side, terms: frozenset[str]) -> bool:
    return any(terms & set(tokenize(c.text)) for c in side.claims)


def _side(members: list[StoredClaim], documents: Container[str]) -> Optional[Side]:
    kept = [c for c in members if c.doc_id in documents]
    if not kept:
        return None
    first_per_doc = list({c.doc_id: c for c in reversed(kept)}.values())[::-1][:MAX_CARRIERS]
    speaker = next((c.speaker for c in kept if c.speaker), "")
    return Side(speaker=speaker, claims=tuple(first_per_doc), rejects=any(c.rejects for c in kept))


def _ordered(a: Side, b: Side, score: float) -> Disagreement:
    """The asserting side first and the denying one second, as a reader follows a dispute."""
    if a.rejects and not b.rejects:
        a, b = b, a
    return Disagreement(claim=a, denial=b, score=score)


def third_person(phrase: str) -> str:
    """"say" -> "says", "deny it" -> "denies it": the verb of a phrase for one speaker."""
    verb, _, rest = phrase.partition(" ")
    verb = verb[:-1] + "ies" if verb.endswith("y") and verb[-2:-1] not in "aeiou" else verb + "s"
    return f"{verb} {rest}".strip()
