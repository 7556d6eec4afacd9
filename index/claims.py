"""Claims: each statement once, who makes it, which articles carry it, which claims contradict it.

A claim is a stored sentence that states something (a question or a fragment is none) with
its claimant: the person attribution.py found, else the noun phrase claimant.py reads off
its speech verb ("the White House said"), else nobody (the outlet states it itself).

The index lives beside the store, as the BM25 side does (``<home>/claims/<collection>.json``),
and is derived from it alone: ``sync`` compares the committed document versions with the
ones it was built from, drops the claims of documents that changed or went, and reads the
new ones' sentences back from the store (text, span, speaker, vector). It keeps two kinds
of edges between claims, each between two sentences so that a document's removal removes
its edges with it, and one record per article:

* *same*: two sentences are one statement (the same words, or quotes trimmed differently:
  close vectors and a large share of word runs in common); claim groups are the connected
  components of these edges, so each statement is shown once with a citation per article;
* *contradicts*: ``stance`` judged the two to contradict each other (a denial of "the claims"
  read with the sentence before it, as the answers' "Disputed:" line reads it);
* per article, a MinHash fingerprint, and the shares of text articles have in common
  (syndication.py), so that copies of one wire story count as one story.

Candidates for both kinds of edge are a new claim's nearest stored sentences (one batched
vector query per sync) and the sentences just before it in its article, which a denial of
"the claims" refers back to. Pairs are looked at from the newer claim's side only, so an
incremental sync finds what a full rebuild finds, up to the nearest-neighbour cut-off.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from .claimant import claimant
from .jsonfile import dump_json, load_json
from .models import SentenceRecord
from .people import quote_spans
from .stance import CONTRADICTS, cues, refers_back, stance, with_context
from .store import Store
from .syndication import Fingerprint, fingerprint, overlaps, words

FORMAT = 1  # bumped when the file's layout changes: a rebuild follows
# The modules whose rules decide what the index holds: when one changes (a new release, a
# tuned stance threshold), the saved index is rebuilt rather than mixing old and new links.
RULE_MODULES = ("claims.py", "claimant.py", "stance.py", "syndication.py", "vocabulary.py", "attribution.py",
                "people.py")
NEIGHBOURS = 10  # nearest stored sentences a new claim is compared with
CONTEXT_BEFORE = 2  # earlier sentences of its article a claim is compared with ("has since denied the claims")
MIN_WORDS = 4  # fewer words make a heading or a fragment, not a statement
# One statement: identical vectors, or close ones that share most of their word runs (the
# same quote trimmed or framed differently: '"X," Ortiz said.' / 'Ortiz said X.'). A close
# vector alone is not enough: two different statements about one event embed close too.
IDENTICAL_COSINE = 0.97
SAME_COSINE = 0.75
SAME_SHARE = 0.4  # of the shorter sentence's word trigrams found in the longer one
_TRIGRAM = 3


@dataclass(frozen=True)
class StoredClaim:
    """One sentence as a claim: where it is, its words, who makes it ('' for the outlet)."""

    sentence_id: str
    doc_id: str
    index: int
    start: int
    end: int
    quote: str
    text: str
    speaker: str
    rejects: bool = False  # carries a denial, rejection or negation cue (stance.cues)


@dataclass(frozen=True)
class Link:
    """Two claims (sentence ids) judged to contradict each other, and why."""

    a: str
    b: str
    score: float
    reason: str


@dataclass
class _Built:
    """The index's content, as saved."""

    revision: Optional[int] = None
    model: str = ""
    rules: str = ""  # rules_version() of the code that built it
    versions: dict[str, str] = field(default_factory=dict)  # doc_id -> version the claims come from
    prints: dict[str, Fingerprint] = field(default_factory=dict)
    claims: dict[str, StoredClaim] = field(default_factory=dict)
    same: set[tuple[str, str]] = field(default_factory=set)
    links: dict[tuple[str, str], Link] = field(default_factory=dict)
    shares: dict[tuple[str, str], float] = field(default_factory=dict)  # (a, b): share of a's text b carries


