"""Generated answers: a language model writes, then every sentence is checked against what it cites.

The retrieved chunks become numbered sources ``[1]..[k]`` (title, outlet, date,
text), each fenced in ``<source>`` tags, in the prompts ``prompts/answer_system.txt`` and ``prompts/answer_user.txt``.
The model (``index/chat.py``: OpenAI or any compatible server) must end
every sentence with ``[n]`` markers, or reply with exactly ``SENTINEL`` when the
sources do not answer. Nothing the model writes is trusted as is:

* a marker ``[n]`` outside ``1..k`` is removed;
* for each remaining (answer sentence, cited chunk) pair, the chunk's sentence that
  best supports the answer sentence is found; the marker survives only when that
  sentence supports it (below);
* an answer sentence left with no supporting source, or with no marker at all, is
  dropped (dropped, not flagged: a reader of Dossier only sees checked claims);
* citations are renumbered in order of first appearance, one per distinct source
  sentence, and quote that sentence verbatim (the ``cite`` collaborator).

Support is judged locally, with no extra model. A source sentence supports an
answer sentence (markers removed) when all three hold:

    cosine(answer, source) >= SUPPORT_COSINE   (0.5; the index's own MiniLM embedder)
    idf_overlap            >= SUPPORT_OVERLAP  (0.5)
    every number written in digits in the answer occurs in the source sentence
    (or in its article's title or date)

``idf_overlap`` is the IDF-weighted share of the answer sentence's content terms
(``lexical.tokenize``: stemmed, stop words removed) found in the source sentence or
its speaker's name; terms the corpus never uses get the rarest IDF, so an invented
name or thing weighs heavily against support.

Why both, and not either: measured on the seed corpus (48 hand-written sentences,
each scored against the sentences of the chunk it cites; 16 of them are kept as
``test_support_thresholds_on_the_seed_corpus``), faithful close paraphrases score
cosine 0.54-0.95 and overlap 0.53-1.0 against their source sentence, but fabrications that
cite a chunk on the same topic also reach cosine 0.82 ("North Korea fired 50
missiles at Japan") or overlap 0.60 ("Ned Price said the US would never impose
sanctions"): MiniLM rates any same-topic sentence similar, and word overlap misses
a changed topic. "Either >= 0.55 / 0.5" kept 11 of 22 such fabrications; "both
>= 0.5" plus the number rule keeps 2 of 22 (meaning flips that reuse the source's
words, which only an entailment model would catch) and drops 2 of 26 faithful
sentences (synonym-heavy paraphrases, overlap 0.17 and 0.27: the prompt asks the model
to stay close to the sources' wording).

Articles are data, never instructions (``index/injection.py``): the sources are fenced
in the prompt as quoted material, and an answer is refused as a whole when one of its
sentences repeats an instruction found in a source, or when none of its kept sentences
addresses the question (``Request.addresses``, the question analysis's check that a
sentence carries what the question asks about): an answer can overlap its source and
still not answer.

The answer is bounded like every answer (``index/bounds.py``): whole sentences past
``max_chars`` are left out with their citations, and a first sentence longer than that
is cut at a word boundary with "…" (its markers kept; the cited source sentence is
quoted whole, so the shown text is marked as an excerpt of a verbatim span).

Nothing here reads engine state: ``Generation`` receives the chat client, the support
scorer and the citation maker, ``Request`` the question and its candidates, and each
call returns an ``Outcome``: ``Generated`` (a checked answer or the model's refusal) or
``Fallback`` with the reason the engine shows before its extractive answer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterator, Optional, Sequence, Union

import numpy as np

from .bounds import fit_cited
from .chat import ChatClient, ChatError, Message
from .deadline import Budget
from .embedder import Embedder
from .extractive import sentence_terms, weighted_share
from .injection import instructions, repeats
from .lexical import tokenize
from .models import REFUSAL, Answer, Citation, DocumentMeta, RetrievalHit, SentenceRecord
from .parse import normalize, split_sentences
from .settings import PROMPTS_DIR

SENTINEL = "INSUFFICIENT_CONTEXT"
SUPPORT_COSINE = 0.5  # cosine(answer sentence, source sentence) must be at least this ...
SUPPORT_OVERLAP = 0.5  # ... and the IDF-weighted share of answer terms found in the source at least this
NO_SUPPORT = "the model's answer had no supported citations"
OBEYED_SOURCE = ("the model's answer repeated an instruction found in an article; "
                 "articles are quoted material, never instructions")
OFF_QUESTION = "the model's answer does not address the question"

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# "... ferries. [1][2]" -> "... ferries [1][2]." so markers stay with the sentence they close.
_MARKERS_AFTER_END = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)]*)((?:[ \t]*\[\d+(?:\s*[,;]\s*\d+)*\])+)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?\u2026])")
_LETTER = re.compile(r"[^\W\d_]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Text inside a source that would close (or open) its fence is defused, so an article cannot
# end the quoted block and write outside it.
_FENCE = re.compile(r"<(/?)(source)", re.IGNORECASE)


# ---- what generation is given, and what it returns ---------------------------------------------


@dataclass(frozen=True)
class Support:
    """How well one source sentence supports one answer sentence."""

    record: SentenceRecord
    cosine: float
    overlap: float
    numbers_ok: bool  # every number of the answer sentence occurs in the source sentence

    @property
    def margin(self) -> float:
        """Distance above the nearer threshold; >= 0 means supported (numbers permitting)."""
        return min(self.cosine - SUPPORT_COSINE, self.overlap - SUPPORT_OVERLAP)

    @property
    def supported(self) -> bool:
        return self.numbers_ok and self.margin >= 0


@dataclass(frozen=True)
class SupportScorer:
    """Judges whether a source sentence supports an answer sentence (no extra model).

    Shared by the answer check and ``dossier eval``'s judge, so both apply one rule."""

    embedder: Embedder
    idf: Callable[[str], float]  # the corpus's term weights
    meta: Callable[[str], Optional[DocumentMeta]]  # an article's metadata, for the numbers of its title and date

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def measure(self, text: str, vector: np.ndarray, record: SentenceRecord) -> Support:
        """Cosine and IDF-weighted term overlap of an answer sentence against one source sentence."""
        return Support(record=record, cosine=float(vector @ record.embedding),
                       overlap=idf_overlap(text, record, self.idf),
                       numbers_ok=numbers(text) <= self.allowed_numbers(record))

    def best(self, text: str, vector: np.ndarray, candidates: Sequence[SentenceRecord]) -> Optional[Support]:
        """The candidate that supports ``text`` best (largest margin over the thresholds)."""
        scores = [self.measure(text, vector, r) for r in candidates]
        return max(scores, key=lambda s: (s.supported, s.margin), default=None)

    def allowed_numbers(self, record: SentenceRecord) -> set[str]:
        """Numbers a sentence citing ``record`` may use: the sentence's own, and its article's title and date."""
        meta = self.meta(record.doc_id)
        extra = f"{meta.title} {(meta.date or '').replace('-', ' ')}" if meta else ""
        return numbers(record.text) | numbers(extra)


