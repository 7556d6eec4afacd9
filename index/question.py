"""What a question asks: its expected answer type, its focus, its terms and its names.

One analysis serves extractive scoring, the answered/related/refused decision, the
generated-answer checker and conversations. It is general English (the word lists are in
vocabulary.py); what it knows about a corpus (speakers, outlets, which words it uses and
what they mean) comes from a ``CorpusFacts`` derived from the corpus itself.

A sentence *addresses* a question when it carries a candidate of the expected type
(a number for "how many", a date for "when", a capitalised name for "who", a known
outlet for "which agency", a cause for "why", a reaction for "how did X respond") and
supports the focus, the word the question asks about ("tweet", "pay", "respond"):
exactly, by stem, or by meaning, where meaning is the cosine of MiniLM word vectors
computed once per corpus revision (``WordVectors``), never per sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Literal, Optional, Sequence

import numpy as np

from . import vocabulary as vocab
from .lexical import STOPWORDS, tokenize

AnswerType = Literal["person", "organisation", "quantity", "date", "place", "reason", "statement", "response",
                     "yesno", "description"]

# Cosine between two MiniLM single-word vectors above which the words count as the same
# focus. Measured on general pairs: pay/paid 0.81, pay/purchase 0.57, cost/price 0.73,
# tweet/twitter 0.82, killed/dead 0.76, hiding/conceal 0.68 are above; pay/ship 0.42,
# tweet/said 0.31, respond/accused 0.21, cost/supply 0.41, killed/fired 0.46 below.
FOCUS_SIMILARITY = 0.55

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\u2019.-]*[A-Za-z0-9]|[A-Za-z0-9]")
_DIGITS = re.compile(r"\d")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_CAPITALISED_SPAN = re.compile(r"\b[A-Z][\w'\u2019-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'\u2019-]*)*")
_ACRONYM = re.compile(r"\b[A-Z]{2,}s?\b")
_NAME_WORD = re.compile(r"\b[A-Z][a-zA-Z]+\b")


class WordVectors:
    """Unit MiniLM vectors of a corpus's vocabulary, keyed by stemmed term.

    Built once per store revision from each term's most common surface word (vectors of
    stems like "suppli" mean little), so a question's focus is compared with every word
    of the corpus by one matrix product."""

    def __init__(self, terms: Sequence[str], matrix: np.ndarray) -> None:
        self.terms = list(terms)
        self.matrix = matrix
        self._index = {t: i for i, t in enumerate(self.terms)}

    def vector(self, term: str) -> Optional[np.ndarray]:
        index = self._index.get(term)
        return None if index is None else self.matrix[index]

    def near(self, vector: np.ndarray, threshold: float) -> set[str]:
        """The corpus terms whose word vector is at least ``threshold`` from ``vector``."""
        if not self.terms:
            return set()
        return {self.terms[i] for i in np.flatnonzero(self.matrix @ vector >= threshold)}


@dataclass(frozen=True)
class CorpusFacts:
    """What question analysis knows about a corpus, all of it derived at ingest."""

    speakers: frozenset[str] = frozenset()  # surnames that sentences are attributed to
    outlets: frozenset[str] = frozenset()  # outlets and bylines of the articles
    knows: Callable[[str], bool] = lambda term: True  # whether a stemmed term occurs in the corpus
    vectors: Optional[WordVectors] = None
    embed: Optional[Callable[[list[str]], np.ndarray]] = None  # for a focus word the corpus never uses


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    terms: frozenset[str]  # stemmed content terms, speech verbs removed
    answer_type: AnswerType
    focus: tuple[str, ...]  # the words asked about: "respond", "pay", ("carried", "denial")
    person: Optional[str]  # a speaker of the corpus the question names
    speech: bool  # asks what someone said
    unknown_names: tuple[str, ...]  # names the corpus never mentions
    topic: Optional[str] = None  # "the quantity of shells" in "what did Kirby say about the quantity of shells"
    focus_terms: frozenset[str] = field(default=frozenset())  # stems that support the focus, meaning included

    def has_focus(self) -> bool:
        return bool(self.focus)


# ---- the question ----------------------------------------------------------------------------


def analyze_question(question: str, corpus: Optional[CorpusFacts] = None) -> QuestionAnalysis:
    """Analyse ``question`` against what the corpus knows (speakers, vocabulary, meanings)."""
    corpus = corpus or CorpusFacts()
    text = " ".join(question.split())
    words = _words(_without_continuation(text))
    terms = frozenset(t for t in tokenize(text) if t not in SPEECH_TERMS)
    person = _named_speaker(text, corpus.speakers)
    speech = bool(vocab.QUESTION_SPEECH.search(text))
    answer_type = answer_type_of(words, speech)
    focus = focus_of(words, answer_type)
    names = [w for w in _NAME_WORD.findall(text) if w not in vocab.COMMON_CAPITALISED]
    unknown = tuple(w for w in names if not all(corpus.knows(t) for t in tokenize(w)))
    topic = speech_topic(text) if person else None
    return QuestionAnalysis(text=text, terms=terms, answer_type=answer_type, focus=focus, person=person,
                            speech=speech, unknown_names=unknown, topic=topic,
                            focus_terms=frozenset(focus_terms(focus, corpus)))


SPEECH_TERMS = frozenset(tokenize(vocab.SPEECH_WORDS_TEXT))
_SPEECH_FRAME = re.compile(
    r"^(?:what|how|why|when|where)\s+(?:did|does|do|has|had|was|is|would)\s+(?P<who>.+?)\s+"
    r"(?:" + vocab.SPEECH_FRAME_VERBS + r")"
    r"(?:\s+(?:about|on|regarding|concerning|of|that))?\s+(?P<topic>.+?)[?.!]*$",
    re.IGNORECASE)


def speech_topic(question: str) -> Optional[str]:
    """The subject of a who-said-what question, so dense scoring matches the *what*."""
    match = _SPEECH_FRAME.match(question.strip())
    return match.group("topic") if match else None


def _named_speaker(text: str, speakers: frozenset[str]) -> Optional[str]:
    lower_speakers = {s.lower(): s for s in speakers}
    names = [w for w in _NAME_WORD.findall(text) if w not in vocab.COMMON_CAPITALISED]
    person = next((lower_speakers[w.lower()] for w in names if w.lower() in lower_speakers), None)
    if person is None:  # "what did kirby say" typed in lower case
        person = next((lower_speakers[w] for w in re.findall(r"[a-z]+", text.lower()) if w in lower_speakers), None)
    return person


def _without_continuation(text: str) -> str:
    return re.sub(r"^\s*(?:and|also|so|but|then)\s+", "", text, flags=re.IGNORECASE)


def _words(text: str) -> list[str]:
    return [w.replace("\u2019", "'") for w in _WORD.findall(text)]


def answer_type_of(words: list[str], speech: bool) -> AnswerType:
    """The kind of answer the question's wording asks for (see vocabulary.py for the nouns)."""
    lower = [w.lower() for w in words]
    if not lower:
        return "description"
    first, second = lower[0], (lower[1] if len(lower) > 1 else "")
    if first in vocab.AUXILIARIES:
        return "yesno"
    wh_at = next((i for i, w in enumerate(lower[:3]) if w in _WH), None)
    if wh_at is None:
        return "statement" if speech else "description"
    wh, after = lower[wh_at], lower[wh_at + 1:]
    nxt = after[0] if after else ""
    if wh == "how" and nxt in ("many", "much", "long", "far", "old", "large", "big", "often", "heavy", "fast",
                               "high", "deep", "wide", "severe", "serious"):
        return "quantity"
    if wh == "when":
        return "date"
    if wh == "where":
        return "place"
    if wh == "why":
        return "reason"
    if wh in ("what", "which", "whose") or (wh == "how" and nxt == "large"):
        kind = _noun_kind(after[:4])
        if kind:
            return kind
    if wh in ("who", "whom", "whose"):
        return "person"
    if wh in ("what", "how") and _asks_response(lower):
        return "response"
    if wh == "what" and nxt in ("caused", "prompted", "led", "motivated", "triggered", "drove"):
        return "reason"
    if speech or (wh == "how" and any(w in ("describe", "call", "characterise", "characterize") for w in lower)):
        return "statement"
    return "description"


