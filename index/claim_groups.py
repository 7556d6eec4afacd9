"""The claim index as the values front ends show (models.ClaimGroup, SharedText): groups in
the order asked for, each with its citations numbered as shown and its strongest
contradictions beside it; the shares of text articles have in common."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, Mapping

from .claims import ClaimIndex, StoredClaim
from .models import Citation, Claim, ClaimGroup, Contradiction, DocumentMeta, SharedText
from .syndication import REPORT_SHARE, stories

MAX_CONTRADICTIONS = 3  # shown beside a claim, strongest first: more would bury the claim itself


def ranked_groups(index: ClaimIndex) -> list[str]:
    """Every group, the most telling first: disputed ones, then the most widely carried."""
    groups, disputed = index.groups(), index.disputed()
    return sorted(groups, key=lambda g: (g not in disputed, -len({c.doc_id for c in groups[g]}), g))


def claim_groups(index: ClaimIndex, keys: list[str], manifest: Mapping[str, DocumentMeta]) -> tuple[ClaimGroup, ...]:
    """The groups ``keys`` as values, each with the groups contradicting it; citations are
    numbered in the order shown."""
    # A document another process added or removed since the manifest was read is left out.
    groups = {g: kept for g, members in index.groups().items()
              if (kept := [c for c in members if c.doc_id in manifest])}
    counter = iter(range(1, 1_000_000))
    out = []
    for key in (k for k in keys if k in groups):
        links = sorted(((o, link) for o, link in index.contradictions(key).items() if o in groups),
                       key=lambda item: -item[1].score)[:MAX_CONTRADICTIONS]
        head = _group(key, groups[key], manifest, index.shares, counter)
        against = tuple(Contradiction(_group(other, groups[other], manifest, index.shares, counter), link.score,
                                      link.reason) for other, link in links)
        out.append(replace(head, contradictions=against))
    return tuple(out)


def _group(key: str, members: list[StoredClaim], manifest: Mapping[str, DocumentMeta],
           shares: Mapping[tuple[str, str], float], counter: Iterator[int]) -> ClaimGroup:
    first_per_doc = list({c.doc_id: c for c in reversed(members)}.values())[::-1]  # one citation per article
    claims = tuple(Claim(speaker=c.speaker or None, citation=_citation(next(counter), c, manifest[c.doc_id]))
                   for c in first_per_doc)
    speakers = tuple(dict.fromkeys(c.speaker for c in first_per_doc if c.speaker))
    outlets = tuple(dict.fromkeys(_outlet(manifest[c.doc_id]) for c in first_per_doc))
    statement = max(first_per_doc, key=lambda c: len(c.quote)).quote
    return ClaimGroup(key=key, statement=statement, speakers=speakers, claims=claims, outlets=outlets,
                      stories=stories([c.doc_id for c in first_per_doc], shares))


def _citation(n: int, claim: StoredClaim, meta: DocumentMeta) -> Citation:
    return Citation(n=n, doc_id=claim.doc_id, title=meta.title, outlet=meta.outlet or meta.byline, date=meta.date,
                    quote=claim.quote, start=claim.start, end=claim.end)


def _outlet(meta: DocumentMeta) -> str:
    """An article's outlet; an article that names none counts as an outlet of its own."""
    return meta.outlet or meta.byline or meta.doc_id


def shared_text(index: ClaimIndex, manifest: Mapping[str, DocumentMeta]) -> dict[str, tuple[SharedText, ...]]:
    """Per article, the others carrying at least REPORT_SHARE of its text, the largest share first."""
    found: dict[str, list[SharedText]] = {}
    for (doc_id, other), share in index.shares.items():
        if share >= REPORT_SHARE and doc_id in manifest and other in manifest:
            found.setdefault(doc_id, []).append(SharedText(doc_id, other, manifest[other].title, share))
    return {d: tuple(sorted(items, key=lambda s: -s.share)) for d, items in found.items()}
