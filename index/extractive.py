"""Extractive answers: pick the sentences that answer, merge what several outlets repeat.

Scoring a candidate sentence (from the retrieved chunks):

    relevance = cosine(question, sentence) + OVERLAP_WEIGHT * term_overlap
    score     = relevance + attribution

``term_overlap`` is the IDF-weighted share of the question's content terms
(stemmed, stop words and speech verbs removed) found in the sentence, where a
sentence also "contains" its speaker's name. ``attribution`` favours
sentences whose speaker (see attribution.py) is the person the question asks
about, and disfavours other speakers, when the question asks what someone said.
The best ``relevance`` is the evidence that decides refusal (see engine.py).
OVERLAP_WEIGHT was chosen on tests/data/ranking.json (0.5: 19 of 22 questions put the
expected sentence first; 0.9: 20 of 22), and the refusal thresholds were then
recalibrated with scripts/calibrate_refusal.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .attribution import subject_pronoun
from .lexical import tokenize
from .store import SentenceRecord

OVERLAP_WEIGHT = 0.9
SPEAKER_BONUS = 0.12
OTHER_SPEAKER_PENALTY = 0.05
CARRIED_WEIGHT = 0.5  # a follow-up's words carried from earlier turns weigh half
FOLLOWUP_DOC_BONUS = 0.05
ALREADY_CITED_PENALTY = 0.15
SELECT_MARGIN = 0.16  # sentences within this of the best score may join the answer
MAX_LINES = 4
# Two sentences from different articles are "the same statement" when nearly identical
# in meaning (cosine) and largely in words (Jaccard of stemmed terms). Measured on the
# seeds: the three outlets carrying Kirby's "obfuscating" quote pair at cosine
# 0.77-0.90 with Jaccard 0.55-0.66; differently worded reports of the same claim pair at
# cosine up to 0.88 but Jaccard <= 0.35, and are kept as separate lines.
SAME_STATEMENT_COSINE = 0.95
SAME_STATEMENT_COSINE_WITH_WORDS = 0.72
SAME_STATEMENT_JACCARD = 0.45

SPEECH_WORDS = frozenset(tokenize(
    "say says said tell told state stated statement claim claimed comment comments quote quoted according "
    "describe described word words remark remarks mention mentioned add added"))
_QUESTION_SPEECH = re.compile(
    r"\b(?:say|said|says|tell|told|state|stated|statement|claim|comment|quote|according|word|words|remark|describe|"
    r"think|believe|added|mention)\w*\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]+\b")
_COMMON_CAPS = frozenset(
    "What Who Whom Whose When Where Why How Which Did Does Do Is Are Was Were Can Could Will Would Should "
    "Has Have Had The A An In On Of And Or But If Tell Give List Show Name Please I According Mr Mrs Ms Dr".split())


_SPEECH_FRAME = re.compile(
    r"^(?:what|how|why|when|where)\s+(?:did|does|do|has|had|was|is|would)\s+(?P<who>.+?)\s+"
    r"(?:say|said|tell|told|state|stated|claim|claimed|comment|comments|think|believe|add|added|mention|mentioned)"
    r"(?:\s+(?:about|on|regarding|concerning|of|that))?\s+(?P<topic>.+?)[?.!]*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class QuestionProfile:
    terms: frozenset[str]
    person: Optional[str]
    speech: bool
    unknown_names: tuple[str, ...]
    topic: Optional[str] = None  # "the quantity of shells" in "what did Kirby say about the quantity of shells"


def speech_topic(question: str) -> Optional[str]:
    """The subject of a who-said-what question, so dense scoring matches the *what*."""
    match = _SPEECH_FRAME.match(question.strip())
    return match.group("topic") if match and len(match.group("topic").split()) >= 1 else None


@dataclass(frozen=True)
class ScoredSentence:
    record: SentenceRecord
    relevance: float
    score: float
    cosine: float = 0.0
    overlap: float = 0.0


@dataclass
class Line:
    lead: ScoredSentence
    members: list[SentenceRecord] = field(default_factory=list)

    @property
    def docs(self) -> set[str]:
        return {m.doc_id for m in self.members}


def profile_question(question: str, speakers: set[str], known_term: Callable[[str], bool]) -> QuestionProfile:
    terms = frozenset(t for t in tokenize(question) if t not in SPEECH_WORDS)
    names = [w for w in _CAPITALISED.findall(question) if w not in _COMMON_CAPS]
    lower_speakers = {s.lower(): s for s in speakers}
    person = next((lower_speakers[w.lower()] for w in names if w.lower() in lower_speakers), None)
    if person is None:  # "what did kirby say" typed in lower case
        person = next((lower_speakers[w] for w in re.findall(r"[a-z]+", question.lower()) if w in lower_speakers), None)
    unknown = tuple(w for w in names if not all(known_term(t) for t in tokenize(w)))
    topic = speech_topic(question) if person else None
    return QuestionProfile(terms=terms, person=person, speech=bool(_QUESTION_SPEECH.search(question)),
                           unknown_names=unknown, topic=topic)


@dataclass(frozen=True)
class FollowUp:
    """What a follow-up adds to scoring: the user's own words count more than the words
    carried over from earlier turns, the articles already in the conversation are
    slightly preferred, and sentences already cited are not served again."""

    own_terms: frozenset[str]
    own_vector: np.ndarray
    cited: frozenset[tuple[str, int]]  # (doc_id, start) of the previous answer's citations
    docs: frozenset[str]


def sentence_terms(record: SentenceRecord) -> set[str]:
    """A sentence's terms, with its speaker's name: "He declined ..." is about Kirby."""
    return set(tokenize(record.text)) | (set(tokenize(record.speaker)) if record.speaker else set())


def weighted_share(weights: dict[str, float], terms: set[str]) -> float:
    """The share of the total weight whose terms occur in ``terms`` (0 when nothing weighs)."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