_WH = frozenset("what which who whom whose when where why how".split())


def _noun_kind(words: list[str]) -> Optional[AnswerType]:
    """The type a "which/what <noun>" asks for, from the first kind-noun before the verb."""
    for word in words:
        if word in vocab.AUXILIARIES:
            return None
        if word in vocab.PERSON_NOUNS:
            return "person"
        if word in vocab.ORGANISATION_NOUNS:
            return "organisation"
        if word in vocab.PLACE_NOUNS:
            return "place"
        if word in vocab.TIME_NOUNS:
            return "date"
        if word in vocab.QUANTITY_WORDS:
            return "quantity"
        if word in ("reason", "reasons", "cause", "motive", "purpose"):
            return "reason"
    return None


def _asks_response(lower: list[str]) -> bool:
    return any(w in vocab.RESPONSE_VERBS for w in lower)


def focus_of(words: list[str], answer_type: AnswerType) -> tuple[str, ...]:
    """The verb the question asks about and the head of its object ("carried ... denial").

    "wh-phrase AUX subject VERB object": the verb is the last word of the stretch after the
    auxiliary that does not look like a noun, so "the Japanese transport ministry recommend"
    gives "recommend". Without an auxiliary ("which agency carried ..."), it is the first
    word after the wh-phrase that is not part of its noun phrase."""
    lower = [w.lower() for w in words]
    aux = next((i for i, w in enumerate(lower) if w in vocab.AUXILIARIES), None)
    if aux is None or (lower and lower[0] in _WH and aux > 1 and _noun_kind(lower[1:aux]) and _subject_question(lower, aux)):
        start = _after_wh_phrase(lower)
        stretch = _stretch(words, start)
        verb_at = next((i for i, w in enumerate(stretch) if _verbish(w)), None)
    else:
        stretch = _stretch(words, aux + 1)
        candidates = [i for i, w in enumerate(stretch) if _verbish(w)]
        verb_at = candidates[-1] if candidates else None
    if verb_at is None:
        return tuple(_content(stretch)[-1:])
    verb = stretch[verb_at].lower()
    rest_start = words.index(stretch[verb_at], 0) + 1 if stretch[verb_at] in words else len(words)
    rest = words[rest_start:]
    if verb in vocab.CATENATIVES and len(rest) > 1 and rest[0].lower() == "to":
        return focus_of(["did", "it"] + rest[1:], answer_type)
    if verb in _SPEECH_SURFACE and answer_type not in ("statement",):
        clause = focus_of(["did", "it"] + rest, answer_type) if rest else ()
        if clause:
            return clause
    obj = _object_head(rest)
    return (verb,) + ((obj,) if obj and obj != verb else ())


