"""Plain values that cross module lines: parsed articles, retrieval hits, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Optional


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


@dataclass(frozen=True)
class ParsedDocument:
    meta: DocumentMeta
    text: str  # exactly Path(path).read_text(encoding="utf-8")
    sentences: tuple[Sentence, ...]
    chunks: tuple[tuple[int, ...], ...]  # each chunk = indexes into sentences


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

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    mode: Literal["extractive", "generated"]
    refused: bool
    citations: tuple[Citation, ...] = ()
    timings_ms: dict = field(default_factory=dict)
    notice: Optional[str] = None  # e.g. "LLM unavailable; extractive answer shown"
    resolved: Optional[str] = None  # the standalone question a follow-up was resolved to

    def to_dict(self) -> dict:
        data = {
            "question": self.question,
            "answer": self.answer,
            "mode": self.mode,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": dict(self.timings_ms),
        }
        if self.notice:
            data["notice"] = self.notice
        if self.resolved:
            data["resolved_question"] = self.resolved
        return data


@dataclass(frozen=True)
class IngestReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (path, reason)
    pruned: tuple[str, ...] = ()
    repaired: tuple[str, ...] = ()
