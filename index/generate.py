"""Generated answers: a language model writes, then every sentence is checked against the prompt's sources.

The first ``DOSSIER_LLM_CHUNKS`` retrieved chunks become numbered sources ``[1]..[k]`` (title,
outlet, date, text), each fenced in ``<source>`` tags, in the prompts
``prompts/answer_system.txt`` and ``prompts/answer_user.txt``. The system prompt and the
opening instructions never change and the sources and the question come last, so a local
server (llama.cpp) reuses its cache of that prefix from one question to the next. The model
(``index/chat.py``: OpenAI or any compatible server) must end every sentence with ``[n]``
markers, or reply with exactly ``SENTINEL`` when the sources do not answer.

Nothing the model writes is trusted as is, but a right sentence is not thrown away for a
wrong number. The check repairs what can be repaired and drops the rest:

* a marker ``[n]`` outside ``1..k`` is removed;
* a sentence without markers takes those of the next marked sentence on its line (the rule
  ``dossier eval``'s judge reads answers with, index/eval/judge.py);
* each cited source is searched for the sentence that supports the answer sentence best;
  a source's article title counts as one of its sentences (claims taken from headlines),
  cited verbatim from the article file;
* when no cited source supports it, the sentence is re-pointed to the prompt source that
  does (right sentence, wrong number), and dropped only when none does;
* a leading he/she is annotated with the person of the supporting source sentence, as the
  extractive answers show it ("He [Ortiz] said ..."); when that sentence names nobody, the
  pronoun cannot be settled and the sentence is dropped;
* a supported sentence that does not address the question (the question analysis's
  ``addresses``, shared with the extractive answers) is dropped;
* citations are renumbered in order of first appearance, one per distinct source
  sentence, and quote that sentence verbatim (the ``cite`` collaborator).

Support is judged locally, with no extra model. Cosine (the index's own MiniLM embedder)
and ``idf_overlap`` are measured here (``SupportScorer``); ``faithful.judge`` then decides: both
at least 0.5 (a short sentence whose every term is in the source passes lower), and none of
the meaning flips those figures cannot see: a quotation not verbatim in the source, a number
(digits, number words, months, weekdays, ordinals) the source does not state, a negation or
hedge changed, an attribution dropped or given to another speaker, a claim stated wider than
the source. A number may come from the source sentence or its article's title or date. The
same scorer is ``dossier eval``'s support judge.

``idf_overlap`` is the IDF-weighted share of the answer sentence's content terms
(``lexical.tokenize``: stemmed, stop words removed) found in the source sentence or
its speaker's name; terms the corpus never uses get the rarest IDF, so an invented
name or thing weighs heavily against support.

Why both figures, and not either: measured on the seed corpus (48 hand-written sentences,
each scored against the sentences of the chunk it cites; 16 of them are kept as
``test_support_thresholds_on_the_seed_corpus``), faithful close paraphrases score
cosine 0.54-0.95 and overlap 0.53-1.0 against their source sentence, but fabrications that
cite a chunk on the same topic also reach cosine 0.82 (a wrong count of an event the
chunk reports) or overlap 0.60 (a speaker given words they never
said): MiniLM rates any same-topic sentence similar, and word overlap misses
a changed topic. "Either >= 0.55 / 0.5" kept 11 of 22 such fabrications; "both
>= 0.5" plus the number rule keeps 2 of 22 (the meaning flips the judge's rules are for).

Articles are data, never instructions (``index/injection.py``): the sources are fenced
in the prompt as quoted material, and an answer is refused as a whole when one of its
sentences repeats an instruction found in a source.

The answer is bounded like every answer (``index/bounds.py``): whole sentences past
``max_chars`` are left out with their citations, and a first sentence longer than that
is cut at a word boundary with "…" (its markers kept; the cited source sentence is
quoted whole, so the shown text is marked as an excerpt of a verbatim span).

Nothing here reads engine state: ``Generation`` receives the chat client, the support
scorer and the citation maker, ``Request`` the question and its sources, and each call
returns an ``Outcome``: ``Generated`` (a checked answer), ``Declined`` (the model's sentinel)
or ``Fallback`` with the reason the engine shows before its extractive answer. Each carries
the model's ``Draft`` (its raw reply and what became of it) for ``dossier eval``.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, Sequence, Union

import numpy as np

from .attribution import subject_pronoun
from .bounds import fit_cited
from .chat import ChatClient, ChatError, Message
from .deadline import Budget
from .embedder import Embedder
from .errors import FileRejected
from .extractive import sentence_terms, weighted_share
from .faithful import SUPPORT_COSINE, SUPPORT_OVERLAP, credit_for, judge
from .injection import instructions, repeats
from .lexical import tokenize
from .models import Answer, Citation, DocumentMeta, Draft, DraftOutcome, RetrievalHit, SentenceRecord
from .parse import normalize, read_article, split_sentences
from .settings import PROMPTS_DIR

SENTINEL = "INSUFFICIENT_CONTEXT"
NO_SUPPORT = "the model's answer had no supported citations"
OBEYED_SOURCE = ("the model's answer repeated an instruction found in an article; "
                 "articles are quoted material, never instructions")
OFF_QUESTION = "the model's answer does not address the question"
# Why a sentence of the model's answer is not shown (the notice counts them by reason).
UNSUPPORTED = "unsupported"  # no source in the prompt supports it (or its he/she names nobody)
OFF_FOCUS = "off-question"  # supported, but it does not address what was asked

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# "... ferries. [1][2]" -> "... ferries [1][2]." so markers stay with the sentence they close.
_MARKERS_AFTER_END = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)]*)((?:[ \t]*\[\d+(?:\s*[,;]\s*\d+)*\])+)")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?\u2026])")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)]*$")
# "He [Ortiz] said": the person an answer line names for its pronoun (extractive.line_text).
_ANNOTATION = re.compile(r"\[([^\]\d][^\]]*)\]")
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
    reason: str = "ok"  # the verdict on the pair: "ok", or the rule it failed
    credited: str = ""  # supported once credited to this speaker ("..., according to X"): ``credit``

    @property
    def numbers_ok(self) -> bool:
        """Every number of the answer sentence is one the source states (in digits or words: the judge's rule)."""
        return self.reason != "number-mismatch"

    @property
    def margin(self) -> float:
        """Distance above the nearer threshold, to rank the sentences that support."""
        return min(self.cosine - SUPPORT_COSINE, self.overlap - SUPPORT_OVERLAP)

    @property
    def supported(self) -> bool:
        return self.reason == "ok"


@dataclass(frozen=True)
class SupportScorer:
    """Judges whether a source sentence supports an answer sentence (no extra model).

    Shared by the answer check and ``dossier eval``'s judge, so both apply one rule."""

    embedder: Embedder
    idf: Callable[[str], float]  # the corpus's term weights
    meta: Callable[[str], Optional[DocumentMeta]]  # an article's metadata, for the numbers of its title and date
    speakers: frozenset[str] = frozenset()  # the corpus's people, to see whom an answer sentence names

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(texts)

    def measure(self, text: str, vector: np.ndarray, record: SentenceRecord,
                named: Optional[frozenset[str]] = None) -> Support:
        """Cosine, IDF-weighted term overlap and the verdict of an answer sentence against one
        source sentence; ``named``: the people the answer sentence names (found in it by default)."""
        cosine, overlap = float(vector @ record.embedding), idf_overlap(text, record, self.idf)
        context = self.context(record)
        reason = judge(text, record.text, cosine=cosine, overlap=overlap, source_speaker=record.speaker or None,
                       sentence_speakers=self.named(text) if named is None else named, context=context).reason
        return Support(record=record, cosine=cosine, overlap=overlap, reason=reason)

    def best(self, text: str, vector: np.ndarray, candidates: Sequence[SentenceRecord],
             named: Optional[frozenset[str]] = None) -> Optional[Support]:
        """The candidate that supports ``text`` best (supported first, then the largest margin)."""
        scores = [self.measure(text, vector, r, named) for r in candidates]
        return max(scores, key=lambda s: (s.supported, s.margin), default=None)

    def context(self, record: SentenceRecord) -> str:
        """The article's title and date: their numbers a sentence citing ``record`` may use too."""
        meta = self.meta(record.doc_id)
        return f"{meta.title} {(meta.date or '').replace('-', ' ')}" if meta else ""

    def named(self, text: str) -> frozenset[str]:
        """The people an answer sentence names: corpus speakers in its words, and "[Name]" annotations."""
        found = {m.group(1).strip() for m in _ANNOTATION.finditer(text)}
        found |= {s for s in self.speakers if s in text and re.search(rf"\b{re.escape(s)}\b", text)}
        return frozenset(found)


@dataclass(frozen=True)
class DisputeNote:
    """Source ``claim`` states something that source ``denial`` contradicts, with who says each
    ('' for the outlet itself); 0 for a side in an article not among the sources."""

    claim: int
    claim_speaker: str
    denial: int
    denial_speaker: str


@dataclass(frozen=True)
class Request:
    """One question to answer from the sources put in its prompt."""

    question: str  # standalone (a follow-up already resolved)
    chunks: Sequence[RetrievalHit]  # numbered [1]..[k] in the prompt
    records: Sequence[SentenceRecord]  # the chunks' sentences
    # Whether an answer sentence (its text, the speaker and text of the source sentence that
    # supports it) addresses the question: the question analysis bound to this question.
    # The candidate must be in the answer sentence; the focus may be in either, since the
    # answer is a faithful rewording of the source ("was carrying 4,679 TEU" for "its cargo").
    addresses: Callable[[str, str, str], bool] = lambda text, speaker, source: True
    # doc_id -> its article's title as a checkable sentence (``title_record``), for the
    # claims a model takes from the headlines shown in the prompt.
    titles: Mapping[str, SentenceRecord] = field(default_factory=dict)
    # Contradictions between claims in the sources (claims.py), noted after the sources so the
    # model can report both sides with who holds each (``disputed_note``).
    disputes: Sequence["DisputeNote"] = ()

    def draft(self, outcome: DraftOutcome, reply: str) -> Draft:
        return Draft(outcome=outcome, reply=reply,
                     sources=tuple((c.doc_id, tuple(c.sentence_ids)) for c in self.chunks))


@dataclass(frozen=True)
class Generated:
    """A checked generated answer."""

    answer: Answer
    timings_ms: dict = field(default_factory=dict)

    @property
    def draft(self) -> Optional[Draft]:
        return self.answer.draft


@dataclass(frozen=True)
class Declined:
    """The model replied with the sentinel: in its reading, the sources do not answer."""

    timings_ms: dict = field(default_factory=dict)
    draft: Optional[Draft] = None


@dataclass(frozen=True)
class Fallback:
    """The generated answer cannot be shown; ``reason`` says why, in a few words."""

    reason: str
    timings_ms: dict = field(default_factory=dict)
    draft: Optional[Draft] = None


Outcome = Union[Generated, Declined, Fallback]


@dataclass(frozen=True)
class Checked:
    """The model's reply after the citation check."""

    text: str
    citations: tuple[Citation, ...]
    kept: int
    dropped: int
    obeyed_source: bool = False  # a sentence repeated an instruction found in a source
    shortened: bool = False  # sentences were left out, or the first cut, to keep max_chars
    repaired: int = 0  # shown sentences the check changed (markers re-pointed or taken over, a pronoun named)
    drops: tuple[tuple[str, int], ...] = ()  # (reason, sentences) for the dropped ones

    @property
    def addresses_question(self) -> bool:
        """Something is shown, or at least nothing was dropped for missing the question."""
        return bool(self.kept) or not dict(self.drops).get(OFF_FOCUS)


@dataclass(frozen=True)
class Generation:
    """Writes answers with a chat model and checks them: everything it needs, passed in."""

    chat: ChatClient
    scorer: SupportScorer
    cite: Callable[[int, SentenceRecord], Citation]  # numbered citation of a source sentence, quoting it
    max_chars: int  # DOSSIER_MAX_ANSWER_CHARS

    def answer(self, request: Request, budget: Budget) -> Outcome:
        """A checked answer, the model's decline, or a fallback with its reason."""
        if not request.chunks:
            return Fallback("no sources were retrieved")
        clock = time.perf_counter()
        try:
            reply = self.chat.complete(build_messages(request, self.scorer.meta), budget)
        except ChatError as error:
            return Fallback(error.reason, {"llm": _ms(clock)}, request.draft("fallback", ""))
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
            yield Fallback(error.reason, {"llm": _ms(clock)}, request.draft("fallback", "".join(parts)))
            return
        yield self.finish(request, "".join(parts), {"llm": _ms(clock)})

    def finish(self, request: Request, reply: str, timings: dict) -> Outcome:
        """Turn the model's reply into a decline, a checked answer, or a fallback."""
        clock = time.perf_counter()
        refused = is_sentinel(reply)
        checked = None if refused else self.check(request, reply.replace(SENTINEL, ""))
        timings = {**timings, "verify": _ms(clock)}
        if checked is None or (not checked.kept and SENTINEL in reply):
            return Declined(timings, request.draft("declined", reply))
        fallback = request.draft("fallback", reply)
        if checked.obeyed_source:
            return Fallback(OBEYED_SOURCE, timings, fallback)
        if not checked.kept:
            reason = (OFF_QUESTION if not checked.addresses_question else
                      NO_SUPPORT if reply.strip() else "the model returned an empty answer")
            return Fallback(reason, timings, fallback)
        notes = [removed_note(checked.drops)] if checked.dropped else []
        if checked.shortened:
            notes.append(f"The answer was shortened to {self.max_chars} characters (DOSSIER_MAX_ANSWER_CHARS).")
        outcome: DraftOutcome = "repaired" if checked.repaired or checked.dropped else "generated"
        return Generated(Answer(question=request.question, answer=checked.text, mode="generated", refused=False,
                                citations=checked.citations, notice=" ".join(notes) or None,
                                draft=request.draft(outcome, reply)), timings)

    def check(self, request: Request, reply: str) -> Checked:
        """Repair or drop each sentence (module docstring), cite the supporting sentences,
        renumber, and stop at ``max_chars``."""
        paragraphs = [claims_of(split_reply(p), len(request.chunks)) for p in reply.splitlines() if p.strip()]
        claims = [c for p in paragraphs for c in p]
        sources = prompt_sources(request)
        vectors = self.scorer.embed([c.sentence.bare for c in claims]) if claims else np.zeros((0, 1))
        for claim, vector in zip(claims, vectors):
            self.support(claim, vector, sources)
        commands = instructions(r.text for r in request.records)
        obeyed = False
        for claim in (c for c in claims if not c.dropped):
            # Judged on every supported sentence, shown or not: one obeyed instruction spoils the reply.
            obeyed = obeyed or repeats(claim.sentence.bare, commands, request.question)
            if not any(request.addresses(claim.bare, r.speaker, r.text) for r in claim.support.values()):
                claim.dropped = OFF_FOCUS
        keep_other_sides(claims, request.disputes)
        out = _Bounded(self.cite, self.max_chars)
        for paragraph in paragraphs:
            out.new_paragraph()
            for claim in (c for c in paragraph if not c.dropped):
                out.add(claim)
        drops = Counter(c.dropped for c in claims if c.dropped)
        return Checked(text=out.text(), citations=tuple(out.citations), kept=out.kept, dropped=sum(drops.values()),
                       obeyed_source=obeyed, shortened=out.full, drops=tuple(sorted(drops.items())),
                       repaired=sum(1 for c in claims if not c.dropped and c.repaired))

    def support(self, claim: "_Claim", vector: np.ndarray, sources: dict[int, list[SentenceRecord]]) -> None:
        """Find the sources that support ``claim``: its cited ones, else (re-pointed) the prompt's
        best; name the person of a leading he/she from them; or mark it dropped."""
        pronoun = leading_pronoun(claim.sentence.bare, self.scorer.speakers) is not None
        named = self.scorer.named(claim.sentence.bare)

        def best(n: int) -> Optional[Support]:
            return best_support(self.scorer, claim.sentence.bare, vector, sources.get(n, []), named, pronoun)

        found = {n: s for n in claim.cited if (s := best(n)) is not None}
        if not found:
            others = [(n, s) for n in sources if n not in claim.cited and (s := best(n)) is not None]
            if others:
                n, s = max(others, key=lambda item: item[1].margin)
                found, claim.repointed = {n: s}, True
        if not found:
            claim.dropped = UNSUPPORTED
            return
        claim.support = {n: s.record for n, s in found.items()}
        claim.credited = next((s.credited for s in found.values() if s.credited), "")
        if claim.credited:  # one attribution shown: keep the sources that report the same speaker's claim
            claim.support = {n: s.record for n, s in found.items() if s.credited in ("", claim.credited)}
        if pronoun:
            claim.person = person_of(next(iter(found.values())).record, self.scorer.speakers)


def keep_other_sides(claims: list["_Claim"], disputes: Sequence[DisputeNote]) -> None:
    """A sentence reporting the other side of a disputed statement the answer shows speaks to
    what that statement speaks to: a denial rarely repeats the question's words, and without it
    the answer would state one side as if undisputed."""
    shown = {n for c in claims if not c.dropped for n in c.support}
    for claim in (c for c in claims if c.dropped == OFF_FOCUS):
        if any((d.denial in claim.support and d.claim in shown) or (d.claim in claim.support and d.denial in shown)
               for d in disputes):
            claim.dropped = ""


def best_support(scorer: SupportScorer, text: str, vector: np.ndarray, records: Sequence[SentenceRecord],
                 named: frozenset[str], pronoun: bool) -> Optional[Support]:
    """The record that supports ``text`` best, or None. For a sentence opening with he/she the
    person comes from the record (``person_of``), and a record that names nobody cannot support it."""
    found: Optional[Support] = None
    dropped_attribution = []
    for record in records:
        person = person_of(record, scorer.speakers) if pronoun else ""
        if pronoun and not person:
            continue
        support = scorer.measure(text, vector, record, named | {person} if person else named)
        if support.supported and (found is None or support.margin > found.margin):
            found = support
        elif support.reason == "attribution-dropped" and not pronoun:
            dropped_attribution.append(support)
    if found is None:
        found = credit(scorer, text, vector, dropped_attribution, named)
    return found


def credit(scorer: SupportScorer, text: str, vector: np.ndarray, candidates: Sequence[Support],
           named: frozenset[str]) -> Optional[Support]:
    """Repair a sentence whose source reports a claim that the sentence states as fact ("The
    span carries 30,000 cars a day" from "..., according to the transport authority"): credited
    to the source's speaker it is faithful, and shown so, rather than deleted. Judged again with
    the credit, every other rule still applies."""
    best: Optional[Support] = None
    for support in candidates:
        who = credit_for(text, support.record.text, support.record.speaker or None)
        if not who:
            continue
        again = scorer.measure(credited(text, who), vector, support.record, named | {who})
        if again.supported and (best is None or again.margin > best.margin):
            best = replace(again, credited=who)
    return best


def person_of(record: SentenceRecord, speakers: frozenset[str]) -> str:
    """Whom a he/she supported by ``record`` means: the person its own leading pronoun was
    resolved to at ingest, else its speaker, else the one corpus person it names; '' if unsettled."""
    if record.subject or record.speaker:
        return record.subject or record.speaker
    if subject_pronoun(record.text) is not None:
        return ""  # the source's own he/she was left unresolved at ingest
    named = {s for s in speakers if s in record.text and re.search(rf"\b{re.escape(s)}\b", record.text)}
    return next(iter(named)) if len(named) == 1 else ""


def leading_pronoun(text: str, speakers: frozenset[str]) -> Optional[re.Match]:
    """The he/she a sentence opens with (before it names anyone), not already annotated."""
    match = subject_pronoun(text)
    if match is None or _ANNOTATION.match(text[match.end():].lstrip()):
        return None
    before = text[:match.start()]
    if any(s in before and re.search(rf"\b{re.escape(s)}\b", before) for s in speakers):
        return None
    return match


def annotate(text: str, person: str, speakers: frozenset[str]) -> str:
    """ "He said ..." -> "He [Ortiz] said ...", as extractive answer lines show a resolved pronoun."""
    match = leading_pronoun(text, speakers) if person else None
    return f"{text[:match.end()]} [{person}]{text[match.end():]}" if match else text


def removed_note(drops: tuple[tuple[str, int], ...]) -> str:
    """What the notice says about the sentences the check did not show."""
    why = {UNSUPPORTED: "no source in the prompt supported it", OFF_FOCUS: "it did not address the question"}
    counts = dict(drops)
    total = sum(counts.values())
    if len(counts) == 1:
        reason = next(iter(counts))
        return f"{total} sentence(s) of the model's answer were removed: {why.get(reason, reason)}."
    parts = ", ".join(f"{n} because {why.get(r, r)}" for r, n in sorted(counts.items()))
    return f"{total} sentence(s) of the model's answer were removed: {parts}."


@dataclass
class _Claim:
    """One sentence of the reply on its way through the check."""

    sentence: "_Sentence"
    cited: list[int]  # the prompt sources it cites: its own valid markers, or the next marked sentence's
    adopted: bool = False  # it had no markers and took the next marked sentence's
    invalid: bool = False  # it had markers outside 1..k (removed)
    support: dict[int, SentenceRecord] = field(default_factory=dict)  # source number -> supporting sentence
    repointed: bool = False  # no cited source supported it; another source of the prompt does
    person: str = ""  # whom its leading he/she means, shown as "He [Name]"
    credited: str = ""  # whose claim it states, added as "..., according to X" (its source reports one)
    dropped: str = ""  # why it is not shown ('' while it is)

    @property
    def bare(self) -> str:
        """The sentence as the reader will see it, without markers (its pronoun named, its
        claim credited)."""
        return credited(annotate(self.sentence.bare, self.person, frozenset()), self.credited)

    @property
    def repaired(self) -> bool:
        return (self.adopted or self.invalid or self.repointed or bool(self.person) or bool(self.credited)
                or set(self.support) != set(self.sentence.numbers))

    def shown(self, numbering: dict[str, int]) -> str:
        """The sentence with its supported sources' new numbers as markers."""
        if self.adopted or self.repointed or self.credited:
            numbers = dict.fromkeys(numbering[r.sentence_id] for r in self.support.values())
            text = with_markers(credited(self.sentence.bare, self.credited), list(numbers))
        else:
            text = rewrite_markers(self.sentence.raw, self.support, numbering)
        return annotate(text, self.person, frozenset())


def claims_of(paragraph: list["_Sentence"], sources: int) -> list[_Claim]:
    """The sentences of one paragraph that say something, each with the sources it cites; an
    unmarked one takes the markers of the next marked sentence (eval's judge reads it so too)."""
    claims = []
    for sentence in paragraph:
        if not _LETTER.search(sentence.bare):
            continue  # a stray marker or dash: nothing to check or show
        valid = [n for n in sentence.numbers if 1 <= n <= sources]
        claims.append(_Claim(sentence=sentence, cited=valid, invalid=len(valid) < len(sentence.numbers)))
    following: list[int] = []
    for claim in reversed(claims):
        if claim.sentence.numbers:
            following = claim.cited
        elif following:
            claim.cited, claim.adopted = list(following), True
    return claims


def prompt_sources(request: Request) -> dict[int, list[SentenceRecord]]:
    """Source number -> the sentences a marker to it may be checked against: its chunk's, and
    its article's title (a model may report a headline as well as the text)."""
    sources = chunk_records(request.chunks, request.records)
    for n, chunk in enumerate(request.chunks, 1):
        title = request.titles.get(chunk.doc_id)
        if title is not None and all(r.sentence_id != title.sentence_id for r in sources[n]):
            sources[n] = sources[n] + [title]
    return sources


def credited(text: str, who: str) -> str:
    """``text`` credited to ``who`` before its closing punctuation: "The span is 1.6 km long,
    according to the port authority." (the same words the source uses for who says it)."""
    if not who:
        return text
    end = _SENTENCE_END.search(text)
    if end is None:
        return f"{text}, according to {who}"
    return f"{text[:end.start()].rstrip()}, according to {who}{end.group(0)}"


def with_markers(text: str, numbers: list[int]) -> str:
    """``text`` with ``[n]`` markers placed before its closing punctuation."""
    markers = "".join(f"[{n}]" for n in numbers)
    end = _SENTENCE_END.search(text)
    if end is None:
        return f"{text} {markers}"
    return f"{text[:end.start()].rstrip()} {markers}{end.group(0)}"


def title_record(meta: DocumentMeta, embed: Callable[[list[str]], np.ndarray], max_bytes: int,
                 first_sentence: Callable[[], Optional[SentenceRecord]]) -> Optional[SentenceRecord]:
    """An article's title as a sentence the check can cite verbatim, or None.

    A headline is found in the article file as ingested (same sha256) and quoted from there; a
    title derived from the first sentence is that sentence. A file changed or gone since its
    ingest gives None: a quote must be the text at its span."""
    if meta.title_derived:
        return first_sentence()
    try:
        text, sha256 = read_article(Path(meta.path), max_bytes)
    except FileRejected:
        return None
    if sha256 != meta.sha256:
        return None
    offset = 0
    for line in text.splitlines(keepends=True):
        if normalize(line) == meta.title:
            start = offset + len(line) - len(line.lstrip())
            end = offset + len(line.rstrip())
            return SentenceRecord(sentence_id=f"{meta.doc_id}:title", doc_id=meta.doc_id, text=meta.title,
                                  start=start, end=end, speaker="", quoted=False, quote=text[start:end],
                                  embedding=embed([meta.title])[0], paragraph=-1)
        offset += len(line)
    return None


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

    def add(self, claim: _Claim) -> None:
        numbering = dict(self.numbering)
        order = [n for n in claim.sentence.numbers if n in claim.support] or list(claim.support)
        for record in (claim.support[n] for n in order):
            numbering.setdefault(record.sentence_id, len(numbering) + 1)
        text = claim.shown(numbering)
        room = self.max_chars - self.length - (1 if self.length else 0)
        if self.full or (self.kept and len(text) > room):
            self.full = True
            return
        cited = {r.sentence_id: r for r in claim.support.values()}
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


def disputed_note(disputes: Sequence[DisputeNote]) -> str:
    """The line after the sources naming the contradictions between them ('' when none): it
    sits in the variable part of the prompt, after the sources, so the prefix stays stable."""
    if not disputes:
        return ""

    def side(n: int, speaker: str) -> str:
        if not n:
            return f"{quoted(speaker) or 'an article'} (not among these sources)"
        return f"[{n}] ({quoted(speaker)})" if speaker else f"[{n}]"

    pairs = "; ".join(f"{side(d.claim, d.claim_speaker)} is denied by {side(d.denial, d.denial_speaker)}"
                      for d in disputes)
    return f"\n\nDisputed: {pairs}. When you report a disputed statement, say who makes it and who denies it."


def build_messages(request: Request, meta: Callable[[str], Optional[DocumentMeta]]) -> list[Message]:
    system = render(load_prompt("answer_system.txt"), sentinel=SENTINEL)
    user = render(load_prompt("answer_user.txt"),
                  sources=format_sources(request.chunks, meta) + disputed_note(request.disputes),
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