_SPEECH_SURFACE = frozenset(vocab.SPEECH_WORDS_TEXT.split()) | frozenset("think believe confirm confirmed".split())


def _subject_question(lower: list[str], aux: int) -> bool:
    """'Which agency did X ...' has a subject after the auxiliary; 'which agency is ...' may not."""
    return aux + 1 >= len(lower)


def _after_wh_phrase(lower: list[str]) -> int:
    """Index of the first word after 'which (adjectives) noun' / 'who'."""
    wh = next((i for i, w in enumerate(lower) if w in _WH), 0)
    i = wh + 1
    if lower[wh] in ("who", "whom"):
        return i
    if i < len(lower) and lower[i] in ("many", "much"):
        i += 1
    while i < len(lower) and (not _verbish(lower[i]) or _is_kind_noun(lower[i])):
        i += 1
        if i - wh > 5:
            break
    return i


def _is_kind_noun(word: str) -> bool:
    return word in vocab.PERSON_NOUNS or word in vocab.ORGANISATION_NOUNS or word in vocab.PLACE_NOUNS


def _stretch(words: list[str], start: int) -> list[str]:
    """Words from ``start`` up to the first preposition or determiner after a non-noun."""
    out: list[str] = []
    for word in words[start:]:
        lower = word.lower()
        if out and lower in _BREAKS and not (lower == "of" and not _verbish(out[-1])):
            break
        out.append(word)
    return out


_BREAKS = frozenset("to for on in at with from about after before over into toward towards against by during "
                    "since under of as than that whether if the a an".split())


def _verbish(word: str) -> bool:
    """Could this word be the question's main verb? Names, stop words and words that end
    like English nouns (-tion, -ment, plural -s ...) cannot."""
    lower = word.lower()
    if not word[:1].islower() or lower in STOPWORDS or lower in vocab.AUXILIARIES or lower in vocab.DETERMINERS:
        return False
    if _DIGITS.search(word) or lower in vocab.NUMBER_WORDS or lower in vocab.QUANTITY_WORDS:
        return False
    if lower.endswith(vocab.NOUN_ENDINGS) or (lower.endswith("s") and not lower.endswith(("ss", "us", "is"))):
        return lower.endswith("ed") or lower in vocab.SPEECH_WORDS_TEXT.split()
    return lower not in vocab.PERSON_NOUNS and lower not in vocab.ORGANISATION_NOUNS and lower not in _WH