@dataclass(frozen=True)
class Request:
    """One question to answer from its retrieved candidates."""

    question: str  # standalone (a follow-up already resolved)
    chunks: Sequence[RetrievalHit]  # numbered [1]..[k] in the prompt
    records: Sequence[SentenceRecord]  # the chunks' sentences
    # Whether an answer sentence (its text, the cited sentence's speaker) addresses the
    # question's focus: the question analysis's ``addresses`` bound to this question.
    addresses: Callable[[str, str], bool] = lambda text, speaker: True


@dataclass(frozen=True)
class Generated:
    """A checked generated answer, or the model's own refusal."""

    answer: Answer
    timings_ms: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Fallback:
    """The generated answer cannot be shown; ``reason`` says why, in a few words."""

    reason: str
    timings_ms: dict = field(default_factory=dict)


Outcome = Union[Generated, Fallback]


@dataclass(frozen=True)
class Checked:
    """The model's reply after the citation check."""

    text: str
    citations: tuple[Citation, ...]
    kept: int
    dropped: int
    obeyed_source: bool = False  # a sentence repeated an instruction found in a source
    addresses_question: bool = True  # at least one kept sentence addresses the question
    shortened: bool = False  # sentences were left out, or the first cut, to keep max_chars


@dataclass(frozen=True)
class Generation:
    """Writes answers with a chat model and checks them: everything it needs, passed in."""

    chat: ChatClient
    scorer: SupportScorer
    cite: Callable[[int, SentenceRecord], Citation]  # numbered citation of a source sentence, quoting it
    max_chars: int  # DOSSIER_MAX_ANSWER_CHARS

    def answer(self, request: Request, budget: Budget) -> Outcome:
        """A checked answer, the model's refusal, or a fallback with its reason."""
        if not request.chunks:
            return Fallback("no sources were retrieved")
        clock = time.perf_counter()
        try:
            reply = self.chat.complete(build_messages(request, self.scorer.meta), budget)
        except ChatError as error:
            return Fallback(error.reason, {"llm": _ms(clock)})
        return self.finish(request, reply, {"llm": _ms(clock)})

    def stream(self, request: Request, budget: Budget) -> Iterator[Union[str, Outcome]]:
        """The model's raw text deltas as they arrive, then one ``Outcome``.

        The deltas are unchecked (they may hold sentences the check drops, or the sentinel);
        a front end shows them as provisional and replaces them with the outcome's answer."""
        if not request.chunks:
            yield Fallback("no sources were retrieved")
            return
        clock = time.perf_counter()
        parts: list[str] = []
        try:
            for delta in self.chat.stream(build_messages(request, self.scorer.meta), budget):
                parts.append(delta)
                yield delta
        except ChatError as error:  # a stream can also break half-way: fall back, say why
            yield Fallback(error.reason, {"llm": _ms(clock)})
            return
        yield self.finish(request, "".join(parts), {"llm": _ms(clock)})

    def finish(self, request: Request, reply: str, timings: dict) -> Outcome:
        """Turn the model's reply into a refusal, a checked answer, or a fallback."""
        clock = time.perf_counter()
        refused = is_sentinel(reply)
        checked = None if refused else self.check(request, reply.replace(SENTINEL, ""))
        timings = {**timings, "verify": _ms(clock)}
        if refused or (checked is not None and not checked.kept and SENTINEL in reply):
            return Generated(Answer(question=request.question, answer=REFUSAL, mode="generated", refused=True),
                             timings)
        assert checked is not None
        if checked.obeyed_source:
            return Fallback(OBEYED_SOURCE, timings)
        if not checked.kept:
            return Fallback(NO_SUPPORT if reply.strip() else "the model returned an empty answer", timings)
        if not checked.addresses_question:
            return Fallback(OFF_QUESTION, timings)
        notes = []
        if checked.dropped:
            notes.append(f"{checked.dropped} sentence(s) of the model's answer were removed: "
                         "no cited source supported them.")
        if checked.shortened:
            notes.append(f"The answer was shortened to {self.max_chars} characters (DOSSIER_MAX_ANSWER_CHARS).")
        notice = " ".join(notes) or None
        return Generated(Answer(question=request.question, answer=checked.text, mode="generated", refused=False,
                                citations=checked.citations, notice=notice), timings)

    def check(self, request: Request, reply: str) -> Checked:
        """Keep the sentences a cited source supports, cite the supporting sentences, renumber,
        and stop at ``max_chars``."""
        paragraphs = [split_reply(p) for p in reply.splitlines() if p.strip()]
        supports = self.supports(request, [s for p in paragraphs for s in p])
        commands = instructions(r.text for r in request.records)
        out = _Bounded(self.cite, self.max_chars)
        dropped, obeyed, addressed = 0, False, False
        for paragraph in paragraphs:
            out.new_paragraph()
            for sentence in paragraph:
                support = supports.get(id(sentence))
                if not support:
                    dropped += 1
                    continue
                # Judged on every supported sentence, shown or not: one obeyed instruction spoils the reply.
                obeyed = obeyed or repeats(sentence.bare, commands, request.question)
                addressed = addressed or any(request.addresses(sentence.bare, r.speaker) for r in support.values())
                out.add(sentence, support)
        return Checked(text=out.text(), citations=tuple(out.citations), kept=out.kept, dropped=dropped,
                       obeyed_source=obeyed, addresses_question=addressed, shortened=out.full)

    def supports(self, request: Request, sentences: list["_Sentence"]) -> dict[int, dict[int, SentenceRecord]]:
        """id(sentence) -> its cited numbers that a sentence of their chunk supports, each with that sentence."""
        by_chunk = chunk_records(request.chunks, request.records)
        candidates = [s for s in sentences if s.numbers and _LETTER.search(s.bare)]
        vectors = self.scorer.embed([s.bare for s in candidates]) if candidates else np.zeros((0, 1))
        return {id(s): supported_sources(self.scorer, s, v, by_chunk) for s, v in zip(candidates, vectors)}