def score_sentences(question_vector: np.ndarray, profile: QuestionProfile, records: list[SentenceRecord],
                    idf: Callable[[str], float], topic_vector: Optional[np.ndarray] = None,
                    followup: Optional[FollowUp] = None) -> list[ScoredSentence]:
    """Score candidates. With a who-said-what question, the dense part averages the whole
    question and its topic, and the speaker bonus covers the *who*."""
    if not records:
        return []
    matrix = np.stack([r.embedding for r in records])
    dense = matrix @ question_vector
    if topic_vector is not None:
        dense = (dense + matrix @ topic_vector) / 2
    if followup is not None:
        dense = (dense + matrix @ followup.own_vector) / 2
    weights = {t: idf(t) * (1.0 if followup is None or t in followup.own_terms else CARRIED_WEIGHT)
               for t in profile.terms}
    scored = []
    for record, cosine in zip(records, dense):
        overlap = weighted_share(weights, sentence_terms(record))
        relevance = float(cosine) + OVERLAP_WEIGHT * overlap
        bonus = 0.0
        if profile.person and profile.speech:
            if record.speaker == profile.person:
                bonus = SPEAKER_BONUS + (0.03 if record.quoted else 0.0)
            elif record.speaker:
                bonus = -OTHER_SPEAKER_PENALTY
        elif profile.person and record.speaker == profile.person:
            bonus = SPEAKER_BONUS / 3
        if followup is not None:
            bonus += FOLLOWUP_DOC_BONUS if record.doc_id in followup.docs else 0.0
            bonus -= ALREADY_CITED_PENALTY if (record.doc_id, record.start) in followup.cited else 0.0
        scored.append(ScoredSentence(record=record, relevance=relevance, score=relevance + bonus,
                                     cosine=float(cosine), overlap=overlap))
    scored.sort(key=lambda s: -s.score)
    return scored


def same_statement(a: SentenceRecord, b: SentenceRecord) -> bool:
    cosine = float(a.embedding @ b.embedding)
    if cosine >= SAME_STATEMENT_COSINE:
        return True
    if cosine < SAME_STATEMENT_COSINE_WITH_WORDS:
        return False
    wa, wb = set(tokenize(a.text)), set(tokenize(b.text))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= SAME_STATEMENT_JACCARD


def select_lines(scored: list[ScoredSentence], max_chars: int,
                 similar: Callable[[SentenceRecord], list[SentenceRecord]]) -> list[Line]:
    """Choose answer lines by score, folding repeats of one statement into one line."""
    lines: list[Line] = []
    if not scored:
        return lines
    best = scored[0].score
    used = 0
    for candidate in scored:
        if candidate.score < best - SELECT_MARGIN or len(lines) >= MAX_LINES:
            break
        twin = next((line for line in lines if same_statement(line.lead.record, candidate.record)), None)
        if twin is not None:
            if candidate.record.doc_id not in twin.docs:
                twin.members.append(candidate.record)
            continue
        if any(candidate.record.sentence_id == m.sentence_id for line in lines for m in line.members):
            continue
        length = len(candidate.record.text) + 12
        if lines and used + length > max_chars:
            continue
        lines.append(Line(lead=candidate, members=[candidate.record]))
        used += length
    for line in lines:
        for other in similar(line.lead.record):
            if other.doc_id not in line.docs and same_statement(line.lead.record, other):
                line.members.append(other)
    return lines


def line_text(record: SentenceRecord) -> str:
    """The sentence as shown in the answer: "She [Ortiz] appointed …" names whom its leading
    pronoun refers to, but only when ingest resolved it (attribution.py); an unresolved one is
    left as written, and the engine shows the sentence that names the candidate before it."""
    pronoun = subject_pronoun(record.text) if record.subject else None
    if pronoun is None:
        return record.text
    return f"{record.text[:pronoun.end()]} [{record.subject}]{record.text[pronoun.end():]}"
