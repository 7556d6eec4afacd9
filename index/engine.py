"""The one service API every front end calls: ``Engine.ask(question) -> Answer``.

An engine is retriever (hybrid dense + BM25) -> sentence scoring -> answer
(extractive, or generated and then checked) -> citations. Front ends never
touch Chroma; they call ``ask``, ``sources`` and ``ingest`` and render.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Generator, Iterable, Iterator, Literal, Optional, Union

import numpy as np

from . import extractive
from .agreement import Disagreement, Side, disagreement, plural, third_person, topic_terms
from .chat import ChatClient, build_chat
from .conversation import Condenser, Conversation, resolve_followup
from .bounds import fit_cited
from .deadline import Budget
from .embedder import Embedder, build_embedder, embed_query, embed_texts, model_id
from .errors import StoreError
from .generate import (Declined, DisputeNote, Fallback, Generated, Generation, Outcome, Request, SupportScorer,
                       condense, title_record)
from .catalogue import Catalogue
from .claim_groups import claim_groups, ranked_groups, shared_text
from .claims import ClaimIndex
from .ingest import Checkpoint, Notify, Progress, ingest, stale_documents
from .lexical import tokenize
from .models import (DISPUTED_LEAD, REFUSAL, RELATED_LEAD, Answer, Citation, ClaimGroup, CorpusStatus, DocumentMeta,
                     IngestReport, SharedText)
from .question import (CorpusFacts, QuestionAnalysis, WordVectors, addresses, analyze_question, lexical_query,
                       spelled_out)
from .retrieve import Retrieved, hybrid_search, version_of
from .settings import SEEDS_DIR, Settings
from .attribution import keep_speaker
from .stance import Dispute, find_dispute, restates
from .store import SentenceRecord, Store, repair as repair_store
from .store.layout import sentence_id
from .validate import validate_question

Mode = Literal["extractive", "generated"]
REMEMBERED_WORDS = 10_000  # question words kept with their vectors (about 1.5 kB each)
DISPUTE_NEIGHBOURS = 16  # sentences nearest each answer line searched for a contradiction
MIN_DISPUTED_CHARS = 120  # a "Disputed:" line cut shorter than this would not say what is disputed
# Shown above the extractive answer when the model declined although the retrieved sentences
# state what was asked (extractive.answered): what happened, not a refusal.
DECLINED_NOTICE = "The model said the articles don't answer this; showing the quotes that do."
RetrievalMode = Literal["hybrid", "dense", "bm25"]
CLAIM_GROUPS = 8  # claim groups `claims` returns unless asked for another number
MAX_PROMPT_DISPUTES = 2  # contradictions noted in a generated answer's prompt: a short note, not a second answer


@dataclass(frozen=True)
class Candidates:
    vector: np.ndarray
    chunks: list[Retrieved]
    records: list[SentenceRecord]
    analysis: QuestionAnalysis
    scored: list[extractive.ScoredSentence]


class Engine:
    """Assembled from explicit collaborators: an embedder, the store, the catalogue of the
    corpus and an optional chat client (``open`` builds the defaults from settings)."""

    def __init__(self, settings: Settings, embedder: Embedder, store: Store,
                 catalogue: Optional[Catalogue] = None, chat: Optional[ChatClient] = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.catalogue = catalogue or Catalogue.for_store(store, settings)
        self.lexical = self.catalogue.lexical
        self.chat = chat  # None: no language model configured, answers are extractive
        self._facts: Optional[tuple[Optional[int], CorpusFacts]] = None  # (store revision, facts)
        self.claim_index = ClaimIndex.for_settings(settings)  # synced at ingest, and lazily when stale
        self._titles: dict[tuple[str, str], Optional[SentenceRecord]] = {}  # (doc_id, sha256) -> title_record

    @classmethod
    def open(cls, settings: Settings, embedder: Optional[Embedder] = None, store: Optional[Store] = None,
             catalogue: Optional[Catalogue] = None, chat: Optional[ChatClient] = None,
             reset: bool = False) -> "Engine":
        """Build the engine from settings; any collaborator passed in is used as it is.

        ``reset`` opens a new, empty store beside the old one: the next ``ingest`` fills it
        and swaps it in only when it succeeded (e.g. after switching embedding models)."""
        embedder = embedder or build_embedder(settings)
        store = store or Store.open(settings, model_id(settings), reset=reset)
        chat = chat if chat is not None else build_chat(settings)  # None without a key or server
        return cls(settings, embedder, store, catalogue, chat)

    @staticmethod
    def warm_start(settings: Settings) -> None:
        """Start loading the store's vector indexes and the local model in background threads,
        to overlap with the imports a front end does next. Best effort: never raises.
        A command calls ``dossier.index.warm_start`` instead, before importing this module."""
        from . import warm_start

        warm_start(settings)

    @staticmethod
    def doctor(settings: Settings, repair: bool = False) -> str:
        """One line on the store's health. Damage raises StoreDamaged (naming the file and the
        way out) unless ``repair``, which moves the damaged files aside and says where."""
        if repair:
            done = repair_store(settings)
            if done:
                return done
        store = Store.open(settings, model_id(settings))
        documents, chunks = len(store.manifest()), store.count_chunks()
        stale = len(stale_documents(store.manifest(), store.committed_versions()))
        older = (f"; {stale} of them read by an older version of the reader: `dossier ingest` of their files "
                 f"re-reads them" if stale else "")
        return (f"the store ({store.connection.where}) opens and reads: {documents} "
                f"document{'' if documents == 1 else 's'}, {chunks} chunk{'' if chunks == 1 else 's'}{older}")

    # ---- corpus ------------------------------------------------------------------------------

    def ingest(self, paths: Iterable[Path], prune: bool = False, progress: Optional[Progress] = None,
               wait: bool = True, notify: Optional[Notify] = None,
               checkpoint: Optional[Checkpoint] = None) -> IngestReport:
        """Add or update articles. One writer at a time: another ingest in progress is waited
        for (``notify`` is told why) or, with ``wait=False``, reported at once (StoreBusy)."""
        try:
            report = ingest(self.store, self.embedder, self.lexical, list(paths), self.settings.max_file_bytes,
                            prune=prune, progress=progress, batch_sentences=self.settings.ingest_batch_sentences,
                            wait=wait, notify=notify, checkpoint=checkpoint)
        finally:
            self.catalogue.forget()
        try:
            self.claim_index.sync(self.store)  # claims are built at ingest, for the changed articles only
        except StoreError:
            pass  # the articles are committed; their claims catch up on the next `claims` (same sync)
        return report

    def ensure_corpus(self, progress: Optional[Progress] = None) -> CorpusStatus:
        """Ingest the demo corpus (seeds/) into a store that has never held anything; report,
        never refill, a store that held documents (or had an ingest start) and holds none now;
        say so when some of a ready store's articles were stored by an older reader."""
        if not self.is_empty():
            # the catalogue is_empty just refreshed holds both: no second read of the store
            stale = len(stale_documents(self.catalogue.manifest, self.catalogue.versions))
            return CorpusStatus("ready", None if not stale else (
                f"{stale} article{'s were' if stale > 1 else ' was'} stored by an older version of Dossier's reader; "
                "answers may differ until `dossier ingest` re-reads them."))
        if self.store.has_history():
            holder = self.store.lock.holder() if self.store.lock is not None else None
            if holder:
                return CorpusStatus("lost", f"The store holds no documents yet: another ingest ({holder}) is "
                                            "still writing to it; ask again when it has finished.")
            return CorpusStatus("lost", "The store holds no documents, but it held some before (or an ingest "
                                        "into it was interrupted); the demo articles are not added to it. "
                                        "Run `dossier ingest PATH` to fill it again.")
        report = self.ingest([SEEDS_DIR], progress=progress)
        return CorpusStatus("seeded", f"The store has never held any articles; ingesting the demo articles "
                                      f"in {SEEDS_DIR} first.", report)

    def sources(self) -> list[DocumentMeta]:
        self._refresh()
        return sorted(self.catalogue.manifest.values(), key=lambda m: m.doc_id)

    def is_empty(self) -> bool:
        self._refresh()
        return not self.catalogue.manifest

    def _refresh(self) -> None:
        """Reload the catalogue when an ingest (here or in another process) changed the store."""
        self.catalogue.refresh()

    def ping(self) -> None:
        """Read the store once (a count), raising StoreError when it does not answer. No cache
        is touched, so a health check may call it from any thread while questions are answered."""
        self.store.count_chunks()

    # ---- questions ---------------------------------------------------------------------------

    def validate(self, question: str) -> str:
        return validate_question(question, self.settings)

    def retrieve(self, question: str, k: Optional[int] = None, how: RetrievalMode = "hybrid") -> list[Retrieved]:
        """The chunks ``ask`` answers from, in its order."""
        self._refresh()
        vector = embed_query(self.embedder, question)
        facts = self._corpus_facts()
        return self._search(analyze_question(question, facts), facts, vector, k, how)

    def _search(self, analysis: QuestionAnalysis, facts: CorpusFacts, vector, k: Optional[int],
                how: RetrievalMode) -> list[Retrieved]:
        """Hybrid retrieval; the lexical query carries the words near the question's focus."""
        return hybrid_search(self.store, self.lexical, lexical_query(analysis, facts), vector, k or self.settings.top_k,
                             self.catalogue.versions, use_dense=how != "bm25", use_lexical=how != "dense")

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
        budget = Budget(self.settings.llm_timeout)  # every model call of this answer, retries included
        standalone = question
        if conversation is not None and conversation.turns:
            standalone = resolve_followup(question, conversation, self.catalogue.speakers, self._condenser(mode, budget))
            timings["resolve"] = _ms(clock)
        followup = self._followup(question, conversation) if standalone != question else None
        found = self._candidates(standalone, k, retrieval, timings, followup)
        clock = time.perf_counter()
        refusal = self._refusal(found.analysis, found.scored, found.vector)
        answer: Optional[Answer] = None
        outcome: Optional[Outcome] = None
        if refusal is not None:
            timings["answer"] = _ms(clock)
            answer = Answer(question=question, answer=refusal, mode=mode, refused=True, timings_ms=timings)
        elif found.analysis.agreement and (claimed := self._agreement(question, found, timings, clock)) is not None:
            answer = claimed  # "do X and Y agree", "who denied ...": from the claims, in either mode
        elif not extractive.answered(found.scored, found.analysis):
            # Nothing retrieved states what was asked: the closest statements, said to be so,
            # in either mode (a model given no answer to cite should not be asked for one).
            answer = self._extractive(question, found.scored, timings, clock, related=True)
        elif mode == "generated":
            outcome = yield from self._generated(standalone, found, stream, budget)
            timings.update(outcome.timings_ms)
            if isinstance(outcome, Generated):
                answer = replace(outcome.answer, timings_ms=timings)
        if answer is None:
            answer = self._extractive(question, found.scored, timings, clock, analysis=found.analysis)
            if outcome is not None:
                answer = replace(answer, notice=fallback_notice(outcome), draft=outcome.draft)
        answer = replace(answer, question=question, resolved=standalone if standalone != question else None)
        if conversation is not None:
            conversation.add(answer)
        yield answer

    def _generated(self, question: str, found: "Candidates", stream: bool,
                   budget: Budget) -> Generator[str, None, Outcome]:
        """The generated answer's outcome; with ``stream``, the model's text is yielded first."""
        if self.chat is None:
            return Fallback("no language model is configured; set OPENAI_API_KEY or OPENAI_BASE_URL")
        # The catalogue was refreshed for this question by _candidates: no second store read.
        generation = Generation(chat=self.chat, scorer=self._support_scorer(), cite=self.catalogue.citation,
                                max_chars=self.settings.max_answer_chars)
        analysis, facts = found.analysis, self._corpus_facts()
        # Retrieval keeps top_k for the extractive scoring; the model reads only the best few.
        chunks = found.chunks[:self.settings.llm_chunks]
        sent = {sid for c in chunks for sid in c.sentence_ids}
        records = [r for r in found.records if r.sentence_id in sent]
        disputes = self._prompt_disputes(chunks)
        request = Request(question=question, chunks=chunks, records=records,
                          addresses=lambda text, speaker, source: addresses(analysis, text, facts, speaker, source),
                          titles=self.titles(c.doc_id for c in chunks), disputes=disputes)
        if not stream:
            return generation.answer(request, budget)
        items = generation.stream(request, budget)
        try:
            for item in items:
                if not isinstance(item, str):
                    return item
                yield item
        finally:
            items.close()  # a cancelled answer also stops the model's HTTP stream now
        return Fallback("the model's stream ended without an answer")

    def _prompt_disputes(self, chunks: list[Retrieved]) -> tuple[DisputeNote, ...]:
        """The contradictions (claims.py) of statements in a generated answer's sources, for the
        prompt's "Disputed" note: which source denies which and who says each, so that the model
        reports a disputed statement as someone's claim. A contradicting claim outside the
        sources is named by its speaker only (number 0): the model reads DOSSIER_LLM_CHUNKS
        sources, and what it cannot cite would not pass the check."""
        index = self._claims_or_none()
        if index is None:
            return ()
        groups = index.groups()
        number = {sid: n for n, c in enumerate(chunks, 1) for sid in c.sentence_ids}
        notes: list[DisputeNote] = []
        seen: set[str] = set()  # groups already noted: each once, so that others get a place
        for sid in [sid for c in chunks for sid in c.sentence_ids]:
            group = index.group_of(sid)
            if group is None or group in seen:
                continue
            sides = []
            for other, link in index.contradictions(group).items():
                members = [c for c in groups.get(other, []) if c.doc_id in self.catalogue.manifest]
                if members and other not in seen:
                    side = next((c for c in members if c.sentence_id in number), members[0])
                    sides.append((side.sentence_id in number, link.score, other, side))
            if not sides:
                continue
            _, _, other, side = max(sides, key=lambda item: item[:2])  # one in the sources first, then the strongest
            seen.update((group, other))
            claim = index.claims[sid]
            pair = [(number[sid], claim.speaker), (number.get(side.sentence_id, 0), side.speaker)]
            if claim.rejects and not side.rejects:  # the asserting side first
                pair.reverse()
            notes.append(DisputeNote(pair[0][0], pair[0][1], pair[1][0], pair[1][1]))
            if len(notes) >= MAX_PROMPT_DISPUTES:
                break
        return tuple(notes)

    def _condenser(self, mode: Mode, budget: Budget) -> Optional[Condenser]:
        """A model-backed condenser when answers are generated, else None (offline resolution)."""
        if mode != "generated" or self.chat is None:
            return None
        chat = self.chat
        return lambda question, history: condense(chat, question, history, budget)

    def support_scorer(self) -> SupportScorer:
        """The support check of generated answers over this corpus (also ``dossier eval``'s judge)."""
        self._refresh()
        return self._support_scorer()

    def _support_scorer(self) -> SupportScorer:
        return SupportScorer(embedder=self.embedder, idf=self.catalogue.idf, meta=self.catalogue.manifest.get,
                             speakers=frozenset(self.catalogue.speakers))

    def titles(self, doc_ids: Iterable[str]) -> dict[str, SentenceRecord]:
        """The titles of these articles as checkable sentences (``generate.title_record``), read
        from each file once per version of it."""
        out = {}
        for doc_id in dict.fromkeys(doc_ids):
            meta = self.catalogue.manifest.get(doc_id)
            if meta is None:
                continue
            key = (doc_id, meta.sha256)
            if key not in self._titles:
                self._titles[key] = title_record(meta, lambda texts: embed_texts(self.embedder, texts),
                                                 self.settings.max_file_bytes, lambda: self._first_sentence(doc_id))
            if self._titles[key] is not None:
                out[doc_id] = self._titles[key]
        return out

    def _first_sentence(self, doc_id: str) -> Optional[SentenceRecord]:
        """An article's first sentence (a title derived from it is that sentence)."""
        found = self.store.get_sentences([sentence_id(doc_id, self.catalogue.versions.get(doc_id, ""), 0)])
        return found[0] if found else None

    def diagnose(self, question: str) -> dict:
        """The evidence behind the refusal decision, for calibration (scripts/calibrate_refusal.py)."""
        found = self._candidates(self.validate(question), None, "hybrid", {})
        cosine, relevance, overlap = evidence(found.scored, found.vector)
        return {"cosine": cosine, "relevance": relevance, "overlap": overlap,
                "unknown_names": list(found.analysis.unknown_names), "answer_type": found.analysis.answer_type,
                "focus": list(found.analysis.focus), "answered": extractive.answered(found.scored, found.analysis)}

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
        if not self.catalogue.manifest:
            raise StoreError("the store is empty; run `dossier ingest` first")
        vector = embed_query(self.embedder, question)
        timings["embed"] = _ms(clock)
        clock = time.perf_counter()
        facts = self._corpus_facts()  # refreshed above
        analysis = analyze_question(question, facts)  # first: the lexical query carries its focus
        chunks = self._search(analysis, facts, vector, k, retrieval)
        sentence_ids = list(dict.fromkeys(sid for c in chunks for sid in c.sentence_ids))
        records = self.store.get_sentences(sentence_ids)
        timings["retrieve"] = _ms(clock)
        # (embedded apart from the question: a batch of two pads the shorter text and costs more)
        topic_vector = embed_query(self.embedder, analysis.topic) if analysis.topic else None
        scored = extractive.score_sentences(vector, analysis, records, self.lexical.idf, topic_vector, followup, facts)
        read = getattr(self.embedder, "word_vectors", None)
        if read is not None and not extractive.answered(scored, analysis):
            # only where the answer would be "related": the one extra pass of the model is paid there
            scored = extractive.reread_focus(scored, analysis, read)
        return Candidates(vector=vector, chunks=chunks, records=records, analysis=analysis, scored=scored)

    def corpus_facts(self) -> CorpusFacts:
        """What question analysis knows about the corpus (speakers, outlets, word meanings),
        built once per store revision: the vocabulary's word vectors are embedded then, or
        read back from beside the BM25 index, never per question."""
        self._refresh()
        return self._corpus_facts()

    def _corpus_facts(self) -> CorpusFacts:
        """``corpus_facts`` for the catalogue as last refreshed."""
        revision = self.catalogue.revision
        if self._facts is None or self._facts[0] != revision:
            stems, matrix = self.lexical.word_vectors(lambda words: embed_texts(self.embedder, words))
            outlets = frozenset(o for m in self.catalogue.manifest.values() for o in (m.outlet, m.byline) if o)
            facts = CorpusFacts(speakers=frozenset(self.catalogue.speakers), outlets=outlets, knows=self.lexical.knows,
                                proper=self.lexical.proper(), share=self.lexical.article_share,
                                vectors=WordVectors(stems, matrix),
                                embed=_remembered(lambda words: embed_texts(self.embedder, words)))
            self._facts = (revision, facts)
        return self._facts[1]

    def _refusal(self, analysis: QuestionAnalysis, scored: list[extractive.ScoredSentence],
                 vector) -> Optional[str]:
        """Why the question is refused, or None (then it is answered, or "related" when no
        retrieved sentence states what was asked: ``extractive.answered``).

        Weak evidence refuses: low relevance, or a low cosine that near-complete term
        coverage does not make up for ("Who is <a name>?" is short and embeds far from any
        sentence, but every word matches). A name the corpus never mentions refuses unless
        a retrieved sentence itself answers the question (of the expected type, on the
        focus): such a name is often a paraphrase ("Holland" for the Netherlands, "Dutch"),
        and on the dev questions it never declined an unanswerable question that the
        answered check had not declined too, while it refused answerable ones. The
        thresholds were calibrated with scripts/calibrate_refusal.py (see README)."""
        cosine, relevance, overlap = evidence(scored, vector)
        # Term coverage only vouches for a question with at least two content terms, or one that
        # is a name ("what is <an agency's acronym>?": the sentences that name it are the answer).
        covered = overlap >= self.settings.refusal_min_overlap and (
            len(analysis.terms) >= 2 or bool(analysis.terms) and analysis.terms <= analysis.parties)
        weak = relevance < self.settings.refusal_threshold or (cosine < self.settings.refusal_min_cosine
                                                                and not covered)
        # an acronym a retrieved sentence spells out is mentioned ("CFL": "Coastal Ferry Line")
        unknown = [n for n in analysis.unknown_names if not any(spelled_out(s.record.text, n) for s in scored)]
        if unknown and (weak or not extractive.answered(scored, analysis) or not any(s.addresses for s in scored)):
            names = ", ".join(unknown)
            return f"The articles do not mention {names}, so they cannot answer this question."
        return REFUSAL if weak else None

    def _extractive(self, question: str, scored: list[extractive.ScoredSentence],
                    timings: dict[str, float], clock: float, related: bool = False,
                    analysis: Optional[QuestionAnalysis] = None) -> Answer:
        """The answer lines, or for ``related`` the closest statements under RELATED_LEAD."""
        budget = self.settings.max_answer_chars - (len(RELATED_LEAD) + 1 if related else 0)
        near = _Nearest(self._nearest, self._current)  # each line's neighbours, asked once for folding and disputes
        lines = extractive.select_lines(scored, budget, near,
                                        max_lines=extractive.RELATED_LINES if related else extractive.MAX_LINES)
        citations: list[Citation] = []
        rendered: list[str] = []
        cited_per_line: list[int] = []
        for line in lines:
            markers, prefix = [], ""
            context = self._pronoun_context(line.lead.record)
            if context is not None and all(context.sentence_id != m.sentence_id for m in line.members):
                citations.append(self.citation(len(citations) + 1, context))
                prefix = f"{context.text} [{len(citations)}] "
            for record in line.members:
                citations.append(self.citation(len(citations) + 1, record))
                markers.append(f"[{len(citations)}]")
            rendered.append(f"{prefix}{extractive.line_text(line.lead.record)} {''.join(markers)}")
            cited_per_line.append(len(markers) + (1 if prefix else 0))
        # Markers are only known after folding repeats; trim whole lines to keep the target length.
        while len(rendered) > 1 and len("\n".join(rendered)) > budget:
            rendered.pop()
            del citations[len(citations) - cited_per_line.pop():]
        if rendered and len(rendered[0]) > budget:
            rendered[0] = fit_cited(rendered[0], budget)  # one line alone is too long: shown as an excerpt
        if not related and not (analysis and analysis.person and analysis.speech):  # "what did X say": X's words only
            self._add_dispute(lines, scored, rendered, citations, cited_per_line, budget, near)
        timings["answer"] = _ms(clock)
        text = "\n".join([RELATED_LEAD] + rendered if related else rendered)
        return Answer(question=question, answer=text, mode="extractive", refused=False,
                      citations=tuple(citations), timings_ms=timings, status="related" if related else "answered")

    def _add_dispute(self, lines: list[extractive.Line], scored: list[extractive.ScoredSentence], rendered: list[str],
                     citations: list[Citation], cited_per_line: list[int], budget: int,
                     near: "_Nearest") -> None:
        """Append "Disputed: <the other side> [n]" when a statement shown is contradicted (stance.py),
        leaving out last lines that restate that statement first, then cutting it, to stay within
        ``budget``; no other line is given up for it."""
        shown = lines[:len(rendered)]
        dispute = self._dispute(shown, scored, near)
        if dispute is None:
            return
        line = f"{DISPUTED_LEAD} {extractive.line_text(dispute.other)} [{len(citations) + 1}]"
        holder = next(i for i, l in enumerate(shown) if any(m is dispute.statement for m in l.members))
        # Only a last line that restates the disputed one gives up its place to the other side.
        while len(rendered) > holder + 1 and len("\n".join(rendered + [line])) > budget \
                and restates(shown[holder].lead.record, shown[len(rendered) - 1].lead.record):
            rendered.pop()
            del citations[len(citations) - cited_per_line.pop():]
            line = f"{DISPUTED_LEAD} {extractive.line_text(dispute.other)} [{len(citations) + 1}]"
        room = budget - len("\n".join(rendered)) - 1
        if room < min(len(line), MIN_DISPUTED_CHARS):
            return
        citations.append(self.citation(len(citations) + 1, dispute.other))
        if len(line) > room:  # cut to fit; a speaker named only in the part cut off leads the line instead
            speaker = dispute.other.speaker
            lead = f"{DISPUTED_LEAD} "
            cut = fit_cited(line[len(lead):], room - len(lead) - (len(speaker) + 3 if speaker else 0))
            line = lead + keep_speaker(cut, speaker)
        rendered.append(line)

    def _dispute(self, lines: list[extractive.Line], scored: list[extractive.ScoredSentence],
                 near: "_Nearest") -> Optional[Dispute]:
        """A statement contradicting one the answer shows (stance.py), for the answer's "Disputed:" line:
        among the retrieved sentences and those nearest each line (a denial rarely shares the
        question's words, so retrieval for the question alone often misses it)."""
        chosen = [m for line in lines for m in line.members]
        nearest = [r for line in lines for r in near(line.lead.record, DISPUTE_NEIGHBOURS)]
        return find_dispute(chosen, [s.record for s in scored] + nearest, self._sentence_before)

    def _sentence_before(self, record: SentenceRecord) -> Optional[SentenceRecord]:
        index = int(record.sentence_id.rsplit(":s", 1)[1])
        if index == 0:
            return None
        found = self.store.get_sentences([sentence_id(record.doc_id, version_of(record.sentence_id), index - 1)])
        return found[0] if found else None

    def _pronoun_context(self, record: SentenceRecord) -> Optional[SentenceRecord]:
        """The earlier sentence naming whom an unresolved leading he/she may mean: shown and cited
        before it, so the reader decides rather than the engine guessing (attribution.py)."""
        if record.subject or record.antecedent < 0:
            return None
        found = self.store.get_sentences([sentence_id(record.doc_id, version_of(record.sentence_id),
                                                      record.antecedent)])
        return found[0] if found else None

    def _nearest(self, record: SentenceRecord, k: int) -> list[SentenceRecord]:
        return [r for r, _ in self.store.similar_sentences(record.embedding, k)]

    def _current(self, record: SentenceRecord) -> bool:
        """Whether a sentence belongs to its document's committed version."""
        return self.catalogue.versions.get(record.doc_id) == version_of(record.sentence_id)

    def citation(self, n: int, record: SentenceRecord) -> Citation:
        return self.catalogue.citation(n, record)

    # ---- claims (issue 14) ------------------------------------------------------------------------

    def claims(self, topic: Optional[str] = None, k: Optional[int] = None) -> tuple[ClaimGroup, ...]:
        """The claims about ``topic``, retrieved as a question is: each statement once, with who
        makes it, the articles carrying it and the claims contradicting it. Without a topic, the
        disputed and most widely carried claims of the corpus. At most ``k`` groups."""
        limit = k or CLAIM_GROUPS
        if topic is None:
            index = self._claims_synced()
            keys = ranked_groups(index)[:limit]
        else:
            # More groups asked for, more chunks read: a chunk holds a few claims, several of one group.
            found = self._candidates(self.validate(topic), max(self.settings.top_k, limit), "hybrid", {})
            # A topic is often one or two words ("Ortiz", "the strike"), which embed far from any
            # sentence: the articles using its terms is enough, where a question needs more.
            covered = evidence(found.scored, found.vector)[2] >= self.settings.refusal_min_overlap
            if self._refusal(found.analysis, found.scored, found.vector) is not None and not covered:
                return ()
            index = self._claims_synced()
            keys = self._topic_groups(index, found, limit)
        return claim_groups(index, keys, self.catalogue.manifest)

    def _topic_groups(self, index: ClaimIndex, found: "Candidates", limit: int) -> list[str]:
        """The claim groups of the retrieved sentences on the topic (sharing its terms, or as
        relevant as an answer must be), the most relevant first."""
        ranked = sorted((s for s in found.scored if s.overlap > 0 or s.relevance >= self.settings.refusal_threshold),
                        key=lambda s: -s.relevance)
        return [g for g in dict.fromkeys(index.group_of(s.record.sentence_id) for s in ranked) if g][:limit]

    def _agreement(self, question: str, found: "Candidates", timings: dict[str, float],
                   clock: float) -> Optional[Answer]:
        """A question about agreement answered from the claims: the claim on its topic and the
        claim contradicting it, each side once with its speaker and a verbatim citation per
        article (agreement.py); None when the claims hold no contradiction on the topic."""
        index = self._claims_or_none()
        if index is None:
            return None
        on_topic = self._topic_groups(index, found, len(found.scored))
        found_pair = disagreement(index, on_topic[:CLAIM_GROUPS], found.analysis.parties, self.catalogue.manifest,
                                  set(on_topic), topic_terms(found.analysis.terms))
        if found_pair is None:
            return None
        lines, citations = self._disagreement_lines(found_pair)
        if not lines:
            return None
        timings["answer"] = _ms(clock)
        return Answer(question=question, answer="\n".join(lines), mode="extractive", refused=False,
                      citations=tuple(citations), timings_ms=timings, status="answered")

    def _disagreement_lines(self, found: Disagreement) -> tuple[list[str], list[Citation]]:
        """"X says: <sentence> [1][2]" and "Y denies it: <sentence> [3]", within the answer length."""
        sides = (found.claim, found.denial)
        records = {r.sentence_id: r for r in self.store.get_sentences(
            [c.sentence_id for side in sides for c in side.claims])}
        lines: list[str] = []
        citations: list[Citation] = []
        for side, said in zip(sides, (("say", "reports"), ("deny it", "reports a denial"))):
            shown = [records[c.sentence_id] for c in side.claims if c.sentence_id in records]
            if not shown:
                return [], []
            for record in shown:
                citations.append(self.citation(len(citations) + 1, record))
            markers = "".join(f"[{n}]" for n in range(len(citations) - len(shown) + 1, len(citations) + 1))
            who = self._side_name(side)
            verb = (said[0] if plural(side.speaker) else third_person(said[0])) if side.speaker else said[1]
            lines.append(f"{who[:1].upper()}{who[1:]} {verb}: "
                         f"{extractive.line_text(shown[0])} {markers}")
        budget = self.settings.max_answer_chars - 1  # one line break between the two
        if len(lines[0]) + len(lines[1]) > budget:  # each side keeps at least half the room
            first = min(len(lines[0]), max(budget // 2, budget - len(lines[1])))
            lines = [fit_cited(lines[0], first), fit_cited(lines[1], budget - first)]
        return lines, citations

    def _side_name(self, side: Side) -> str:
        """Who makes a side's claim: its speaker, else the outlet of its first article."""
        if side.speaker:
            return side.speaker
        meta = self.catalogue.manifest.get(side.claims[0].doc_id)
        return (meta.outlet or meta.byline or meta.title) if meta else side.claims[0].doc_id

    def shared_text(self) -> dict[str, tuple[SharedText, ...]]:
        """Per article, the other articles that carry a good part of its text (copies of one wire story)."""
        return shared_text(self._claims_synced(), self.catalogue.manifest)

    def _claims_or_none(self) -> Optional[ClaimIndex]:
        """The synced claims for an answer, or None when the sync cannot read the store: the
        answer is then given without them, as ``ingest`` leaves the claims to catch up."""
        try:
            return self._claims_synced()
        except StoreError:
            return None

    def _claims_synced(self) -> ClaimIndex:
        self._refresh()
        self.claim_index.sync(self.store)
        return self.claim_index

    # ---- uploads: files a front end receives (Discord's /ingest) --------------------------------

    def upload_problem(self, filename: str, size: int) -> Optional[str]:
        """Why a file offered for upload is refused before it is downloaded, or None."""
        from .parse import SUPPORTED_SUFFIXES

        name = Path(filename).name
        if not name or name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return "only .txt and .md files can be added"
        if size > self.settings.max_file_bytes:
            return f"too large ({size:,} bytes; the limit is {self.settings.max_file_bytes:,})"
        return None

    def ingest_upload(self, staged: Path, target: Path) -> IngestReport:
        """Check a received file, move it to ``target`` and ingest it; a file that is not a
        readable article is reported as skipped and stays where it is.

        ``target`` is where the article lives from now on (the store records each article's
        path, and ``dossier ingest --prune`` drops articles whose file is gone); on the same
        file system as ``staged``, the move is atomic."""
        import os

        from .errors import FileRejected
        from .parse import read_article

        try:
            read_article(staged, self.settings.max_file_bytes)
        except FileRejected as reason:
            return IngestReport(skipped=((staged.name, str(reason)),))
        os.replace(staged, target)
        return self.ingest([target])

    # ---- links and feeds: articles fetched from the web (issue 15) ------------------------------

    def ingest_links(self, urls: Iterable[str], paths: Iterable[Path] = (), prune: bool = False,
                     progress: Optional[Progress] = None, wait: bool = True,
                     notify: Optional[Notify] = None) -> IngestReport:
        """Fetch each link's article into an article file under DOSSIER_HOME/pages and ingest
        those files together with ``paths``, in one run. A link that cannot be fetched or holds
        no article is reported as skipped with its reason, and nothing is written for it."""
        from .fetch import FetchLimits
        from .pages import fetch_pages

        pages, skipped = fetch_pages(list(urls), self._pages_dir(), FetchLimits.from_settings(self.settings),
                                     self.settings.max_file_bytes)
        report = self._ingest_pages(pages, list(paths), prune, progress, wait, notify)
        return replace(report, skipped=tuple(skipped) + report.skipped)

    def ingest_feed(self, url: str, progress: Optional[Progress] = None, wait: bool = True,
                    notify: Optional[Notify] = None) -> IngestReport:
        """Ingest the articles of an RSS or Atom feed's new and changed items (by content hash;
        index/feed.py); items seen before, unchanged and still in the store are not fetched."""
        from .errors import FetchRefused, FileRejected
        from .feed import FeedState, read_feed
        from .fetch import FetchLimits
        from .pages import Page, fetch_page

        limits = FetchLimits.from_settings(self.settings)
        try:
            items = read_feed(url, limits)
        except FetchRefused as reason:
            return IngestReport(skipped=((url, str(reason)),))
        state = FeedState.load(self.settings.home, self._collection_name(), url)
        fetched: dict[str, Page] = {}  # item key -> its article
        skipped: list[tuple[str, str]] = []
        for item in state.due(items, set(self._document_ids())):
            try:
                fetched[item.key] = fetch_page(item.link, self._pages_dir(), limits, self.settings.max_file_bytes)
            except (FetchRefused, FileRejected) as reason:
                skipped.append((item.link, str(reason)))
        pages = list({page.path: page for page in fetched.values()}.values())
        report = self._ingest_pages(pages, [], False, progress, wait, notify)
        done = set(report.added) | set(report.updated) | set(report.unchanged)
        state.save(items, {key: page.doc_id for key, page in fetched.items() if page.doc_id in done})
        return replace(report, skipped=tuple(skipped) + report.skipped)

    @staticmethod
    def is_link(source: str) -> bool:
        """Whether a source a user names is a link (``scheme://...``) rather than a file path."""
        from .fetch import is_link

        return is_link(source)

    def _document_ids(self) -> list[str]:
        self._refresh()
        return list(self.catalogue.manifest)

    def _ingest_pages(self, pages: list, paths: list[Path], prune: bool, progress: Optional[Progress],
                      wait: bool, notify: Optional[Notify]) -> IngestReport:
        """Write the pages' files and ingest them with ``paths``; the files are put back as they
        were when the ingest fails. Nothing to ingest: no run at all (a --reset is not swapped in)."""
        from .pages import written

        if not pages and not paths:
            return IngestReport()
        with written(pages) as files:
            return self.ingest(paths + files, prune=prune, progress=progress, wait=wait, notify=notify)

    def _collection_name(self) -> str:
        """The collection this engine writes to (a --reset builds it under another name first)."""
        return self.store.final_prefix or self.store.prefix

    def _pages_dir(self) -> Path:
        from .pages import pages_dir

        return pages_dir(self.settings.home, self._collection_name())


def _remembered(embed: Callable[[list[str]], np.ndarray],
                limit: int = REMEMBERED_WORDS) -> Callable[[list[str]], np.ndarray]:
    """``embed`` that keeps every word's vector (one corpus revision's question words, the
    few a question uses that the corpus does not): a word asked again is not embedded again."""
    known: dict[str, np.ndarray] = {}

    def vectors(words: list[str]) -> np.ndarray:
        # read into a dict of its own: another thread answering may clear ``known`` meanwhile
        found = {w: known.get(w) for w in words}
        new = [w for w, vector in found.items() if vector is None]
        if new:
            found.update(zip(new, embed(new)))
            if len(known) + len(new) > limit:
                known.clear()  # a long-running bot asked many distinct words: start again
            known.update((w, found[w]) for w in new)
        return np.stack([found[w] for w in words])

    return vectors


class _Nearest:
    """The sentences nearest each line of one answer, asked of the store once a line: folding
    other outlets' repeats (the nearest 8) and looking for a contradiction (the nearest
    DISPUTE_NEIGHBOURS) share one query."""

    def __init__(self, nearest: Callable[[SentenceRecord, int], list[SentenceRecord]],
                 current: Callable[[SentenceRecord], bool]) -> None:
        self._nearest, self._current = nearest, current
        self._found: dict[str, tuple[int, list[SentenceRecord]]] = {}  # sentence id -> (k asked, nearest)

    def __call__(self, record: SentenceRecord, k: int = 8) -> list[SentenceRecord]:
        asked, found = self._found.get(record.sentence_id, (0, []))
        if asked < k:
            asked = max(k, DISPUTE_NEIGHBOURS)
            found = self._nearest(record, asked)
            self._found[record.sentence_id] = (asked, found)
        return [r for r in found[:k] if self._current(r)]


def fallback_notice(outcome: Outcome) -> str:
    """What happened to the generated answer, said above the extractive answer shown instead."""
    if isinstance(outcome, Declined):
        return DECLINED_NOTICE
    reason = outcome.reason if isinstance(outcome, Fallback) else "it was not shown"
    return f"The generated answer could not be used ({reason}); this is an extractive answer."


def evidence(scored: list[extractive.ScoredSentence], vector) -> tuple[float, float, float]:
    """(best cosine, best relevance, best term overlap) over the candidates; zeros when there are none.

    A sentence's relevance is the better of its scoring relevance and the same measure with
    the whole question's cosine: scoring averages in the topic of a who-said-what or
    "respond to" question to rank, and a vague topic ("the claims") must not make the
    sentence that answers look irrelevant."""
    if not scored:
        return 0.0, 0.0, 0.0
    cosines = [float(s.record.embedding @ vector) for s in scored]
    relevance = max(max(s.relevance, cosine + extractive.OVERLAP_WEIGHT * s.overlap)
                    for s, cosine in zip(scored, cosines))
    return max(cosines), relevance, max(s.overlap for s in scored)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