class _Bounded:
    """The checked answer as it is written: citations numbered in order of first use, and
    nothing past ``max_chars`` (later sentences left out uncited, a first one too long cut)."""

    def __init__(self, cite: Callable[[int, SentenceRecord], Citation], max_chars: int) -> None:
        self.cite = cite
        self.max_chars = max_chars
        self.numbering: dict[str, int] = {}
        self.citations: list[Citation] = []
        self.paragraphs: list[list[str]] = []
        self.length = self.kept = 0
        self.full = False

    def new_paragraph(self) -> None:
        self.paragraphs.append([])

    def add(self, sentence: "_Sentence", support: dict[int, SentenceRecord]) -> None:
        numbering = dict(self.numbering)
        for record in (support[n] for n in sentence.numbers if n in support):
            numbering.setdefault(record.sentence_id, len(numbering) + 1)
        text = rewrite_markers(sentence.raw, support, numbering)
        room = self.max_chars - self.length - (1 if self.length else 0)
        if self.full or (self.kept and len(text) > room):
            self.full = True
            return
        cited = {r.sentence_id: r for r in support.values()}
        self.citations.extend(self.cite(n, cited[sid]) for sid, n in numbering.items() if sid not in self.numbering)
        self.numbering = numbering
        shown = fit_cited(text, room)
        self.full = shown != text
        self.paragraphs[-1].append(shown)
        self.length += len(shown) + (1 if self.length else 0)
        self.kept += 1

    def text(self) -> str:
        return "\n".join(" ".join(p) for p in self.paragraphs if p)