class ClaimIndex:
    """The claims of the committed documents, kept in step with the store by ``sync``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.built = _Built()
        self._groups: Optional[dict[str, str]] = None  # sentence id -> group id (its smallest member id)

    @classmethod
    def for_settings(cls, settings) -> "ClaimIndex":
        return cls(settings.home / "claims" / f"{settings.collection}.json")

    # ---- keeping in step with the store --------------------------------------------------------

    def sync(self, store: Store) -> None:
        """Bring the index to the store's committed documents, touching only what changed."""
        revision = store.revision()
        if self.built.revision is None:  # first use in this process: start from what was saved
            self.built, self._groups = _load(self.path) or _Built(), None
        if self.built.model != store.embed_model_id or self.built.rules != rules_version():
            # vectors of another model, or claims built by other rules: nothing carries over
            self.built, self._groups = _Built(model=store.embed_model_id, rules=rules_version()), None
        if self.built.revision == revision:
            return
        committed = store.committed_versions()
        self._drop([d for d, v in self.built.versions.items() if committed.get(d) != v])
        fresh = {d: v for d, v in committed.items() if self.built.versions.get(d) != v}
        records = store.documents_sentences(fresh)
        added = self._add(records)
        self._connect(store, added, records)
        self.built.revision = revision
        self._groups = None
        dump_json(self.path, _dump(self.built))

    def _drop(self, doc_ids: list[str]) -> None:
        gone = set(doc_ids)
        if not gone:
            return
        built = self.built
        dropped = {sid for sid, c in built.claims.items() if c.doc_id in gone}
        built.claims = {sid: c for sid, c in built.claims.items() if sid not in dropped}
        built.same = {p for p in built.same if not dropped & set(p)}
        built.links = {p: link for p, link in built.links.items() if not dropped & set(p)}
        built.shares = {p: s for p, s in built.shares.items() if not gone & set(p)}
        for doc_id in gone:
            built.versions.pop(doc_id, None)
            built.prints.pop(doc_id, None)

    def _add(self, records: dict[str, list[SentenceRecord]]) -> list[tuple[StoredClaim, SentenceRecord]]:
        added = []
        for doc_id, sentences in records.items():
            if not sentences:
                continue
            self.built.versions[doc_id] = _version(sentences[0].sentence_id)
            self.built.prints[doc_id] = fingerprint(" ".join(r.text for r in sentences))
            speakers = claimants(sentences)
            for index, record in enumerate(sentences):
                if is_statement(record.text):
                    claim = StoredClaim(record.sentence_id, doc_id, index, record.start, record.end, record.quote,
                                        record.text, speakers[index], cues(record.text).rejects)
                    self.built.claims[claim.sentence_id] = claim
                    added.append((claim, record))
        return added

    def _connect(self, store: Store, added: list[tuple[StoredClaim, SentenceRecord]],
                 records: dict[str, list[SentenceRecord]]) -> None:
        """Same-statement and contradiction edges from each new claim, and the new articles' shares."""
        built = self.built
        points = [_point(claim, record, records[claim.doc_id]) for claim, record in added]
        neighbours = store.sentence_neighbours([p.vector for p in points], NEIGHBOURS + 1) if points else []
        seen: set[tuple[str, str]] = set()
        for (claim, _), point, near in zip(added, points, neighbours):
            for other_id, cosine in self._candidates(claim, point, near, records[claim.doc_id]):
                pair = _pair(claim.sentence_id, other_id)
                if pair not in seen:
                    seen.add(pair)
                    self._judge(claim, point, built.claims[other_id], cosine, pair)
        for doc_id in {c.doc_id for c, _ in added}:
            for overlap in overlaps(doc_id, built.prints, list(built.prints)):
                built.shares[(overlap.doc_id, overlap.other)] = round(float(overlap.share), 4)

    def _candidates(self, claim: StoredClaim, point: "_Point", near: list[tuple[str, float]],
                    sentences: list[SentenceRecord]) -> Iterable[tuple[str, float]]:
        """Claims worth comparing with a new one: its nearest sentences, and the ones just before it."""
        claims = self.built.claims
        for other_id, cosine in near:
            if other_id != claim.sentence_id and other_id in claims:
                yield other_id, cosine
        for earlier in sentences[max(0, claim.index - CONTEXT_BEFORE):claim.index]:
            if earlier.sentence_id in claims:
                yield earlier.sentence_id, float(point.vector @ earlier.embedding)

    def _judge(self, claim: StoredClaim, point: "_Point", other: StoredClaim, cosine: float,
               pair: tuple[str, str]) -> None:
        if not point.borrowed and claim.doc_id != other.doc_id and same_statement(claim.text, other.text, cosine):
            self.built.same.add(pair)
            return
        if point.rejects == other.rejects or not point.judged:
            return  # stance contradicts only a rejection with an assertion: no need to ask it
        found = stance(point.text, claim.speaker or None, other.text, other.speaker or None, cosine=cosine)
        if found.relation == CONTRADICTS:
            self.built.links[pair] = Link(pair[0], pair[1], round(float(found.score), 4), found.reason)

    # ---- reading ---------------------------------------------------------------------------------

    @property
    def claims(self) -> dict[str, StoredClaim]:
        return self.built.claims

    @property
    def shares(self) -> dict[tuple[str, str], float]:
        return self.built.shares

    def group_of(self, sentence_id: str) -> Optional[str]:
        """The id of the claim group a sentence belongs to (None: the sentence is no claim)."""
        return self._group_ids().get(sentence_id)

    def groups(self) -> dict[str, list[StoredClaim]]:
        """Every claim group's members in article order, by group id."""
        members: dict[str, list[StoredClaim]] = {}
        for sid, group in self._group_ids().items():
            members.setdefault(group, []).append(self.built.claims[sid])
        for found in members.values():
            found.sort(key=lambda c: (c.doc_id, c.index))
        return members

    def contradictions(self, group: str) -> dict[str, Link]:
        """The groups contradicting ``group``, each with its strongest link."""
        ids = self._group_ids()
        found: dict[str, Link] = {}
        for (a, b), link in self.built.links.items():
            if group not in (ids[a], ids[b]) or ids[a] == ids[b]:
                continue
            other = ids[b] if ids[a] == group else ids[a]
            if other not in found or link.score > found[other].score:
                found[other] = link
        return found

    def disputed(self) -> set[str]:
        """The groups some other group contradicts."""
        ids = self._group_ids()
        return {ids[x] for a, b in self.built.links for x in (a, b) if ids[a] != ids[b]}

    def _group_ids(self) -> dict[str, str]:
        if self._groups is None:
            parent = {sid: sid for sid in self.built.claims}

            def root(s: str) -> str:
                while parent[s] != s:
                    parent[s] = parent[parent[s]]
                    s = parent[s]
                return s

            for a, b in self.built.same:
                ra, rb = root(a), root(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
            self._groups = {sid: root(sid) for sid in parent}
        return self._groups


@dataclass(frozen=True)
class _Point:
    """What a claim is compared by: its own words and vector, or, for a denial that names
    nothing of what it denies ("has since denied the claims"), read with the sentence before
    it and the mean of the two vectors, as stance.py's ``find_dispute`` reads it (``borrowed``;
    with no sentence before, ``judged`` is False: it cannot say what it denies)."""

    text: str
    vector: np.ndarray
    rejects: bool
    borrowed: bool = False
    judged: bool = True


def _point(claim: StoredClaim, record: SentenceRecord, sentences: list[SentenceRecord]) -> _Point:
    if not refers_back(claim.text):
        return _Point(claim.text, record.embedding, claim.rejects)
    if claim.index == 0:
        return _Point(claim.text, record.embedding, claim.rejects, judged=False)
    before = sentences[claim.index - 1]
    text, vector = with_context(claim.text, before.text), record.embedding + before.embedding
    return _Point(text, vector / (np.linalg.norm(vector) or 1.0), cues(text).rejects, borrowed=True)


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A digest of the rule modules' source (FORMAT alone when they cannot be read)."""
    digest = hashlib.sha256(str(FORMAT).encode())
    for name in RULE_MODULES:
        try:
            digest.update(Path(__file__).with_name(name).read_bytes())
        except OSError:
            pass
    return digest.hexdigest()[:16]


def claimants(sentences: list[SentenceRecord]) -> list[str]:
    """Who makes each sentence's claim: its person (attribution.py), else its claimant phrase;
    a quotation left open at a sentence's end is the claimant's of the sentence closing it in
    the same paragraph ('"The pier is closed ... for now. We will ...," the council said.')."""
    found = [r.speaker or claimant(r.text) for r in sentences]
    for index in range(len(sentences) - 2, -1, -1):
        record, following = sentences[index], sentences[index + 1]
        if not found[index] and following.paragraph == record.paragraph and quote_spans(record.text, False)[1]:
            found[index] = found[index + 1]
    return found


def is_statement(text: str) -> bool:
    """A sentence that asserts something: enough words, and no question."""
    return len(words(text)) >= MIN_WORDS and not text.rstrip(" \"'\u201d\u2019)").endswith("?")


def same_statement(a: str, b: str, cosine: float) -> bool:
    """Whether two sentences state the same thing in (nearly) the same words."""
    if cosine >= IDENTICAL_COSINE or words(a) == words(b):
        return True
    if cosine < SAME_COSINE:
        return False
    small, large = sorted((_trigrams(a), _trigrams(b)), key=len)
    return bool(small) and len(small & large) / len(small) >= SAME_SHARE


def _trigrams(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i:i + _TRIGRAM]) for i in range(len(tokens) - _TRIGRAM + 1)}


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _version(sentence_id: str) -> str:
    return sentence_id.rsplit(":", 2)[1]


