"""The one service API every front end calls: ``Engine.ask(question) -> Answer``.

An engine is retriever (hybrid dense + BM25) -> sentence scoring -> answer
(extractive, or generated and then checked) -> citations. Front ends never
touch Chroma; they call ``ask``, ``sources`` and ``ingest`` and render.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generator, Iterable, Iterator, Literal, Optional, Union

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding

from . import extractive
from .conversation import Conversation, resolve_followup
from .embedder import build_embedder, embed_query, model_id
from .errors import QuestionError, StoreError
from .ingest import Progress, ingest, sync_lexical
from .lexical import LexicalIndex, tokenize
from .models import Answer, Citation, DocumentMeta, IngestReport
from .retrieve import Retrieved, hybrid_search, version_of
from .settings import Settings
from .store import SentenceRecord, Store
from .validate import validate_question

Mode = Literal["extractive", "generated"]
REFUSAL = "The articles do not answer this question."
RetrievalMode = Literal["hybrid", "dense", "bm25"]


@dataclass(frozen=True)
class Candidates:
    vector: np.ndarray
    chunks: list[Retrieved]
    records: list[SentenceRecord]
    profile: extractive.QuestionProfile
    scored: list[extractive.ScoredSentence]


class Engine:
    def __init__(self, settings: Settings, embedder: BaseEmbedding, store: Store) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.lexical = LexicalIndex(settings.home / "bm25" / settings.collection)
        self._revision: Optional[int] = None
        self._manifest: dict[str, DocumentMeta] = {}
        self._versions: dict[str, str] = {}
        self._speakers: set[str] = set()
        self._llm = None

    @classmethod
    def open(cls, settings: Settings, embedder: Optional[BaseEmbedding] = None, reset: bool = False) -> "Engine":
        """Build the engine; ``reset`` drops the store first (e.g. after switching embedding models)."""
        embedder = embedder or build_embedder(settings)
        return cls(settings, embedder, Store.open(settings, model_id(settings), reset=reset))

    # ---- corpus ------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[Path], prune: bool = False, progress: Optional[Progress] = None) -> IngestReport:
        report = ingest(self.store, self.embedder, self.lexical, list(paths), self.settings.max_file_bytes,
                        prune=prune, progress=progress)
        self._revision = None
        return report

    def sources(self) -> list[DocumentMeta]:
        self._refresh()
        return sorted(self._manifest.values(), key=lambda m: m.doc_id)

    def is_empty(self) -> bool:
        self._refresh()
        return not self._manifest

    def _refresh(self) -> None:
        """Reload the manifest (and the BM25 side) when another ingest changed the store."""
        revision = self.store.revision()
        if revision == self._revision:
            return
        self._manifest = self.store.manifest()
        self._versions = {d: m.sha256[:16] for d, m in self._manifest.items()}
        self._speakers = self.store.speakers()
        sync_lexical(self.store, self.lexical, revision)
        self._revision = revision

    # ---- questions ---------------------------------------------------------------------------

    def validate(self, question: str) -> str:
        return validate_question(question, self.settings)

    def retrieve(self, question: str, k: Optional[int] = None, how: RetrievalMode = "hybrid") -> list[Retrieved]:
        self._refresh()
        vector = embed_query(self.embedder, question)
        return hybrid_search(self.store, self.lexical, question, vector, k or self.settings.top_k, self._versions,
                             use_dense=how != "bm25", use_lexical=how != "dense")

    def ask(self, question: str, k: Optional[int] = None, mode: Optional[Mode] = None,
            retrieval: RetrievalMode = "hybrid", conversation: Optional[Conversation] = None) -> Answer:
        """Answer one question; with a conversation, a follow-up is resolved against it first."""
        *_, answer = self._answer(question, k, mode, retrieval, conversation, stream=False)
        return answer

    def ask_stream(self, question: str, k: Optional[int] = None, mode: Optional[Mode] = None,
                   conversation: Optional[Conversation] = None) -> Iterator[Union[str, Answer]]:
        """Like ``ask``, but first yields the model's text as it arrives (generated mode only).

        The streamed text is provisional: the last item is the checked ``Answer``, which may
        differ (unsupported sentences removed) or be an extractive fallback."""
        yield from self._answer(question, k, mode, "hybrid", conversation, stream=True)

    def _answer(self, question: str, k: Optional[int], mode: Optional[Mode], retrieval: RetrievalMode,
                conversation: Optional[Conversation], stream: bool) -> Iterator[Union[str, Answer]]:
        question = self.validate(question)
        mode = mode or self.settings.answer_mode
        timings: dict[str, float] = {}
        clock = time.perf_counter()
        standalone = question
        if conversation is not None and conversation.turns:
            standalone = resolve_followup(question, conversation, self._speakers, self._condenser(mode))
            timings["resolve"] = _ms(clock)
        followup = self._followup(question, conversation) if standalone != question else None
        found = self._candidates(standalone, k, retrieval, timings, followup)
        clock = time.perf_counter()
        refusal = self._refusal(found.profile, found.scored, found.vector)
        answer: Optional[Answer] = None
        if refusal is not None:
            timings["answer"] = _ms(clock)
            answer = Answer(question=question, answer=refusal, mode=mode, refused=True, timings_ms=timings)
        elif mode == "generated":
            answer = yield from self._generated(standalone, found, timings, stream)
        if answer is None:
            answer = self._extractive(question, found.scored, timings, clock)
            if mode == "generated":
                answer = replace(answer, notice=f"The generated answer could not be used "
                                                f"({timings.pop('llm_error', 'error')}); this is an extractive answer.")
        answer = replace(answer, question=question, resolved=standalone if standalone != question else None)
        if conversation is not None:
            conversation.add(answer)
        yield answer

    def _generated(self, question: str, found: "Candidates", timings: dict,
                   stream: bool) -> Generator[str, None, Optional[Answer]]:
        """The generated answer, or None (reason in timings["llm_error"]) to fall back."""
        from .generate import StreamEnd, generate_answer, generate_answer_stream

        if not stream:
            return generate_answer(self, question, found.chunks, found.records, found.scored, timings)
        stream_items = generate_answer_stream(self, question, found.chunks, found.records, found.scored, timings)
        try:
            for item in stream_items:
                if isinstance(item, StreamEnd):
                    return item.answer
                yield item
        finally:
            stream_items.close()  # a cancelled answer also stops the model's HTTP stream now
        return None

    def _condenser(self, mode: Mode):
        """An LLM-backed condenser when answers are generated, else None (offline resolution)."""
        if mode != "generated":
            return None
        from .generate import condense_question

        return lambda question, history: condense_question(self, question, history)

    def diagnose(self, question: str) -> dict:
        """The evidence behind the refusal decision, for calibration (scripts/calibrate_refusal.py)."""
        found = self._candidates(self.validate(question), None, "hybrid", {})
        cosine, relevance, overlap = evidence(found.scored, found.vector)
        return {"cosine": cosine, "relevance": relevance, "overlap": overlap,
                "unknown_names": list(found.profile.unknown_names)}

    def _followup(self, question: str, conversation: Conversation) -> extractive.FollowUp:
        previous = conversation.last_answered()
        cited = previous.citations if previous else ()
        return extractive.FollowUp(own_terms=frozenset(tokenize(question)),
                                   own_vector=embed_query(self.embedder, question),
                                   cited=frozenset((c.doc_id, c.start) for c in cited),
                                   docs=frozenset(c.doc_id for c in cited))

    def _candidates(self, question: str, k: Optional[int], retrieval: RetrievalMode,
                    timings: dict[str, float], followup: Optional[extractive.FollowUp] = None) -> "Candidates":
        clock = time.perf_counter()
        self._refresh()
        if not self._manifest:
            raise StoreError("the store is empty; run `dossier ingest` first")
        vector = embed_query(self.embedder, question)
        timings["embed"] = _ms(clock)
        clock = time.perf_counter()
        chunks = hybrid_search(self.store, self.lexical, question, vector, k or self.settings.top_k, self._versions,
                               use_dense=retrieval != "bm25", use_lexical=retrieval != "dense")
        sentence_ids = list(dict.fromkeys(sid for c in chunks for sid in c.sentence_ids))
        records = self.store.get_sentences(sentence_ids)
        timings["retrieve"] = _ms(clock)
        profile = extractive.profile_question(question, self._speakers, self.lexical.knows)
        topic_vector = embed_query(self.embedder, profile.topic) if profile.topic else None
        scored = extractive.score_sentences(vector, profile, records, self.lexical.idf, topic_vector, followup)
        return Candidates(vector=vector, chunks=chunks, records=records, profile=profile, scored=scored)

    def _refusal(self, profile: extractive.QuestionProfile, scored: list[extractive.ScoredSentence],
                 vector) -> Optional[str]:
        """Refuse on names the corpus never mentions, or when the best evidence is weak:
        low relevance, or a low cosine that near-complete term coverage does not make up for
        ("Who is John Kirby?" is short and embeds far from any sentence, but every word matches).

        All three thresholds were calibrated with scripts/calibrate_refusal.py (see README)."""
        if profile.unknown_names:
            names = ", ".join(profile.unknown_names)
            return f"The articles do not mention {names}, so they cannot answer this question."
        cosine, relevance, overlap = evidence(scored, vector)
        # Term coverage only vouches for a question with at least two content terms.
        covered = overlap >= self.settings.refusal_min_overlap and len(profile.terms) >= 2
        weak_meaning = cosine < self.settings.refusal_min_cosine and not covered
        if relevance < self.settings.refusal_threshold or weak_meaning:
            return REFUSAL
        return None

    def _extractive(self, question: str, scored: list[extractive.ScoredSentence],
                    timings: dict[str, float], clock: float) -> Answer:
        lines = extractive.select_lines(scored, self.settings.max_answer_chars, self._similar)
        citations: list[Citation] = []
        rendered: list[str] = []
        cited_per_line: list[int] = []
        for line in lines:
            markers = []
            for record in line.members:
                citations.append(self.citation(len(citations) + 1, record))
                markers.append(f"[{len(citations)}]")
            rendered.append(f"{extractive.line_text(line.lead.record)} {''.join(markers)}")
            cited_per_line.append(len(markers))
        # Markers are only known after folding repeats; trim whole lines to keep the target length.
        while len(rendered) > 1 and len("\n".join(rendered)) > self.settings.max_answer_chars:
            rendered.pop()
            del citations[len(citations) - cited_per_line.pop():]
        timings["answer"] = _ms(clock)
        return Answer(question=question, answer="\n".join(rendered), mode="extractive", refused=False,
                      citations=tuple(citations), timings_ms=timings)

    def _similar(self, record: SentenceRecord) -> list[SentenceRecord]:
        hits = self.store.similar_sentences(record.embedding, 8)
        return [r for r, _ in hits if self._versions.get(r.doc_id) == version_of(r.sentence_id)]

    def citation(self, n: int, record: SentenceRecord) -> Citation:
        meta = self._manifest[record.doc_id]
        return Citation(n=n, doc_id=record.doc_id, title=meta.title, outlet=meta.outlet or meta.byline,
                        date=meta.date, quote=record.quote, start=record.start, end=record.end)


def evidence(scored: list[extractive.ScoredSentence], vector) -> tuple[float, float, float]:
    """(best cosine, best relevance, best term overlap) over the candidates; zeros when there are none."""
    if not scored:
        return 0.0, 0.0, 0.0
    return (max(float(s.record.embedding @ vector) for s in scored), max(s.relevance for s in scored),
            max(s.overlap for s in scored))


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