def condense(chat: ChatClient, question: str, history: list[tuple[str, str]], budget: Budget) -> str:
    """Rewrite a follow-up into a standalone question with the model (prompts/condense.txt).

    Raises ChatError; what it spent is noted in the budget, so the answer's notice can say so."""
    turns = "\n".join(f"Q: {q}\nA: {a}" for q, a in history[-4:])
    prompt = render(load_prompt("condense.txt"), history=turns, question=question)
    clock = time.monotonic()
    try:
        reply = chat.complete([{"role": "user", "content": prompt}], budget)
    except ChatError as error:
        short = error.reason.split(" (")[0]  # "timed out after 30s", "HTTP 500 from host:port"
        budget.note(f"the follow-up's rewrite took {time.monotonic() - clock:.1f}s and failed ({short})")
        raise
    text = (reply or "").strip().strip('"')
    return text.splitlines()[0] if text else question


# ---- the prompt -------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """A prompt template from prompts/; kept out of the code so it can be read and tuned."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


def render(template: str, **values: str) -> str:
    """Fill ``{name}`` placeholders; other braces (and braces inside values) stay as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def quoted(text: str) -> str:
    """Source text made safe to put inside a ``<source>`` fence."""
    return _FENCE.sub(lambda m: f"<{m.group(1)}\u200b{m.group(2)}", text)


def format_sources(chunks: Sequence[RetrievalHit], meta: Callable[[str], Optional[DocumentMeta]]) -> str:
    """Number the chunks [1]..[k] with the title, outlet and date of their article, each
    fenced as quoted material."""
    blocks = []
    for n, chunk in enumerate(chunks, 1):
        info = meta(chunk.doc_id)
        title = info.title if info else chunk.doc_id
        outlet = (info.outlet or info.byline) if info else None
        date = info.date if info else None
        blocks.append(f'<source id="{n}">\n[{n}] Title: {quoted(title)}\nOutlet: {quoted(outlet or "unknown")}\n'
                      f"Date: {date or 'undated'}\nText: {quoted(chunk.text)}\n</source>")
    return "\n\n".join(blocks)


def build_messages(request: Request, meta: Callable[[str], Optional[DocumentMeta]]) -> list[Message]:
    system = render(load_prompt("answer_system.txt"), sentinel=SENTINEL)
    user = render(load_prompt("answer_user.txt"), sources=format_sources(request.chunks, meta),
                  question=request.question, sentinel=SENTINEL)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def is_sentinel(reply: str) -> bool:
    """The whole reply is the sentinel (allowing the quotes, backticks or full stop models add)."""
    return reply.strip().strip("`*\"'.:! \n") == SENTINEL


# ---- the check --------------------------------------------------------------------------------


@dataclass
class _Sentence:
    raw: str
    bare: str
    numbers: list[int]


def split_reply(paragraph: str) -> list[_Sentence]:
    """Sentences of one paragraph, each with its cited numbers (in order, distinct)."""
    text = _MARKERS_AFTER_END.sub(lambda m: " " + "".join(m.group(2).split()) + m.group(1), paragraph.strip())
    result = []
    for start, end in split_sentences(text, 0, len(text)):
        raw = text[start:end]
        numbers = [int(n) for group in _MARKER.findall(raw) for n in re.split(r"\s*[,;]\s*", group)]
        bare = normalize(_SPACE_BEFORE_PUNCT.sub(r"\1", _MARKER.sub(" ", raw)))
        result.append(_Sentence(raw=raw, bare=bare, numbers=list(dict.fromkeys(numbers))))
    return result


def chunk_records(chunks: Sequence[RetrievalHit], records: Sequence[SentenceRecord]) -> dict[int, list[SentenceRecord]]:
    """Source number -> that chunk's sentences (only those, so a marker is checked against its own chunk)."""
    by_id = {r.sentence_id: r for r in records}
    return {n: [by_id[s] for s in chunk.sentence_ids if s in by_id] for n, chunk in enumerate(chunks, 1)}