# ---- the file ------------------------------------------------------------------------------------

def _dump(built: _Built) -> dict:
    return {"format": FORMAT, "revision": built.revision, "model": built.model, "rules": built.rules,
            "versions": built.versions,
            "prints": {d: [p.shingles, list(p.signature)] for d, p in built.prints.items()},
            "claims": [asdict(c) for c in built.claims.values()],
            "same": sorted(list(p) for p in built.same),
            "links": [asdict(link) for link in built.links.values()],
            "shares": [[a, b, s] for (a, b), s in built.shares.items()]}


def _load(path: Path) -> Optional[_Built]:
    """The saved index, or None when it is missing, of another format or unreadable (rebuilt)."""
    data = load_json(path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    try:
        claims = [StoredClaim(**c) for c in data["claims"]]
        return _Built(revision=data["revision"], model=data["model"], rules=data["rules"],
                      versions=dict(data["versions"]),
                      prints={d: Fingerprint(tuple(sig), n) for d, (n, sig) in data["prints"].items()},
                      claims={c.sentence_id: c for c in claims},
                      same={(a, b) for a, b in data["same"]},
                      links={(link["a"], link["b"]): Link(**link) for link in data["links"]},
                      shares={(a, b): s for a, b, s in data["shares"]})
    except (KeyError, TypeError, ValueError):
        return None
