"""Generated answers: a language model writes, then every sentence is checked against what it cites.

The retrieved chunks become numbered sources ``[1]..[k]`` (title, outlet, date,
text) in the prompts ``prompts/answer_system.txt`` and ``prompts/answer_user.txt``.
The model (llama-index ``OpenAILike``: OpenAI or any compatible server) must end
every sentence with ``[n]`` markers, or reply with exactly ``SENTINEL`` when the
sources do not answer. Nothing the model writes is trusted as is:

* a marker ``[n]`` outside ``1..k`` is removed;
* for each remaining (answer sentence, cited chunk) pair, the chunk's sentence that
  best supports the answer sentence is found; the marker survives only when that
  sentence supports it (below);
* an answer sentence left with no supporting source, or with no marker at all, is
  dropped (dropped, not flagged: a reader of Dossier only sees checked claims);
* citations are renumbered in order of first appearance, one per distinct source
  sentence, and quote that sentence verbatim (``Engine.citation``).

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

When the model cannot be used (timeout, connection failure, HTTP error) or none of
its sentences survives the check, ``generate_answer`` returns ``None`` after
putting a short reason in ``timings["llm_error"]``; the engine then answers
extractively and says why.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator, Optional, Sequence, Union
from urllib.parse import urlparse

import numpy as np

from .embedder import embed_texts
from .extractive import sentence_terms, weighted_share
from .lexical import tokenize
from .models import Answer, Citation
from .parse import normalize, split_sentences
from .retrieve import Retrieved
from .settings import PROMPTS_DIR, Settings
from .store import SentenceRecord

if TYPE_CHECKING:
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai_like import OpenAILike

    from .engine import Engine
    from .extractive import ScoredSentence

SENTINEL = "INSUFFICIENT_CONTEXT"
SUPPORT_COSINE = 0.5  # cosine(answer sentence, source sentence) must be at least this ...
SUPPORT_OVERLAP = 0.5  # ... and the IDF-weighted share of answer terms found in the source at least this
CONTEXT_WINDOW = 16000
MAX_ANSWER_TOKENS = 600
NO_SUPPORT = "the model's answer had no supported citations"

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# "... shells. [1][2]" -> "... shells [1][2]." so markers stay with the sentence they close.
_MARKERS_AFTER_END = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)]*)((?:[ \t]*\[\d+(?:\s*[,;]\s*\d+)*\])+)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?\u2026])")
_LETTER = re.compile(r"[^\W\d_]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


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
class Checked:
    """The model's reply after the citation check."""

    text: str
    citations: tuple[Citation, ...]
    kept: int
    dropped: int


@dataclass(frozen=True)
class StreamEnd:
    """Last item of ``generate_answer_stream``: the checked answer, or None (see timings["llm_error"])."""

    answer: Optional[Answer]


# ---- entry points -----------------------------------------------------------------------------


def generate_answer(engine: "Engine", question: str, chunks: Sequence[Retrieved], records: Sequence[SentenceRecord],
                    scored: Sequence["ScoredSentence"], timings: dict) -> Optional[Answer]:
    """A checked generated answer, or None (reason in ``timings["llm_error"]``) so the engine extracts.

    ``scored`` is accepted for parity with the extractive path; the model sees whole chunks.
    """
    if not chunks:
        timings["llm_error"] = "no sources were retrieved"
        return None
    clock = time.perf_counter()
    try:
        response = llm_for(engine).chat(build_messages(engine, question, chunks))
        reply = response.message.content or ""
    except Exception as exc:  # any failure of the model means: fall back, say why
        timings["llm"] = _ms(clock)
        timings["llm_error"] = describe_error(exc, engine.settings)
        return None
    timings["llm"] = _ms(clock)
    return finish(engine, question, reply, chunks, records, timings)


def generate_answer_stream(engine: "Engine", question: str, chunks: Sequence[Retrieved],
                           records: Sequence[SentenceRecord], scored: Sequence["ScoredSentence"],
                           timings: dict) -> Iterator[Union[str, StreamEnd]]:
    """Yield the model's raw text deltas as they arrive, then one ``StreamEnd`` with the checked answer.

    The deltas are unchecked (they may hold sentences the check drops, or the sentinel);
    a front end shows them as provisional and replaces them with ``StreamEnd.answer``.
    """
    if not chunks:
        timings["llm_error"] = "no sources were retrieved"
        yield StreamEnd(None)
        return
    clock = time.perf_counter()
    parts: list[str] = []
    try:
        for response in llm_for(engine).stream_chat(build_messages(engine, question, chunks)):
            if response.delta:
                parts.append(response.delta)
                yield response.delta
    except Exception as exc:  # a stream can also break half-way: fall back, say why
        timings["llm"] = _ms(clock)
        timings["llm_error"] = describe_error(exc, engine.settings)
        yield StreamEnd(None)
        return
    timings["llm"] = _ms(clock)
    yield StreamEnd(finish(engine, question, "".join(parts), chunks, records, timings))