def supported_sources(scorer: SupportScorer, sentence: _Sentence, vector: np.ndarray,
                      by_chunk: dict[int, list[SentenceRecord]]) -> dict[int, SentenceRecord]:
    """Cited number -> its best supporting source sentence, for the numbers that are valid and supported."""
    result = {}
    for n in sentence.numbers:
        best = scorer.best(sentence.bare, vector, by_chunk.get(n, []))
        if best is not None and best.supported:
            result[n] = best.record
    return result


def numbers(text: str) -> set[str]:
    """The numbers written in digits ("10", "100,000", "3.5"): a changed number changes the claim."""
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(text)}


def idf_overlap(text: str, record: SentenceRecord, idf: Callable[[str], float]) -> float:
    """IDF-weighted share of ``text``'s content terms found in the source sentence (or its speaker)."""
    return weighted_share({t: idf(t) for t in tokenize(text)}, sentence_terms(record))


def rewrite_markers(raw: str, support: dict[int, SentenceRecord], numbering: dict[str, int]) -> str:
    """Replace each marker group by the new numbers of its supported sources; drop the rest."""
    seen: set[int] = set()

    def replace(match: re.Match) -> str:
        new = []
        for n in (int(x) for x in re.split(r"\s*[,;]\s*", match.group(1))):
            record = support.get(n)
            if record is not None and numbering[record.sentence_id] not in seen:
                seen.add(numbering[record.sentence_id])
                new.append(numbering[record.sentence_id])
        return "".join(f"[{m}]" for m in new)

    text = _MARKER.sub(replace, raw)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip()



def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
