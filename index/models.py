"""Plain values that cross module lines: parsed articles, retrieval hits, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal, Optional

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, located exactly in the original file text."""

    start: int
    end: int
    text: str  # normalised (whitespace, NBSP) for indexing; the quote is the original slice
    paragraph: int


@dataclass(frozen=True)
class DocumentMeta:
    doc_id: str
    title: str
    title_derived: bool
    outlet: Optional[str]
    byline: Optional[str]
    date: Optional[str]  # ISO yyyy-mm-dd when the text gives one
    path: str
    sha256: str
    url: Optional[str] = None  # the page an article was fetched from (its file's ``URL:`` header)


@dataclass(frozen=True)
class ParsedDocument:
    meta: DocumentMeta
    text: str  # exactly Path(path).read_text(encoding="utf-8")
    sentences: tuple[Sentence, ...]
    chunks: tuple[tuple[int, ...], ...]  # each chunk = indexes into sentences


@dataclass(frozen=True)
class SentenceRecord:
    """One stored sentence with its exact span in the article file and its vector."""

    sentence_id: str
    doc_id: str
    text: str
    start: int
    end: int
    speaker: str
    quoted: bool
    quote: str  # the original slice, verbatim: file_text[start:end]
    embedding: "np.ndarray"
    paragraph: int = 0
    subject: str = ""  # whom its leading he/she refers to (attribution.py), '' when the text does not settle it
    antecedent: int = -1  # an unresolved he/she: index of the earlier sentence naming a candidate


@dataclass(frozen=True)
class RetrievalHit:
    """One retrieved chunk. ``dense``/``lexical`` are each side's score (None: that side did not
    find it); ``fused`` is the reciprocal-rank fusion of both (0.0 for a plain dense hit)."""

    chunk_id: str
    doc_id: str
    text: str
    sentence_ids: tuple[str, ...]
    fused: float = 0.0
    dense: Optional[float] = None
    lexical: Optional[float] = None


@dataclass(frozen=True)
class CorpusStatus:
    """What ``Engine.ensure_corpus`` did: "ready" (the store holds documents), "seeded" (it had
    never held anything, so the demo corpus went in) or "lost" (it held documents, or an ingest
    started, and holds none now: reported, never refilled)."""

    action: Literal["ready", "seeded", "lost"]
    message: Optional[str] = None  # one line for the user; None when there is nothing to say
    report: Optional["IngestReport"] = None  # the demo corpus's ingest, for "seeded"


# The one sentence of a refusal, extractive or generated (the model's sentinel becomes this).
REFUSAL = "The articles do not answer this question."


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    outlet: Optional[str]
    date: Optional[str]
    quote: str
    start: int
    end: int
    url: Optional[str] = None  # the article's page, for an article ingested from a link or feed

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["url"] is None:
            del data["url"]  # only articles fetched from a link have one; a file's citation stays as it was
        return data


Status = Literal["answered", "related", "refused"]
# The first line of a ``related`` answer, so that the statements under it never read as the
# answer, whichever front end (or JSON consumer) shows the text.
RELATED_LEAD = "The articles do not say this. The closest statements they make:"
# The lead of the answer line that cites the other side of a contradicted statement (stance.py).
DISPUTED_LEAD = "Disputed:"


# What became of a generated answer's draft: shown as the model wrote it (markers renumbered),
# shown after the check repaired it (markers re-pointed or taken from the next sentence, a
# pronoun annotated, sentences dropped), replaced by the extractive answer because it could not
# be used (an error, a timeout, nothing supported), or declined by the model (its sentinel).
DraftOutcome = Literal["generated", "repaired", "fallback", "declined"]