def finish(engine: "Engine", question: str, reply: str, chunks: Sequence[Retrieved],
           records: Sequence[SentenceRecord], timings: dict) -> Optional[Answer]:
    """Turn the model's reply into a refusal, a checked answer, or None (nothing survived)."""
    from .engine import REFUSAL

    clock = time.perf_counter()
    refused = is_sentinel(reply)
    checked = None if refused else check_reply(engine, reply.replace(SENTINEL, ""), chunks, records)
    timings["verify"] = _ms(clock)
    if refused or (checked is not None and not checked.kept and SENTINEL in reply):
        return Answer(question=question, answer=REFUSAL, mode="generated", refused=True, timings_ms=timings)
    assert checked is not None
    if not checked.kept:
        timings["llm_error"] = NO_SUPPORT if reply.strip() else "the model returned an empty answer"
        return None
    notice = None
    if checked.dropped:
        notice = (f"{checked.dropped} sentence(s) of the model's answer were removed: "
                  "no cited source supported them.")
    return Answer(question=question, answer=checked.text, mode="generated", refused=False,
                  citations=checked.citations, timings_ms=timings, notice=notice)


# ---- the model --------------------------------------------------------------------------------


def llm_for(engine: "Engine") -> "OpenAILike":
    """The engine's chat model, built once: the openai client keeps its connection pool."""
    if engine._llm is None:
        engine._llm = build_llm(engine.settings)
    return engine._llm


def build_llm(settings: Settings) -> "OpenAILike":
    from llama_index.llms.openai_like import OpenAILike

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused"
    return OpenAILike(model=settings.llm_model, api_base=settings.openai_base_url, api_key=key,
                      is_chat_model=True, context_window=CONTEXT_WINDOW, timeout=settings.llm_timeout,
                      max_retries=settings.llm_max_retries, temperature=0.0, max_tokens=MAX_ANSWER_TOKENS)


def describe_error(exc: BaseException, settings: Settings) -> str:
    """A short, key-free reason for the fallback notice (no traceback, no server message)."""
    import openai

    where = _server_name(settings.openai_base_url)
    if isinstance(exc, openai.APITimeoutError):
        return f"timed out after {settings.llm_timeout:g}s"
    if isinstance(exc, openai.APIStatusError):
        hint = {401: " (check OPENAI_API_KEY)", 403: " (check OPENAI_API_KEY)",
                404: f" (check DOSSIER_LLM_MODEL={settings.llm_model} and OPENAI_BASE_URL)",
                429: " (rate limited)"}.get(exc.status_code, "")
        return f"HTTP {exc.status_code} from {where}{hint}"
    if isinstance(exc, openai.APIConnectionError):
        refused = any(isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower() for e in _chain(exc))
        return f"connection refused by {where}" if refused else f"cannot connect to {where}"
    return f"{type(exc).__name__} while calling {where}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _server_name(base_url: Optional[str]) -> str:
    """host:port of the server, without any user:password part of the URL."""
    if not base_url:
        return "api.openai.com"
    parsed = urlparse(base_url)
    host = parsed.hostname or base_url
    return f"{host}:{parsed.port}" if parsed.port else host


# ---- the prompt -------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """A prompt template from prompts/; kept out of the code so it can be read and tuned."""
    return (PROMPTS_DIR / name).read_text(encoding="utf-8")