def _object_head(rest: list[str]) -> Optional[str]:
    stretch = _stretch(["x"] + rest, 1) if rest and rest[0].lower() not in _BREAKS - {"the", "a", "an"} else []
    content = _content(stretch)
    return content[-1].lower() if content else None


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w[:1].islower() and w.lower() not in STOPWORDS and w.lower() not in vocab.AUXILIARIES
            and not _DIGITS.search(w)]


def focus_terms(focus: tuple[str, ...], corpus: CorpusFacts) -> set[str]:
    """The corpus terms that support the focus: its own stems and the words near it in meaning."""
    stems = [tokenize(word) for word in focus]
    terms = {t for s in stems for t in s}
    if corpus.vectors is None or not focus:
        return terms
    for word, word_stems in zip(focus, stems):
        vector = corpus.vectors.vector(word_stems[0]) if word_stems else None
        if vector is None and corpus.embed is not None:
            vector = corpus.embed([word])[0]
        if vector is not None:
            terms |= corpus.vectors.near(vector, FOCUS_SIMILARITY)
    return terms


# ---- sentences -------------------------------------------------------------------------------


def has_candidate(analysis: QuestionAnalysis, text: str, corpus: Optional[CorpusFacts] = None,
                  speaker: str = "") -> bool:
    """Whether ``text`` carries a candidate of the answer type the question expects."""
    kind = analysis.answer_type
    if kind == "quantity":
        return _has_quantity(text)
    if kind == "date":
        return _has_date(text)
    if kind == "reason":
        return bool(vocab.REASON_MARKERS.search(text))
    if kind == "response":
        return bool(_lower_words(text) & vocab.RESPONSE_MARKERS)
    if kind == "statement":
        return bool(speaker) or '"' in text or "\u201c" in text or bool(vocab.QUESTION_SPEECH.search(text))
    if kind in ("person", "organisation", "place"):
        return _has_name(text, analysis, corpus)
    return True


def supports_focus(analysis: QuestionAnalysis, text: str, speaker: str = "") -> bool:
    """Whether ``text`` says something about the question's focus (exact, stem or meaning)."""
    if not analysis.focus:
        return True
    terms = set(tokenize(text)) | (set(tokenize(speaker)) if speaker else set())
    if terms & analysis.focus_terms:
        return True
    if any(word in vocab.RESPONSE_VERBS for word in analysis.focus):
        return bool(_lower_words(text) & vocab.RESPONSE_MARKERS)
    return any(word in _SPEECH_SURFACE for word in analysis.focus) and bool(speaker)


def addresses(analysis: QuestionAnalysis, sentence_text: str, corpus: Optional[CorpusFacts] = None,
              speaker: str = "") -> bool:
    """Whether a sentence answers the question: a candidate of the expected type, and the focus."""
    return has_candidate(analysis, sentence_text, corpus, speaker) and supports_focus(analysis, sentence_text,
                                                                                      speaker)


def _lower_words(text: str) -> set[str]:
    return {w.lower() for w in _words(text)}


def _has_quantity(text: str) -> bool:
    words = _lower_words(text)
    return bool(_DIGITS.search(text) or words & vocab.NUMBER_WORDS or words & vocab.QUANTITY_WORDS)


def _has_date(text: str) -> bool:
    words = _lower_words(text)
    return bool(_YEAR.search(text) or re.search(r"\b\d{1,2}[/-]\d{1,2}\b|\b\d{4}-\d\d-\d\d\b", text)
                or words & vocab.MONTHS or words & vocab.WEEKDAYS or words & vocab.RELATIVE_DATES)


def _has_name(text: str, analysis: QuestionAnalysis, corpus: Optional[CorpusFacts]) -> bool:
    """A capitalised span or acronym the question does not itself contain, or a known outlet."""
    asked = {w.lower() for w in _NAME_WORD.findall(analysis.text)} | {w.lower() for w in _ACRONYM.findall(analysis.text)}
    if corpus is not None and any(o and o in text and o.lower() not in asked for o in corpus.outlets):
        return True
    spans = [m.group(0) for m in _CAPITALISED_SPAN.finditer(text)]
    spans += _ACRONYM.findall(text)
    for span in spans:
        words = [w for w in span.split() if w not in vocab.COMMON_CAPITALISED and w.lower() not in STOPWORDS]
        if any(w.lower().strip("'\u2019s") not in asked and w.lower() not in asked for w in words):
            return True
    return False