@dataclass(frozen=True)
class Draft:
    """The model's own reply behind a generated-mode answer, kept so ``dossier eval`` can judge
    what the model wrote as well as what was shown (index/eval/judge.py)."""

    outcome: DraftOutcome
    reply: str = ""  # the model's raw text, unchecked ('' when no reply came)
    # The prompt's sources [1]..[k]: each one's article and sentence ids (its headline is checkable too).
    sources: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Answer:
    """An answer and how it stands: ``answered`` (the cited sentences state what was asked),
    ``related`` (they do not; the closest statements are shown under ``RELATED_LEAD``) or
    ``refused`` (nothing relevant). ``refused`` is kept for callers that only need yes/no."""

    question: str
    answer: str
    mode: Literal["extractive", "generated"]
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings_ms: dict = field(default_factory=dict)
    notice: Optional[str] = None  # e.g. "LLM unavailable; extractive answer shown"
    resolved: Optional[str] = None  # the standalone question a follow-up was resolved to
    status: Optional[Status] = None  # None: derived from ``refused`` (answered or refused)
    draft: Optional[Draft] = None  # generated mode, when the model was asked: its reply and what became of it

    def __post_init__(self) -> None:
        if self.status is None:
            object.__setattr__(self, "status", "refused" if self.refused else "answered")
        elif (self.status == "refused") != self.refused:
            raise ValueError(f"an answer with status {self.status!r} cannot have refused={self.refused}")

    def to_dict(self) -> dict:
        data = {
            "question": self.question,
            "answer": self.answer,
            "mode": self.mode,
            "status": self.status,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": dict(self.timings_ms),
        }
        if self.notice:
            data["notice"] = self.notice
        if self.resolved:
            data["resolved_question"] = self.resolved
        if self.draft is not None:
            data["generation"] = self.draft.outcome
        return data


@dataclass(frozen=True)
class IngestReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason)
    pruned: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()

    def combined(self, other: "IngestReport") -> "IngestReport":
        """Both runs' outcomes in one report (``dossier ingest`` with links and feeds)."""
        return IngestReport(*(getattr(self, name) + getattr(other, name) for name in
                              ("added", "updated", "unchanged", "skipped", "pruned", "repaired")))

# ---- claims (issue 14) -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """One article's wording of a claim: who it says makes it (None: the outlet itself) and the
    verbatim sentence."""

    speaker: Optional[str]
    citation: Citation

    def to_dict(self) -> dict:
        return {"speaker": self.speaker, "citation": self.citation.to_dict()}


@dataclass(frozen=True)
class Contradiction:
    """A claim group that contradicts another, and the evidence the stance judge gave."""

    group: "ClaimGroup"
    score: float
    reason: str

    def to_dict(self) -> dict:
        return {"score": self.score, "reason": self.reason, **self.group.to_dict()}


@dataclass(frozen=True)
class ClaimGroup:
    """One statement, once: who makes it, every article carrying it (one citation each), how
    many outlets and distinct stories that is (copies of one wire text are one story), and
    the claims that contradict it."""

    key: str  # stable while its articles are unchanged
    statement: str  # the wording shown (the fullest one)
    speakers: tuple[str, ...]
    claims: tuple[Claim, ...]
    outlets: tuple[str, ...]
    stories: int
    contradictions: tuple[Contradiction, ...] = ()

    @property
    def carriers(self) -> str:
        """"1 wire story, 3 outlets", "2 outlets", "1 outlet"."""
        outlets = f"{len(self.outlets)} outlet{'s' if len(self.outlets) != 1 else ''}"
        if self.stories < len(self.outlets):
            return f"{self.stories} wire stor{'ies' if self.stories != 1 else 'y'}, {outlets}"
        return outlets

    def to_dict(self) -> dict:
        data = {"key": self.key, "statement": self.statement, "speakers": list(self.speakers),
                "outlets": list(self.outlets), "stories": self.stories, "carriers": self.carriers,
                "claims": [c.to_dict() for c in self.claims]}
        if self.contradictions:
            data["contradicted_by"] = [c.to_dict() for c in self.contradictions]
        return data


@dataclass(frozen=True)
class SharedText:
    """How much of one article's text another article carries (syndication.py)."""

    doc_id: str
    other: str
    other_title: str
    share: float  # 0..1, estimated

    def to_dict(self) -> dict:
        return asdict(self)