def render(template: str, **values: str) -> str:
    """Fill ``{name}`` placeholders; other braces (and braces inside values) stay as they are."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def format_sources(engine: "Engine", chunks: Sequence[Retrieved]) -> str:
    """Number the chunks [1]..[k] with the title, outlet and date of their article."""
    blocks = []
    for n, chunk in enumerate(chunks, 1):
        meta = engine._manifest.get(chunk.doc_id)
        title = meta.title if meta else chunk.doc_id
        outlet = (meta.outlet or meta.byline) if meta else None
        date = meta.date if meta else None
        blocks.append(f"[{n}] Title: {title}\nOutlet: {outlet or 'unknown'}\nDate: {date or 'undated'}\n"
                      f"Text: {chunk.text}")
    return "\n\n".join(blocks)


def build_messages(engine: "Engine", question: str, chunks: Sequence[Retrieved]) -> list["ChatMessage"]:
    from llama_index.core.llms import ChatMessage

    system = render(load_prompt("answer_system.txt"), sentinel=SENTINEL)
    user = render(load_prompt("answer_user.txt"), sources=format_sources(engine, chunks), question=question,
                  sentinel=SENTINEL)
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]


def is_sentinel(reply: str) -> bool:
    """The whole reply is the sentinel (allowing the quotes, backticks or full stop models add)."""
    return reply.strip().strip("`*\"'.:! \n") == SENTINEL


# ---- the check --------------------------------------------------------------------------------


@dataclass
class _Sentence:
    raw: str
    bare: str
    numbers: list[int]


def check_reply(engine: "Engine", reply: str, chunks: Sequence[Retrieved],
                records: Sequence[SentenceRecord]) -> Checked:
    """Keep the sentences a cited source supports, cite the supporting sentences, renumber."""
    paragraphs = [split_reply(p) for p in reply.splitlines() if p.strip()]
    sentences = [s for p in paragraphs for s in p]
    by_chunk = chunk_records(chunks, records)
    candidates = [s for s in sentences if s.numbers and _LETTER.search(s.bare)]
    vectors = embed_texts(engine.embedder, [s.bare for s in candidates]) if candidates else np.zeros((0, 1))
    vector_of = {id(s): v for s, v in zip(candidates, vectors)}
    numbering: dict[str, int] = {}
    citations: list[Citation] = []
    out_paragraphs, kept, dropped = [], 0, 0
    for paragraph in paragraphs:
        out = []
        for sentence in paragraph:
            vector = vector_of.get(id(sentence))
            support = {} if vector is None else supported_sources(engine, sentence, vector, by_chunk)
            if not support:
                dropped += 1
                continue
            for n in sentence.numbers:
                record = support.get(n)
                if record is not None and record.sentence_id not in numbering:
                    numbering[record.sentence_id] = len(citations) + 1
                    citations.append(engine.citation(len(citations) + 1, record))
            out.append(rewrite_markers(sentence.raw, support, numbering))
            kept += 1
        if out:
            out_paragraphs.append(" ".join(out))
    return Checked(text="\n".join(out_paragraphs), citations=tuple(citations), kept=kept, dropped=dropped)


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


def chunk_records(chunks: Sequence[Retrieved], records: Sequence[SentenceRecord]) -> dict[int, list[SentenceRecord]]:
    """Source number -> that chunk's sentences (only those, so a marker is checked against its own chunk)."""
    by_id = {r.sentence_id: r for r in records}
    return {n: [by_id[s] for s in chunk.sentence_ids if s in by_id] for n, chunk in enumerate(chunks, 1)}


def supported_sources(engine: "Engine", sentence: _Sentence, vector: np.ndarray,
                      by_chunk: dict[int, list[SentenceRecord]]) -> dict[int, SentenceRecord]:
    """Cited number -> its best supporting source sentence, for the numbers that are valid and supported."""
    result = {}
    for n in sentence.numbers:
        best = best_support(engine, sentence.bare, vector, by_chunk.get(n, []))
        if best is not None and best.supported:
            result[n] = best.record
    return result


def best_support(engine: "Engine", text: str, vector: np.ndarray,
                 candidates: Sequence[SentenceRecord]) -> Optional[Support]:
    """The candidate that supports ``text`` best (largest margin over the thresholds)."""
    scores = [measure(engine, text, vector, r) for r in candidates]
    return max(scores, key=lambda s: (s.supported, s.margin), default=None)


def measure(engine: "Engine", text: str, vector: np.ndarray, record: SentenceRecord) -> Support:
    """Cosine and IDF-weighted term overlap of an answer sentence against one source sentence."""
    return Support(record=record, cosine=float(vector @ record.embedding),
                   overlap=idf_overlap(text, record, engine.lexical.idf),
                   numbers_ok=numbers(text) <= allowed_numbers(engine, record))


def numbers(text: str) -> set[str]:
    """The numbers written in digits ("10", "100,000", "3.5"): a changed number changes the claim."""
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(text)}


def allowed_numbers(engine: "Engine", record: SentenceRecord) -> set[str]:
    """Numbers a sentence citing ``record`` may use: the sentence's own, and its article's title and date."""
    meta = engine._manifest.get(record.doc_id)
    extra = f"{meta.title} {(meta.date or '').replace('-', ' ')}" if meta else ""
    return numbers(record.text) | numbers(extra)


def idf_overlap(text: str, record: SentenceRecord, idf: Any) -> float:
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


def condense_question(engine: "Engine", question: str, history: list[tuple[str, str]]) -> str:
    """Rewrite a follow-up into a standalone question with the LLM (prompts/condense.txt)."""
    from llama_index.core.llms import ChatMessage

    turns = "\n".join(f"Q: {q}\nA: {a}" for q, a in history[-4:])
    prompt = render(load_prompt("condense.txt"), history=turns, question=question)
    reply = llm_for(engine).chat([ChatMessage(role="user", content=prompt)])
    text = (reply.message.content or "").strip().strip('"')
    return text.splitlines()[0] if text else question
