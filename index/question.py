"""What a question asks: its expected answer type, its focus, its terms and its names.

One analysis serves extractive scoring, the answered/related/refused decision, the
generated-answer checker and conversations. It is general English (the word lists are in
vocabulary.py); what it knows about a corpus (speakers, outlets, which words it uses and
what they mean) comes from a ``CorpusFacts`` derived from the corpus itself.

A sentence *addresses* a question when it carries a candidate of the expected type
(a number for "how many", a date for "when", a capitalised name for "who", a known
outlet for "which agency", a cause for "why", a reaction for "how did X respond") and
supports the focus, the word the question asks about ("tweet", "pay", "respond"):
exactly, by stem, or by meaning, where meaning is the cosine of MiniLM word vectors of
the corpus vocabulary (``WordVectors``: each word embedded once and kept beside the BM25
index, see lexical.py), never embedded per question or per sentence.

The module reads in three parts: the corpus facts and the analysis; what the question
asks for (answer type, focus: the verb after the subject, its object, the counted noun);
and the checks of a sentence against an analysis (``has_candidate``, ``supports_focus``,
``addresses``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Literal, Optional, Sequence

import numpy as np

from . import vocabulary as vocab
from .lexical import STOPWORDS, derived, tokenize

AnswerType = Literal["person", "organisation", "quantity", "date", "place", "reason", "statement", "response",
                     "yesno", "name", "description"]

# Cosine between two MiniLM single-word vectors above which the words count as the same
# focus. Measured on general pairs: pay/paid 0.81, pay/purchase 0.57, cost/price 0.73,
# tweet/twitter 0.82, killed/dead 0.76, hiding/conceal 0.68 are above; pay/purchase 0.57,
# pay/ship 0.42, tweet/said 0.31, respond/accused 0.21, cost/supply 0.41, killed/fired 0.46,
# people/personnel 0.60, aircraft/drones 0.55 below (the last ones checked on the dev questions).
# Raised from 0.6 to 0.65 so that pairs near the old line (treated/handled 0.62, people/
# personnel 0.60) stop vouching for a focus: both dev sets unchanged, one more of 15
# out-of-corpus questions written afresh for the seeds declined (none of 15 on the other story).
FOCUS_SIMILARITY = 0.65

# Cosine above which a name the corpus never uses counts as one it does under another word:
# America/US 0.78 and Beijing/China 0.76 are above; Kyiv/Ukraine 0.72, Germany/Europe 0.72,
# Zelensky/Ukraine 0.29 below. Chosen on the dev questions (0.70 let one more out-of-corpus
# question past the name check for no more answerable ones); a name let through is still
# answered only when a sentence addresses the question, else "related".
NAME_SIMILARITY = 0.75

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019.,-]*[A-Za-z0-9]|[A-Za-z0-9]")
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
    proper: frozenset[str] = frozenset()  # words the corpus only writes capitalised, lower-cased ("oslo")
    share: Callable[[str], float] = lambda term: 0.0  # the share of the articles that use a stemmed term


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str
    terms: frozenset[str]  # stemmed content terms, speech verbs removed
    answer_type: AnswerType
    focus: tuple[str, ...]  # the words asked about: "respond", "pay", ("carried", "denial")
    person: Optional[str]  # a speaker of the corpus the question names
    speech: bool  # asks what someone said
    unknown_names: tuple[str, ...]  # names the corpus never mentions
    topic: Optional[str] = None  # "the fares" in "what did the mayor say about the fares"
    focus_terms: frozenset[str] = field(default=frozenset())  # stems that support the focus, meaning included
    counted: Optional[str] = None  # "ferries" in "how many ferries": a number must count these
    counted_terms: frozenset[str] = field(default=frozenset())
    count_names: tuple[str, ...] = ()  # "Danish" in "how many Danish sailors": a count of sailors elsewhere does not answer
    clock: bool = False  # "what time did ...": a clock time answers, a weekday does not
    day_part: bool = False  # "what time of day": a part of the day answers too ("in the afternoon")
    calendar: str = ""  # "month" or "year" in "which month / what year did ...": that part of a date answers
    expands: str = ""  # "what does NTSB stand for": a name whose initials spell it answers
    recased: str = ""  # the question with the corpus's names capitalised (see _recased)
    place_names: tuple[str, ...] = ()  # "Harbour Hall" in "how many died in the Harbour Hall": a count elsewhere does not answer
    amount: bool = False  # "how much ...": money, a measure or a share answers, a count of things does not
    units: frozenset[str] = field(default=frozenset())  # "how deep": a number in one of these units answers
    age: bool = False  # "how old": an age answers ("a 40-year-old", "aged 40", "Ann Lee (40)")
    subject_name: tuple[str, ...] = ()  # "when did Ann Lee resign": the named subject an answer must be about
    kind_noun: Optional[str] = None  # "spokesman" in "which spokesman": a stricter kind than "who"
    named: Optional[str] = None  # the noun whose name is asked: "which spokesman", "the name of her husband", "who was the officer"
    described: bool = False  # the named noun is one individual the question describes (_describes_whom)
    speaker_terms: frozenset[str] = field(default=frozenset())  # "what did <who> say": the who's stems
    about_terms: frozenset[str] = field(default=frozenset())  # "what did X say about <it>": its stems and meanings
    # Asks whether claims agree or who disputes one ("do X and Y agree", "who denied ..."):
    # answered from the claims when they hold a contradiction on the topic, else as any question.
    agreement: bool = False
    parties: frozenset[str] = field(default=frozenset())  # stems of the names such a question holds


# ---- the question ----------------------------------------------------------------------------


def analyze_question(question: str, corpus: Optional[CorpusFacts] = None) -> QuestionAnalysis:
    """Analyse ``question`` against what the corpus knows (speakers, vocabulary, meanings)."""
    corpus = corpus or CorpusFacts()
    text = " ".join(question.split())
    asked = _apostrophes_restored(text)  # "whats": "what's"
    asked = vocab.REQUEST_LEAD.sub("", vocab.CORPUS_REFERENCE.sub("", asked))  # "Can you tell me who ...": "who ..."
    asked = _recased(asked[:1].upper() + asked[1:], corpus.proper)  # "when did the ferry reach oslo"
    asked = vocab.ROLE_QUESTION.sub(lambda m: _who_is(m, corpus), asked)  # "what is X's job"
    asked = _rephrased(asked, corpus)  # "what rank does X hold", "where does X fit in", "what happened on Monday"
    terms = frozenset(t for t in tokenize(asked) if t not in SPEECH_TERMS)
    names = [w for w in _NAME_WORD.findall(asked) if w not in vocab.COMMON_CAPITALISED
             and w not in vocab.COMMON_ABBREVIATIONS]
    asked = _main_clause(asked)  # "When the mayor spoke, how many ...": the question is the "how many"
    words = _words(_without_continuation(asked))
    person = _named_speaker(text, corpus.speakers)
    speech = bool(vocab.QUESTION_SPEECH.search(asked))
    answer_type = answer_type_of(words, speech)
    frame = _SPEECH_FRAME.match(asked)
    focus = _speech_focus(frame) if frame and answer_type == "statement" else focus_of(words, answer_type)
    unknown = tuple(w for w in names if not all(corpus.knows(t) for t in tokenize(w)) and not _named_alike(w, corpus))
    topic = speech_topic(asked)
    if answer_type == "response":
        topic = response_topic(asked) or topic
    counted_phrase = _counted_phrase(words) if answer_type == "quantity" else []
    counted = (_counted(counted_phrase) or _measured(words)) if answer_type == "quantity" else None
    counted_words = tuple(counted.split()) if counted else ()
    subject = _subject_name(asked, corpus) if answer_type in SUBJECT_BOUND_TYPES else ()
    how = _how_adjective(words)  # "how deep is ...": a measure in its unit
    return QuestionAnalysis(text=text, terms=terms, answer_type=answer_type, focus=focus, person=person,
                            speech=speech, unknown_names=unknown, topic=topic,
                            focus_terms=frozenset(focus_terms(focus, corpus)), counted=counted,
                            counted_terms=frozenset(t for word in counted_words for t in tokenize(word)),
                            count_names=_count_names(counted_phrase),
                            place_names=_place_names(asked) if answer_type in ("quantity", "date") and not how else (),
                            clock=answer_type == "date" and bool(_CLOCK_QUESTION.search(asked)),
                            day_part=answer_type == "date" and bool(_DAY_PART_QUESTION.search(asked)),
                            calendar=_calendar(asked) if answer_type == "date" else "",
                            expands=_expanded(asked),
                            amount=answer_type == "quantity" and not counted and bool(_HOW_MUCH.search(asked)),
                            units=_units(how, words),
                            age=how == "old",
                            subject_name=subject,
                            recased=asked,
                            kind_noun=_kind_noun_word(words), named=_named_noun(words, answer_type),
                            described=answer_type in NAMED_TYPES and _describes_whom([w.lower() for w in words]),
                            speaker_terms=frozenset(_speech_subject(asked)),
                            about_terms=frozenset(_about_terms(frame, corpus) if answer_type == "statement" else ()),
                            agreement=asks_agreement(words),
                            parties=frozenset(t for w in names for t in tokenize(w)))


_LEADING_CLAUSE = re.compile(
    r"^(?:when|after|before|while|once|as|since|if)\b[^,?]{3,},\s*(?P<main>(?:"
    + "|".join(sorted(vocab.WH_WORDS | vocab.AUXILIARIES)) + r")\b.*)$", re.IGNORECASE)


def _main_clause(question: str) -> str:
    """The question after a leading time or condition clause ("When the mayor spoke to the radio,
    how many ferries had sailed?" asks how many), capitalised as a question starts."""
    match = _LEADING_CLAUSE.match(question)
    if not match:
        return question
    main = match.group("main")
    return main[:1].upper() + main[1:]


def _recased(question: str, proper: frozenset[str]) -> str:
    """The question with the corpus's names capitalised as the corpus writes them: a question
    typed in lower case names the same people and places ("what did okafor say", "oslo")."""
    if not proper:
        return question
    return re.sub(r"\b[a-z][a-z]+\b", lambda m: m.group(0).capitalize() if m.group(0) in proper else m.group(0),
                  question)


def _who_is(match: re.Match, corpus: CorpusFacts, who: str = "") -> str:
    """"What is X's job?" as "Who is X?" when X is a name: capitalised, or a person of the
    corpus typed in lower case ("what's okafor's role"). "The mayor's role" is left alone: a
    role in something, not who the mayor is."""
    who = (who or match.group("who")).strip()
    speakers = {s.lower() for s in corpus.speakers}
    if who[:1].isupper() or (who.split() and who.split()[-1].lower() in speakers):
        return f"Who is {' '.join(w[:1].upper() + w[1:] for w in who.split())}?"
    return match.group(0)


def _apostrophes_restored(text: str) -> str:
    """The question as if typed in full: chat shorthand spelled out ("ppl"), question words and
    negations given back their apostrophe ("whats his rank", "dont"), and "what's" read as
    "what is"."""
    def restore(match: re.Match) -> str:
        word = match.group(0)
        full = vocab.APOSTROPHE_LESS[word.lower()]
        return full[:1].upper() + full[1:] if word[:1].isupper() else full
    text = _SHORTHAND.sub(lambda m: vocab.SHORTHAND[m.group(0)], text)
    return _WH_IS.sub(r"\1 is", _APOSTROPHE_LESS.sub(restore, text))


_APOSTROPHE_LESS = re.compile(r"\b(?:" + "|".join(vocab.APOSTROPHE_LESS) + r")\b", re.IGNORECASE)
_SHORTHAND = re.compile(r"(?<![\w'\u2019.-])(?:" + "|".join(map(re.escape, vocab.SHORTHAND)) + r")(?![\w'\u2019-])")
_WH_IS = re.compile(r"\b(what|who|where|when|how|why)['\u2019]s\b", re.IGNORECASE)


def _rephrased(asked: str, corpus: CorpusFacts) -> str:
    """Shapes of question that ask what a plainer one asks: a person's post or employer ("What
    rank does X hold?", "Which agency is X with?") as "Who is X?"; how someone figures in the
    story ("Where does X fit in?") and what happened at a time ("What happened on Monday?") as
    "What about X?", answered by the sentences that mention it."""
    match = vocab.TAG_QUESTION.match(asked)
    if match:
        asked = _as_yes_no(match.group("statement"))
    match = vocab.ROLE_VERB_QUESTION.match(asked)
    who = (match.group("who") or match.group("who2")).split() if match else []
    if who and who[-1].lower() in {s.lower() for s in corpus.speakers}:  # a person the articles quote
        return _who_is(match, corpus, " ".join(who))
    match = vocab.RELATION_QUESTION.match(asked)
    if match:
        who = next(g for g in match.groups() if g).strip()
        if who.lower() not in vocab.PLAIN_PRONOUNS:
            return f"What about {who}?"
    match = vocab.EVENT_AT_TIME.match(asked)
    if match and _lower_words(match.group("when")) & (vocab.WEEKDAYS | vocab.MONTHS | vocab.RELATIVE_DATES):
        return f"What about {match.group('when')}?"
    return asked


def _as_yes_no(statement: str) -> str:
    """"Christchurch is the biggest city" as "Is Christchurch the biggest city?"; without an
    auxiliary to put first, "Did" is ("Moore met them": "Did Moore met them?", the verb kept)."""
    words = statement.split()
    words[0] = words[0].lower() if words[0].lower() in STOPWORDS else words[0]  # "The ferry": "the ferry"
    at = next((i for i, w in enumerate(words) if i and w.lower() in vocab.AUXILIARIES), None)
    if at is None:
        return " ".join(["Did"] + words) + "?"
    return " ".join([words[at].capitalize()] + words[:at] + words[at + 1:]) + "?"


def asks_agreement(words: list[str]) -> bool:
    """Whether the wording asks about agreement or disagreement between claims: a yes/no
    question on a verb of agreeing or disputing ("do X and Y agree", "does X dispute Y"), a
    subject question on one ("who denied the claims", "which ministry rejected the report"), or
    "is there disagreement about ..." (vocabulary.py, "questions about agreement")."""
    lower = [w.lower() for w in words]
    if len(lower) < 2:
        return False
    if lower[0] in vocab.BE_FORMS and lower[1] == "there":
        return any(w in vocab.DISAGREEMENT_NOUNS for w in lower[2:5])
    if lower[0] in vocab.AUXILIARIES:
        return any(_disputes(lower, i) for i in range(1, len(lower)))
    if lower[0] in ("who", "which", "what"):
        # the wh-phrase is the subject: its verb comes before any "did"/"does" ("what did X deny" asks for X's words)
        for i in range(1, min(len(lower), 6)):
            if lower[i] in ("do", "does", "did"):
                return False
            if _disputes(lower, i):
                return True
    return False


def _disputes(lower: list[str], at: int) -> bool:
    word, rest = lower[at], lower[at + 1:at + 5]
    if word in vocab.DISPUTE_QUESTION_VERBS:
        return not (word.startswith("agree") and rest[:1] and rest[0] in vocab.CONSENT_AFTER_AGREE)
    return word in vocab.DISPUTE_OBJECT_VERBS and any(w in vocab.CLAIM_NOUNS or w in vocab.DISPUTE_OBJECTS
                                                      for w in rest)


def _about_terms(frame: Optional[re.Match], corpus: CorpusFacts) -> set[str]:
    """What "what did X say about the fares" asks X to have spoken of: the content words of
    the topic, each with the corpus words near it in meaning. X's words on something else
    do not answer it."""
    if frame is None or not re.match(r"\s+(?:about|on|regarding|concerning)\b", frame.string[frame.end("verb"):],
                                     re.IGNORECASE):
        return set()
    words = [w for w in _words(frame.group("topic")) if w.lower() not in STOPWORDS]
    names = {t for w in words if w[:1].isupper() for t in tokenize(w)}  # a name means itself: countries embed alike
    return names | focus_terms(tuple(w.lower() for w in words if not w[:1].isupper()), corpus)


def _named_alike(name: str, corpus: CorpusFacts) -> bool:
    """Whether the corpus names the same thing with another word: "America" for "US",
    "Beijing" for "China" (MiniLM word vectors, see NAME_SIMILARITY)."""
    if corpus.vectors is None or corpus.embed is None or NAME_SIMILARITY >= 1:
        return False
    return bool(corpus.vectors.near(corpus.embed([name])[0], NAME_SIMILARITY))


def _measured(words: list[str]) -> Optional[str]:
    """The measure a "what altitude / what price ..." question asks for: the number must be
    one of it ("an altitude of 50 km"), not any number of the story."""
    lower = [w.lower() for w in words[:3]]
    return next((w for w in lower[1:] if w in vocab.MEASURE_NOUNS), None) if lower[:1] == ["what"] else None


def _counted(phrase: list[str]) -> Optional[str]:
    """The noun a "how many" question counts (``phrase``: ``_counted_phrase``): the last word
    before its auxiliary or verb."""
    content = [w.lower() for w in phrase if w.lower() not in STOPWORDS
               and w.lower() not in vocab.ADVERBS and w[:1].islower() and not _is_number(w)]
    return " ".join(content[-2:]) or None  # "crew members": a count of either word answers


def _counted_phrase(words: list[str]) -> list[str]:
    """The words after "how many", up to the question's auxiliary or verb."""
    lower = [w.lower() for w in words]
    at = next((i for i, w in enumerate(lower[:-1]) if w == "how" and lower[i + 1] == "many"), None)
    if at is None:
        return []
    phrase: list[str] = []
    for word in words[at + 2:]:
        if not phrase and word.lower() == "of":
            continue  # "how many of the nine ferries": the ferries
        if word.lower() in vocab.AUXILIARIES or word.lower() in _BREAKS or (
                phrase and _verbish(word) and not _plural(word)
                and not phrase[-1][:1].isupper()  # "how many Danish personnel": a noun after the name
                and phrase[-1].lower() not in vocab.COORDINATORS):  # "teachers and other staff": a noun
            break
        phrase.append(word)
    return phrase


# "how much did it cost", "how much is the fare": an amount; "how much cargo" may be a count of units
def _how_adjective(words: list[str]) -> Optional[str]:
    """"How deep is ...", "how long did ...": the adjective of a measure question."""
    lower = [w.lower() for w in words[:3]]
    if len(lower) > 2 and lower[0] == "how" and lower[1] in _HOW_ADJECTIVES and lower[2] in vocab.AUXILIARIES:
        return lower[1]
    return None


def _units(how: Optional[str], words: list[str]) -> frozenset[str]:
    """The units a "how <adjective>" question is answered in. "How long did/has/will ..." asks
    how long something went on, a time; "how long is/was ..." may be a length too."""
    if how is None:
        return frozenset()
    if how == "long" and words[2].lower() not in vocab.BE_FORMS:
        return vocab.TIME_UNITS
    return frozenset(vocab.MEASURE_UNITS.get(how, ()))


_STANDS_FOR = re.compile(r"\bwhat\s+(?:does|did|do)\s+(?:the\s+)?([A-Z]{2,})s?\s+stand\s+for\b", re.IGNORECASE)


def _expanded(question: str) -> str:
    match = _STANDS_FOR.search(question)
    return match.group(1).upper() if match else ""


def spelled_out(text: str, acronym: str) -> bool:
    """Whether ``text`` writes out ``acronym`` (a word in capitals): a name whose initials spell it."""
    return acronym.isupper() and len(acronym) > 1 and _spells(text, acronym)


def _spells(text: str, acronym: str) -> bool:
    """Whether ``text`` holds a name whose initials spell ``acronym`` ("National Transportation
    Safety Board" for NTSB; "of", "the", "and" do not count), or words in any case that it
    abbreviates where it is introduced ("liquefied natural gas, or LNG", "(LNG)")."""
    for span in _CAPITALISED_SPAN.finditer(text.replace("\u2019", "'")):
        # any run of the span: "Norway's Coastal Ferry Line" holds CFL (a run's initials are a
        # stretch of the span's, "of" and "the" giving none)
        if acronym in _initials(span.group(0).split()):
            return True
    for match in re.finditer(rf"\b{re.escape(acronym)}s?\b", text):
        introduced = _INTRODUCES.search(text[:match.start()])
        before = text[:introduced.start()].split() if introduced else []
        for take in range(1, min(len(before), 2 * len(acronym)) + 1):
            if acronym in (_initials(before[-take:]), _initials(before[-take:], hyphen_parts=True)):
                return True
    return False


_INTRODUCES = re.compile(r"(?:\s*\(|,?\s+or)\s*$")  # "... gas (LNG)", "... gas, or LNG"


def _initials(words: list[str], hyphen_parts: bool = False) -> str:
    """The initials of ``words`` as an acronym takes them ("of", "the", "and" left out): a
    hyphenated word gives one ("twenty-foot equivalent unit": TEU) or, with ``hyphen_parts``,
    one per part."""
    parts = [p for w in words for p in (w.split("-") if hyphen_parts else [w]) if p]
    return "".join(p[0] for p in parts if p.lower() not in ("of", "the", "and", "de")).upper()


_CALENDAR_QUESTION = re.compile(r"\b(?:which|what)\s+(month|year)\b", re.IGNORECASE)


def _calendar(question: str) -> str:
    match = _CALENDAR_QUESTION.search(question)
    return match.group(1).lower() if match else ""


_HOW_MUCH = re.compile(r"\bhow much\s+(?:" + "|".join(sorted(vocab.AUXILIARIES)) + r")\b", re.IGNORECASE)
_CLOCK_QUESTION = re.compile(r"\bwhat (?:time|hour)\b(?! (?:period|frame|span|of year))", re.IGNORECASE)
_DAY_PART_QUESTION = re.compile(r"\b(?:time|part) of (?:the )?day\b", re.IGNORECASE)
_PLACE_PHRASE = re.compile(r"\b(?:in|at|inside|from|near|on)\s+(?:the\s+)?((?:(?:[A-Z]\.){2,}\s*|[A-Z][\w'\u2019-]*\s*)+)")


# "When did Ann Lee resign", "how old is Ann Lee", "why did Norway send ships": the question is
# about the named subject, and a date, age or reason in a sentence that never mentions it (nor
# quotes it, nor resolves a pronoun to it) is someone else's. Who/which/what-did-X-say
# questions bind names in their own ways (``named``, ``speaker_terms``).
SUBJECT_BOUND_TYPES = frozenset({"date", "quantity", "reason", "response", "place", "description", "yesno"})
_SUBJECT_AFTER_AUX = re.compile(
    r"^(?i:(?:(?:when|where|why|how(?:\s+\w+)?|what(?:\s+\w+)?)\s+)?(?:" + "|".join(sorted(vocab.AUXILIARIES))
    + r")\s+(?:the\s+)?)(?P<name>[A-Z][\w'\u2019-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'\u2019-]*)*)")


# A name most of the articles use is the story's own subject, which they also call by a
# description ("the vessel", "the capital"): a sentence about it need not name it. (Dev: binding
# such names cost three answerable questions for one more out-of-corpus one declined.)
CENTRAL_NAME_SHARE = 0.5


def _subject_name(question: str, corpus: CorpusFacts) -> tuple[str, ...]:
    match = _SUBJECT_AFTER_AUX.match(question)
    if not match:
        return ()
    words = [re.sub(r"['\u2019]s$", "", w) for w in match.group("name").split()]
    words = [w for w in words if w not in vocab.COMMON_CAPITALISED and len(w) > 2 and not _is_time(w.lower())]
    if any(corpus.share(t) >= CENTRAL_NAME_SHARE for w in words for t in tokenize(w)):
        return ()
    return tuple(words)


def mentions_subject(analysis: QuestionAnalysis, text: str, speaker: str = "", subject: str = "") -> bool:
    """Whether a sentence is about the question's named subject: a word of its name (or one
    made from it: "Mexico", "Mexican") in the sentence, its speaker or the person its pronoun
    resolves to. Word vectors as aliases (capital for country) were tried on dev: they let
    back more out-of-corpus answers than they saved answerable ones."""
    if not analysis.subject_name:
        return True
    known = " ".join(filter(None, (text, speaker, subject)))
    return any(_named_in(word, known) for word in analysis.subject_name)


def _place_names(question: str) -> tuple[str, ...]:
    """The names of the place a count or a date is asked for: "in the Harbour Hall", "from the
    Nordic Star" (a name the question starts with is its subject, not a place)."""
    names = []
    for match in _PLACE_PHRASE.finditer(question):
        words = [w for w in match.group(1).split() if w not in vocab.COMMON_CAPITALISED and not _is_time(w.lower())]
        names += words
    return tuple(names)


def _count_names(phrase: list[str]) -> tuple[str, ...]:
    """The names that narrow what is counted: "Danish" in "how many Danish sailors"."""
    return tuple(w for w in phrase if w[:1].isupper() and w not in vocab.COMMON_CAPITALISED)


def _kind_noun_word(words: list[str]) -> Optional[str]:
    lower = [w.lower() for w in words]
    if not lower or lower[0] not in ("which", "what"):  # "which <noun>" / "what <noun>"
        return None
    for word in lower[1:5]:
        if word in vocab.AUXILIARIES or word in _BREAKS:
            return None
        if _is_kind_noun(word):
            return word
    return None


def _named_noun(words: list[str], answer_type: AnswerType) -> Optional[str]:
    """The noun whose name the question asks for: "which senator ...", "what is the name of
    her husband", "who was the officer who ...", "who were the six people arrested ..."."""
    if answer_type not in NAMED_TYPES:
        return None
    lower = [w.lower() for w in words]
    kind = _kind_noun_word(words)
    if kind is not None:
        return kind
    if len(lower) > 2 and lower[0] in ("what", "which") and lower[1] not in vocab.AUXILIARIES \
            and words[1][:1].islower() and lower[1] not in STOPWORDS:
        return _noun_phrase_head(words[1:])  # "which ship carried ...": the ship's name is asked
    if _describes_whom(lower):
        return _noun_phrase_head(words[5:] if lower[0] != "who" else words[3:])
    return None


# Bodies and places are often named with no noun of their kind ("run by Tidewater Lines",
# "reached Oslo"): the name of "the company that ran the ferry" may stand alone.
_NAMED_ALONE = vocab.ORGANISATION_NOUNS | vocab.PLACE_NOUNS


def _describes_whom(lower: list[str]) -> bool:
    """"What is the name of the officer who ...", "who was the officer who ...": the name of one
    individual the question describes, which a name in a sentence that never mentions that
    individual does not give (unlike "which network reported ...", whose answer often stands
    alone: "CNN reported ...")."""
    if len(lower) > 4 and lower[0] in ("what", "which") and lower[1] in vocab.BE_FORMS \
            and lower[2] in vocab.DETERMINERS and lower[3] in ("name", "names") and lower[4] == "of":
        return True
    return len(lower) > 3 and lower[0] == "who" and lower[1] in vocab.BE_FORMS and lower[2] in vocab.DETERMINERS


def _noun_phrase_head(words: list[str]) -> Optional[str]:
    """The last word of the noun phrase ``words`` opens: up to a preposition, a relative
    pronoun, an auxiliary or a participle after a noun ("the sailor killed in ...")."""
    phrase: list[str] = []
    for at, word in enumerate(words):
        lower = word.lower()
        if lower in _BREAKS or lower in vocab.AUXILIARIES or lower in ("who", "whom", "which", "whose"):
            break
        if lower == "and" and phrase:
            continue  # "the search and rescue officer": one noun phrase
        if lower in vocab.DETERMINERS or lower in STOPWORDS or _DIGITS.search(word) or lower in vocab.NUMBER_WORDS:
            if phrase:
                break
            continue
        if phrase and _verbish(word) and (lower.endswith(("ed", "ing")) or lower in _SPEECH_SURFACE
                                          or (lower.endswith("s") and _opens_object(words, at + 1))
                                          or (at + 1 < len(words) and words[at + 1].lower() in vocab.LOCATIVE_PREPOSITIONS)):
            break  # "the sailor killed in ...", "which union said ...", "what company owns the ...",
            # "which highway ran across ...": a verb
        phrase.append(word)
    return re.sub(r"['\u2019]s?$", "", phrase[-1].lower()) if phrase else None


NAMED_TYPES = frozenset({"person", "name", "organisation"})


def _opens_object(words: list[str], at: int) -> bool:
    """Whether ``words[at]`` opens a noun phrase (a determiner or a name): "owns the ship"."""
    return at < len(words) and (words[at].lower() in vocab.DETERMINERS or words[at][:1].isupper())


SPEECH_TERMS = frozenset(tokenize(vocab.SPEECH_WORDS_TEXT))
_SPEECH_FRAME = re.compile(
    r"^(?:what|how|why|when|where)\s+(?:did|does|do|has|had|was|is|would)\s+(?P<who>.+?)\s+"
    r"(?P<verb>" + vocab.SPEECH_FRAME_VERBS + r")"
    r"(?:\s+(?:about|on|regarding|concerning|of|that))?\s+(?P<topic>.+?)[?.!]*$",
    re.IGNORECASE)


def _speech_focus(frame: re.Match) -> tuple[str, ...]:
    """"What did X say about Y": the saying. "What did X say Y would cost": the clause's verb,
    which a statement must speak to (X saying something else does not answer it)."""
    about = re.match(r"\s+(?:about|on|regarding|concerning|of)\b", frame.string[frame.end("verb"):], re.IGNORECASE)
    clause = _words(frame.group("topic"))
    if clause and clause[0].lower() in vocab.TIME_CLAUSE_OPENERS:
        return (frame.group("verb").lower(),)  # "what did X say when the ferry docked": when, not what, is that clause
    if not about:
        inner = _clause_verb(clause)
        rest = clause[inner + 1:] if inner is not None else []
        if inner is not None and clause[inner].lower() in vocab.EVENT_VERBS and len(rest) > 1 \
                and rest[0].lower() in ("to", "of"):
            topic = _object_head(rest[1:])  # "what did X say would happen to the ledge": the ledge
            if topic:
                return (topic,)
        if inner is not None:
            return (clause[inner].lower(),)
    return (frame.group("verb").lower(),)


def _speech_subject(question: str) -> list[str]:
    """The stems of whoever "what did <who> say/tell/claim" asks about."""
    match = _SPEECH_FRAME.match(question.strip())
    return tokenize(match.group("who")) if match else []


def speech_topic(question: str) -> Optional[str]:
    """The subject of a who-said-what question, so dense scoring matches the *what*."""
    match = _SPEECH_FRAME.match(question.strip())
    return match.group("topic") if match else None


_RESPONSE_FRAME = re.compile(
    r"\b(?:respond|responded|react|reacted|reply|replied|answer|answered)\s+(?:to|with|on)\s+(?P<topic>.+?)[?.!]*$",
    re.IGNORECASE)


def response_topic(question: str) -> Optional[str]:
    """What a reaction answers ("the US accusations" in "how did X respond to the US
    accusations"), so that a denial of *that* ranks above other reactions."""
    match = _RESPONSE_FRAME.search(question)
    return match.group("topic") if match else None


def _named_speaker(text: str, speakers: frozenset[str]) -> Optional[str]:
    lower_speakers = {s.lower(): s for s in speakers}
    names = [w for w in _NAME_WORD.findall(text) if w not in vocab.COMMON_CAPITALISED]
    person = next((lower_speakers[w.lower()] for w in names if w.lower() in lower_speakers), None)
    if person is None:  # "what did okafor say" typed in lower case
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
    first = lower[0]
    if first in vocab.AUXILIARIES:
        return "yesno"
    wh_at = next((i for i, w in enumerate(lower[:3]) if w in _WH), None)
    if wh_at is None:
        return "statement" if speech else "description"
    wh, after = lower[wh_at], lower[wh_at + 1:]
    nxt = after[0] if after else ""
    if wh == "how" and (nxt in ("many", "much") or nxt in _HOW_ADJECTIVES
                        or (len(after) > 1 and nxt not in vocab.AUXILIARIES and after[1] in vocab.AUXILIARIES)):
        return "quantity"  # "how many", "how far", "how cold was ...": a measure
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
        if _asks_name(wh, after):
            return "name"
    if wh in ("who", "whom", "whose"):
        return "person"
    if wh in ("what", "how") and _asks_response(lower):
        return "response"
    if wh == "what" and nxt in vocab.REASON_VERBS:
        return "reason"
    if speech or any(w in vocab.CHARACTERISE_VERBS for w in lower):
        return "statement"
    return "description"


_WH = vocab.WH_WORDS


def _noun_kind(words: list[str]) -> Optional[AnswerType]:
    """The type a "which/what <noun>" asks for, from the first kind-noun before the verb
    ("what the mayor said" is not "what mayor": a determiner opens the subject)."""
    if words and words[0] in vocab.DETERMINERS:
        return None
    for word in words:
        if word in vocab.AUXILIARIES or word in _BREAKS:
            return None
        kind = next((kind for nouns, kind in _KIND_NOUNS if word in nouns), None)
        if kind is not None:
            return kind
    return None


def _asks_name(wh: str, after: list[str]) -> bool:
    """"Which ship ...", "what is the name of ...": the answer names one thing among others,
    so it is written with a capital (a name the question does not hold). "What weapons ..."
    may be answered in common nouns; "which" picks one out, and "the name of" says so."""
    if wh == "which":
        return bool(after) and after[0] not in vocab.AUXILIARIES and after[0] not in STOPWORDS \
            and after[0] not in _BREAKS
    at = 1 if after and after[0] in vocab.BE_FORMS else 0
    at += 1 if at < len(after) and after[at] in vocab.DETERMINERS else 0
    return after[at:at + 2] in (["name", "of"], ["names", "of"])


# The kind-nouns of "which/what <noun>" questions, in the order they are tried.
_KIND_NOUNS: tuple[tuple[frozenset[str], AnswerType], ...] = (
    (vocab.PERSON_NOUNS, "person"), (vocab.ORGANISATION_NOUNS, "organisation"), (vocab.PLACE_NOUNS, "place"),
    (vocab.TIME_NOUNS, "date"), (vocab.QUANTITY_WORDS, "quantity"), (vocab.MEASURE_NOUNS, "quantity"),
    (vocab.REASON_NOUNS, "reason"))


def _asks_response(lower: list[str]) -> bool:
    return any(w in vocab.RESPONSE_VERBS for w in lower)


def focus_of(words: list[str], answer_type: AnswerType) -> tuple[str, ...]:
    """The verb the question asks about and the head of its object ("carried ... denial").

    "Which agency carried X?" asks about the verb right after the wh-phrase. "wh AUX
    subject VERB object" asks about the verb after the subject: after a name, the first
    word that can be a verb; after "the ...", the first one that follows a noun ("did the
    transport ministry recommend" -> "recommend"), else the last one."""
    lower = [w.lower() for w in words]
    if len(lower) > 3 and lower[0] == "how" and lower[1] not in ("many", "much") and lower[2] in vocab.BE_FORMS:
        # "how cold was the water ...": a measure of the subject, whatever the adjective ("how far
        # did they swim" asks about the verb, as any "wh did X VERB" does)
        subject = _content(words[3:])
        return (subject[0].lower(),) if subject else ()
    kind_of = _kind_of(words)
    if kind_of is not None:
        return kind_of
    existential = _existential(words)
    if existential is not None:
        return existential
    start = _after_wh_phrase(words) if lower and lower[0] in _WH else 0
    predicate = _be_predicate(words, start)
    if predicate is not None:
        verb_at = predicate
        if verb_at < 0:
            return ()  # "how many passengers were aboard ...": a copula, nothing is done
    elif start < len(lower) and lower[start] not in vocab.AUXILIARIES and _verbish(words[start]):
        verb_at = start  # a subject question: the wh-phrase is the subject
    else:
        aux = next((i for i, w in enumerate(lower) if w in vocab.AUXILIARIES and i >= start), None)
        # no auxiliary: an embedded question ("tell me when the ferry sank") keeps the
        # statement's order, subject then verb
        verb_at = _verb_after_subject(words, start if aux is None else aux + 1)
    if verb_at is None:
        content = _content(words[start:])
        return tuple(w.lower() for w in content[-1:])
    verb, rest = lower[verb_at], words[verb_at + 1:]
    if aux_is_be(lower, verb_at) and verb.endswith("ed") and rest and rest[0].lower() == "by":
        # "how big was the drill held by ...": a copula question about its subject, not "held"
        subject = _content(words[:verb_at])
        return (subject[-1].lower(),) if subject else ()
    if (verb in vocab.CATENATIVES or verb in _SPEECH_SURFACE) and len(rest) > 1 and rest[0].lower() == "to":
        return focus_of(["did", "it"] + [w for w in rest[1:] if w.lower() != "be"], answer_type)
    if verb in vocab.CATENATIVES and "to" in [w.lower() for w in rest[1:5]]:
        # "did the council expect the repairs to cost more": about costing, whoever does it
        at = [w.lower() for w in rest].index("to", 1)
        if at + 1 < len(rest) and _verbish(rest[at + 1]) and not any(w.lower() in _BREAKS for w in rest[:at]):
            return focus_of(["did", "it"] + [w for w in rest[at + 1:] if w.lower() != "be"], answer_type)
    if verb in _COGNITION and answer_type != "statement" and rest:
        inner = _clause_verb(rest)  # "did she think the strike would end ...": about ending
        if inner is not None:
            return (rest[inner].lower(),) + tuple(o for o in [_object_head(rest[inner + 1:])] if o)
    if verb in vocab.EVIDENTIAL_VERBS and len(rest) > 1 and rest[0].lower() == "about":
        topic = _object_head(rest[1:])  # "what do the shipments reveal about X": X is asked about
        if topic:
            return (topic,)
    if verb in vocab.EVENT_VERBS and len(rest) > 1 and rest[0].lower() in ("to", "of"):
        topic = _object_head(rest[1:])  # "what happened to X", "what became of X": X is asked about
        if topic:
            return (topic,)
    obj = _object_head(rest)
    if verb in vocab.EVENT_VERBS or (verb in vocab.LIGHT_VERBS and obj == "place"):
        # "when did the crash happen", "when did the meeting take place": the event is asked about
        subject = [w for w in _content(words[start:verb_at]) if not _is_time(w.lower())]
        if subject:
            return (subject[-1].lower(),)
    if verb in vocab.LIGHT_VERBS and not obj:
        subject = _content(words[start:verb_at])  # "were sanctions put on X": the sanctions
        if not aux_is_be(lower, verb_at) and len(rest) > 1 and rest[0].lower() in _BREAKS:
            # "what figure did they put on the losses": the wh-phrase is the object, the losses the topic
            subject = [w for w in [_object_head(rest[1:])] if w] or subject
        return (verb,) + tuple(w.lower() for w in subject[-1:])
    return (verb,) + ((obj,) if obj and obj != verb else ())


_SPEECH_SURFACE = frozenset(vocab.SPEECH_WORDS_TEXT.split())
_COGNITION = vocab.COGNITION_VERBS


def _kind_of(words: list[str]) -> Optional[tuple[str, ...]]:
    """"What kind of boat ...", "what is the name of the ship's captain?": the kind or the
    name is the answer, the boat or the captain the focus (a sentence naming the ship does
    not speak to its captain)."""
    lower = [w.lower() for w in words]
    if len(lower) < 4 or lower[0] not in ("what", "which"):
        return None
    at = 1
    if lower[at] in vocab.BE_FORMS:
        at += 2 if lower[at + 1] in vocab.DETERMINERS else 1
    if at + 1 >= len(lower) or lower[at] not in vocab.KIND_WORDS or lower[at + 1] != "of":
        return None
    phrase = []
    for word in words[at + 2:]:  # the noun phrase after "of", up to its verb
        possessed = bool(phrase) and phrase[-1].endswith("'s")  # "the ferry's captain"
        if word.lower() in vocab.AUXILIARIES or word.lower() in _BREAKS or (_content(phrase) and _verbish(word)
                                                                             and not possessed):
            break
        if not _is_number(word):  # "the names of the two sailors": the sailors
            phrase.append(word)
    content = _content(phrase)
    return (content[-1].lower(),) if content else None


def _existential(words: list[str]) -> Optional[tuple[str, ...]]:
    """"Is there any sign (that) the fire was arson?", "has there been evidence of arson?":
    the question asks about the clause or the noun phrase after the noun, not about the sign.
    None when no clause or "of" follows ("is there a ferry to the island?": the usual reading)."""
    lower = [w.lower() for w in words]
    if len(lower) < 4 or lower[0] not in vocab.AUXILIARIES or lower[1] != "there":
        return None
    at = 3 if lower[2] == "been" else 2
    while at < len(lower) and (lower[at] in vocab.DETERMINERS or lower[at] == "no"):
        at += 1
    at += 1  # the noun: sign, evidence, chance ...
    if at >= len(lower):
        return None
    if lower[at] == "of":
        head = _object_head(words[at + 1:])
        return (head,) if head else None
    rest = words[at + 1:] if lower[at] == "that" else words[at:]
    aux = next((i for i, w in enumerate(rest) if w.lower() in vocab.AUXILIARIES), None)
    if aux is None:
        return None
    if rest[aux].lower() in vocab.BE_FORMS:  # "the collapse was a terrorist act": every word of the predicate
        predicate = _content(_phrase(rest[aux + 1:]))
        if predicate and not predicate[0].lower().endswith("ed"):
            return tuple(w.lower() for w in predicate)
    inner = _clause_verb(rest)
    if inner is None:
        return None
    return (rest[inner].lower(),) + tuple(o for o in [_object_head(rest[inner + 1:])] if o)


def _be_predicate(words: list[str], start: int) -> Optional[int]:
    """After a wh-phrase that is the subject and a form of "be": the participle of a passive
    ("were killed"), -1 for a copula ("were aboard the ferry"), None when a subject follows
    the "be" ("were the shipments made ...") and the usual reading applies."""
    if start <= 1 or start >= len(words) or words[start].lower() not in vocab.BE_FORMS:
        return None
    if start + 1 >= len(words):
        return -1
    after = words[start + 1]
    if after.lower() in vocab.DETERMINERS or after[:1].isupper() or after.lower() in vocab.SUBJECT_PRONOUNS:
        return None
    rest = [j for j in range(start + 1, len(words)) if words[j].lower() not in vocab.ADVERBS]
    return rest[0] if rest and _verbish(words[rest[0]]) else -1


def aux_is_be(lower: list[str], before: int) -> bool:
    """Whether the last auxiliary before ``before`` is a form of "be" (a copula question)."""
    aux = [w for w in lower[:before] if w in vocab.AUXILIARIES]
    return bool(aux) and aux[-1] in vocab.BE_FORMS


def _clause_verb(words: list[str]) -> Optional[int]:
    """The verb of a reported clause: after its auxiliary if it has one, else after its subject."""
    lead = 1 if words and words[0].lower() in vocab.CLAUSE_OPENERS else 0
    aux = next((i for i, w in enumerate(words) if w.lower() in vocab.AUXILIARIES), None)
    if aux is not None:
        verb = next((j for j in range(aux + 1, len(words)) if _verbish(words[j])), None)
        if words[aux].lower() in vocab.BE_FORMS and (verb is None or any(
                w.lower() in _BREAKS for w in words[aux + 1:verb])):
            # "the city's top priority was at that point": a copula, so the clause is about
            # its subject, not a word of the phrase after it
            subject = [j for j in range(lead, aux) if _content([words[j]])]
            return subject[-1] if subject else verb
        return verb
    return _verb_after_subject(words, lead)


def _verb_after_subject(words: list[str], at: int) -> Optional[int]:
    """The index of the verb after the subject that starts at ``at`` (None when none fits)."""
    if at >= len(words):
        return None
    i = at
    if words[i].lower() in vocab.SUBJECT_PRONOUNS and i + 1 < len(words) and words[i + 1][:1].islower() \
            and words[i + 1].lower() not in STOPWORDS:
        return i + 1  # "it carries out ...": after a pronoun, even a word in -s is the verb
    if words[i][:1].isupper():  # a named subject: the first verb after the name
        while i < len(words) and (words[i][:1].isupper() or words[i].lower() in ("of", "the")):
            i += 1
        verbs = [j for j in range(i, len(words)) if _verbish(words[j])]
        if verbs and verbs[0] == i and not words[i - 1].endswith("'s"):
            return i
        if not words[i - 1].endswith("'s"):  # "the City Council's deputy head ... call": the name is not all of it
            return _after_noun(words, verbs, i) or (verbs[0] if verbs else None)
    after = i + 2
    while after < len(words) - 1 and words[after].lower() in vocab.ADVERBS:
        after += 1  # "could the storm still hurt ...": an adverb between the subject and its verb
    if words[i].lower() in vocab.DETERMINERS and after < len(words) and (_verbish(words[after])
                                                                         or words[after].lower() in ("be", "been")):
        i = after  # "did the strike disrupt ...", "will the road be rebuilt": the word after a determiner is the subject's
    verbs = [j for j in range(i, len(words)) if _verbish(words[j])]
    found = _after_noun(words, verbs, at)
    if found is not None:
        return found
    chain = [j for j in verbs if not any(words[k].lower() in _BREAKS for k in range(verbs[0], j))]
    return _chain_end(chain, words)


def _after_noun(words: list[str], verbs: list[int], start: int) -> Optional[int]:
    """A verb right after a noun: "the launches disrupt", "the transport ministry recommend".

    After a plural it is the next word; after a singular noun it is the end of the run
    ("a Dutch harbour ferry cost" -> "cost"), since nouns modify nouns."""
    for j in verbs:
        if j == start:
            continue
        before = [w for w in words[start:j] if w.lower() not in STOPWORDS and w.lower() not in vocab.ADVERBS
                  and w.lower() not in vocab.AUXILIARIES]
        if not before or words[j - 1].lower() in _BREAKS:
            continue
        previous = before[-1].lower()
        if _plural(before[-1]):
            return j
        if before[-1][:1].islower() and (previous.endswith(vocab.NOUN_ENDINGS) or _is_kind_noun(previous)):
            return _chain_end([k for k in verbs if k >= j], words)
    return None


def _chain_end(chain: list[int], words: list[str]) -> Optional[int]:
    """In a run of words that could each be the verb, the last one when the run ends the
    clause ("a ticket cost?"), else the first ("disrupt ferry services": an object follows)."""
    if not chain:
        return None
    end = chain[0]
    for j in chain[1:]:
        if j != end + 1:
            break
        end = j
    after = words[end + 1].lower() if end + 1 < len(words) else ""
    return end if not after or after in _BREAKS or after in vocab.AUXILIARIES else chain[0]


def _plural(word: str) -> bool:
    lower = word.lower()
    return word[:1].islower() and lower.endswith("s") and not lower.endswith(("ss", "us", "is", "'s")) \
        and lower not in STOPWORDS


def _after_wh_phrase(words: list[str]) -> int:
    """Index of the first word after 'which (adjectives) noun' / 'who' / 'how many noun'."""
    lower = [w.lower() for w in words]
    wh = next((i for i, w in enumerate(lower) if w in _WH), 0)
    i = wh + 1
    if lower[wh] in ("who", "whom", "why", "when", "where") or i >= len(lower):
        return i
    if lower[wh] == "how":
        if lower[i] not in ("many", "much"):
            return i + 1 if lower[i] in _HOW_ADJECTIVES else i
        i += 1
    if lower[wh] == "what" and lower[i] in vocab.AUXILIARIES:
        return i
    if lower[wh] == "what" and _verbish(words[i]) and (i + 1 >= len(words) or words[i + 1][:1].isupper()
                                                        or lower[i + 1] in vocab.DETERMINERS or lower[i + 1] in _BREAKS):
        return i  # "what hit the bridge?": the wh-word is the subject, the verb follows it
    while i < len(lower) and lower[i] not in vocab.AUXILIARIES and (not _verbish(words[i]) or _is_kind_noun(lower[i])
                                                                      or i == wh + 1):
        i += 1
    return i


_HOW_ADJECTIVES = vocab.MEASURE_ADJECTIVES


def _is_kind_noun(word: str) -> bool:
    return word in vocab.PERSON_NOUNS or word in vocab.ORGANISATION_NOUNS or word in vocab.PLACE_NOUNS


_BREAKS = vocab.PHRASE_BREAKS


def _verbish(word: str) -> bool:
    """Could this word be the question's main verb? Names, stop words, adverbs and words
    that end like English nouns (-tion, -ment, plural -s ...) cannot."""
    lower = word.lower()
    if not word[:1].islower() or lower in STOPWORDS or lower in vocab.AUXILIARIES or lower in vocab.DETERMINERS \
            or lower in vocab.SUBJECT_PRONOUNS:
        return False
    if _DIGITS.search(word) or lower in vocab.NUMBER_WORDS or lower in vocab.QUANTITY_WORDS or lower in _WH:
        return False
    if _is_time(lower):
        return False  # "last year", "on Monday": when, not what was done
    if lower in vocab.ADVERBS or (lower.endswith("ly") and not lower.endswith("ply") and len(lower) > 5):
        return False
    if lower.endswith(vocab.NOUN_ENDINGS) or (lower.endswith("s") and not lower.endswith(("ss", "us", "is"))):
        return lower.endswith("ed") or lower in _SPEECH_SURFACE or lower == "try"
    return not _is_kind_noun(lower) or lower in vocab.RESPONSE_VERBS


def _object_head(rest: list[str]) -> Optional[str]:
    """The last content word of the noun phrase right after the verb, if one follows it."""
    content = [w for w in _content(_phrase(rest)) if not _is_time(w.lower())]  # "sell last year": not the year
    return content[-1].lower() if content else None


def _phrase(rest: list[str]) -> list[str]:
    """The words of the phrase ``rest`` opens, up to a break, an auxiliary or a participle after its noun."""
    phrase: list[str] = []
    for word in rest:
        if word.lower() in _BREAKS or word.lower() in vocab.AUXILIARIES:
            break
        if _content(phrase) and word.lower().endswith("ing") and len(word) > 5:
            break  # "the missile heading toward ...": a participle after the noun modifies it
        phrase.append(word)
    return phrase


def _is_time(lower: str) -> bool:
    return lower in vocab.TIME_NOUNS or lower in vocab.RELATIVE_DATES or lower in vocab.MONTHS \
        or lower in vocab.WEEKDAYS


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w[:1].islower() and w.lower() not in STOPWORDS and w.lower() not in vocab.AUXILIARIES
            and w.lower() not in vocab.ADVERBS and not _DIGITS.search(w)]


_IRREGULAR = {form: verb for verb in vocab.IRREGULAR_VERBS for form in verb}


def lexical_query(analysis: QuestionAnalysis, corpus: CorpusFacts) -> str:
    """The question for BM25, with the corpus words near its focus in meaning added: a focus the
    articles word otherwise ("lunchtime": "lunch hour") still finds their sentences. Verbs nearly
    empty of meaning are not widened ("made": "manufacture" would pull in other sentences). Dev,
    session 26: recall +0.003 to +0.015 on the four stories, out-of-corpus declined -1 on one."""
    widened = tuple(w for w in analysis.focus if w.lower() not in vocab.LIGHT_VERBS | vocab.EVENT_VERBS)
    added = focus_terms(widened, corpus) - set(tokenize(analysis.text)) if widened else set()
    return " ".join([analysis.text] + sorted(added))


def focus_terms(focus: tuple[str, ...], corpus: CorpusFacts) -> set[str]:
    """The corpus terms that support the focus: its own stems and the words near it in meaning."""
    stems = [tokenize(word) for word in focus]
    terms = {t for s in stems for t in s}
    terms |= {t for word in focus for form in _IRREGULAR.get(word.lower(), ()) for t in tokenize(form)}  # "send": "sent"
    terms |= set(derived(sorted(terms), corpus.knows))  # "owns": the owner, "pay": the payment
    if corpus.vectors is None or not focus:
        return terms
    vectors = [corpus.vectors.vector(word_stems[0]) if word_stems else None for word_stems in stems]
    unknown = [word for word, vector in zip(focus, vectors) if vector is None]
    if unknown and corpus.embed is not None:  # words the corpus never uses: one pass through the model
        embedded = dict(zip(unknown, corpus.embed(unknown)))
        vectors = [embedded[word] if vector is None else vector for word, vector in zip(focus, vectors)]
    for vector in vectors:
        if vector is not None:
            terms |= corpus.vectors.near(vector, FOCUS_SIMILARITY)
    return terms


# ---- sentences -------------------------------------------------------------------------------


def has_candidate(analysis: QuestionAnalysis, text: str, corpus: Optional[CorpusFacts] = None,
                  speaker: str = "") -> bool:
    """Whether ``text`` carries a candidate of the answer type the question expects."""
    kind = analysis.answer_type
    if analysis.expands:
        return _spells(text, analysis.expands)
    if analysis.place_names and not any(_named_in(n, text) for n in analysis.place_names):
        return False  # a count or a date of something elsewhere
    if kind == "quantity":
        if analysis.count_names and not all(_named_in(name, text) for name in analysis.count_names):
            return False
        text = _without_given_numbers(text, analysis.text)
        if analysis.amount:
            return _has_amount(text)
        if analysis.age:
            return bool(_AGE.search(text))
        if analysis.units:
            return _measured_in(text, analysis.units)
        if not analysis.counted_terms:
            return _has_quantity(text)
        return _counts(text, analysis.counted_terms, measure=analysis.counted in vocab.MEASURE_NOUNS)
    if kind == "date":
        if analysis.calendar == "month":
            return bool(_lower_words(text) & vocab.MONTHS)
        if analysis.calendar == "year":
            return bool(_YEAR.search(text))
        if analysis.day_part and _DAY_PART.search(text):
            return True
        return bool(_CLOCK_TIME.search(text)) if analysis.clock else _has_date(text)
    if kind == "reason":
        verb = frozenset(tokenize(analysis.focus[0])) if analysis.focus else frozenset()
        return bool(vocab.REASON_MARKERS.search(text)) or _purpose_after_focus(text, verb)
    if kind == "response":
        return bool(_lower_words(text) & vocab.RESPONSE_MARKERS)
    if kind == "statement":
        return _is_statement(text, speaker) and _by_the_asked_speaker(analysis, text, speaker)
    if kind in NAMED_TYPES and analysis.named:
        bound = _names_where_it_mentions(text, analysis, speaker)
        if bound is not None or (analysis.described and analysis.named not in _NAMED_ALONE):
            return bool(bound)
    if kind == "person":
        return _has_person(text, analysis, corpus, speaker)
    if kind == "organisation":
        return _has_organisation(text, analysis, corpus)
    if kind in ("place", "name"):
        return _has_name(text, analysis, corpus)
    return True


def left_unnamed(analysis: QuestionAnalysis, text: str) -> bool:
    """Whether ``text`` speaks of the thing whose name is asked without naming it: "taken to a
    hospital" for "which hospital". An indefinite article says the writer does not name it
    there; "the ferry" may be named in the next sentence."""
    stem = tokenize(analysis.named)[:1] if analysis.named else []
    if not stem or analysis.answer_type not in NAMED_TYPES:
        return False
    words = _words(text)
    for at, word in enumerate(words):
        if word in ("a", "an"):
            for noun in words[at + 1:at + 4]:  # "a hospital", "an area hospital"
                if not noun[:1].islower():
                    break  # "a Mercy Hospital ward" names it
                if _stands_for(noun, stem):
                    return True
    return False


def _names_where_it_mentions(text: str, analysis: QuestionAnalysis, speaker: str) -> Optional[bool]:
    """A sentence that mentions the thing whose name is asked ("her husband", "a search and
    rescue officer") answers only with a name bound to that mention: right before or after it
    ("Sen. Ada Okafor", "spokesman Tom Reyes", "a Harbour Lines repair crew"), in
    apposition ("Ann Lee, the council's spokeswoman,"), or as the speaker it titles. A name
    elsewhere in it names something else. None for a sentence that does not mention the thing:
    the other checks decide."""
    stem = tokenize(analysis.named)[:1]
    mentions = [m for m in _WORD.finditer(text) if _stands_for(m.group(0), stem)] if stem else []
    if not mentions:
        return None
    asked = _asked(analysis)
    if speaker and speaker.lower() not in asked and _titled(text, speaker, frozenset(stem)):
        return True
    names = [m for m in _CAPITALISED_SPAN.finditer(text)
             if any(_name_word(w, asked, stem) for w in m.group(0).split())]
    return any(_bound(text, name, mention) for name in names for mention in mentions)


def _stands_for(word: str, stem: list[str]) -> bool:
    """Whether ``word`` is the noun of ``stem`` or a title abbreviated ("Sen." for senator)."""
    full = vocab.TITLE_ABBREVIATIONS.get(word.lower().rstrip("."), word) if word[:1].isupper() else word
    return tokenize(full)[:1] == stem


def _name_word(word: str, asked: set[str], stem: list[str]) -> bool:
    """A word of a name that could answer (``_new_name_word``), not a number nor the mention
    itself ("One Scot" names nobody)."""
    return (_new_name_word(word, asked) and word.lower().strip("'\u2019s") not in vocab.NUMBER_WORDS
            and not _stands_for(word, stem))


def _new_name_word(word: str, asked: set[str]) -> bool:
    """A capitalised word that names something the question does not: not a common capitalised
    word, a stop word or a pronoun ("Anyone on the streets ..." names nobody)."""
    lower = word.lower()
    return (word not in vocab.COMMON_CAPITALISED and lower not in STOPWORDS and lower not in vocab.SUBJECT_PRONOUNS
            and lower.strip("'\u2019s") not in asked and lower not in asked)


_BEFORE_NOUN = re.compile(r"^(?:'s|\u2019s)?(?:\s+[a-z][\w-]*){0,3}\s+$")  # "a Harbour Lines repair crew"
_NEW_PHRASE = re.compile(r"\b(?:and|or)\s+(?:" + "|".join(sorted(vocab.DETERMINERS | vocab.NUMBER_WORDS)) + r"|\d[\d,.]*)\b",
                         re.IGNORECASE)
_AFTER_NOUN = re.compile(r"^\.?,?\s+(?:(?:named|called)\s+)?$")  # "spokesman Tom Reyes", "a man named Ali"
_APPOSITION = re.compile(r"^\s*,\s+[^,.;:!?]{0,60}$")  # "Ann Lee, the council's spokeswoman"
# Copulas: "the owner of the ferry is Harbour Lines", "Ann Lee is the council's spokeswoman"
_NOUN_IS = re.compile(r"^(?:\s+(?:of|for|at|in|on)\s+[^,.;:!?]{0,40})?,?\s+(?:is|was|are|were)\s+$")
_IS_NOUN = re.compile(r"^\s+(?:is|was|are|were)\s+(?:the|a|an)\s+(?:[\w'\u2019-]+\s+){0,3}$")


def _bound(text: str, name: re.Match, mention: re.Match) -> bool:
    if name.end() <= mention.start():
        between = text[name.end():mention.start()]
        if _NEW_PHRASE.search(between):
            return False  # "one Swede and two Danes": the Swede is not one of the Danes
        return bool(_BEFORE_NOUN.match(between) or _APPOSITION.match(between) or _IS_NOUN.match(between))
    if mention.end() <= name.start():
        between = text[mention.end():name.start()]
        return bool(_AFTER_NOUN.match(between) or _NOUN_IS.match(between))
    return True  # the mention is inside the name: "the Transport Department"


def _named_in(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` or a word made from it ("Thai", "Thailand"; "Mexican", "Mexico";
    "Hawks", "HAWK")."""
    if re.fullmatch(r"(?:[A-Z]\.){2,}", name):  # "U.S.": "U.S." or "US", not any word starting with "u"
        letters = name.replace(".", "")
        return any(w.strip(",;:()\"'\u2019\u201c\u201d").replace(".", "") == letters for w in text.split())
    stem = (tokenize(name)[:1] or [name.lower()])[0][:5]
    return any(w.lower().startswith(stem) for w in _words(text))


def _by_the_asked_speaker(analysis: QuestionAnalysis, text: str, speaker: str) -> bool:
    """A statement answers "what did X say" only when X made it: X is its speaker (found at
    ingest), or it has none and names X ("The council declared ..."). The mayor's words
    about the minister do not say what the minister said."""
    asked = analysis.speaker_terms
    if not asked:
        return True
    if speaker:
        return bool(set(tokenize(speaker)) & asked) or _titled(text, speaker, asked)
    needed = len(asked) if len(asked) <= 3 else round(len(asked) * 2 / 3)
    return len(asked & _speaking_side(text)) >= needed


def _speaking_side(text: str) -> set[str]:
    """The stems of whoever a sentence without a speaker reports: the words before its first
    verb of saying and just after it ("The council declared ...", "..., said the council",
    "according to the council"). The words of "sanctions on the drone makers" in a sentence
    whose subject vowed something do not make the drone makers speak."""
    words = _words(text)
    verbs = [i for i, w in enumerate(words) if set(tokenize(w)) & _REPORTING_STEMS]
    if not verbs:
        return set(tokenize(text))  # a quotation without a verb of saying: anyone it names
    near = [w for verb in verbs for w in _before_verb(words, verb) + words[verb + 1:verb + 1 + SPEAKER_WINDOW // 2]]
    if not re.search(r"[,;:\"\u201c\u201d(]", text[:text.find(words[verbs[0]])]):
        near += words[:verbs[0]]  # one subject up to the verb, however long: "A manager for the firm that ... said"
    return {t for w in near for t in tokenize(w)}


SPEAKER_WINDOW = 8  # words before a verb of saying that may name its subject ("The city's deputy mayor, Ada Okafor, said")


def _before_verb(words: list[str], verb: int) -> list[str]:
    """The SPEAKER_WINDOW words before a verb of saying, auxiliaries not counted ("an official
    with the port authority can be heard saying")."""
    taken: list[str] = []
    at = verb - 1
    while at >= 0 and len(taken) < SPEAKER_WINDOW:
        if words[at].lower() not in vocab.AUXILIARIES and words[at].lower() not in ("be", "been", "being"):
            taken.append(words[at])
        at -= 1
    return taken


def _titled(text: str, speaker: str, asked: frozenset[str]) -> bool:
    """Whether the words just before the speaker's name describe whom the question asks
    about: "what did the rear admiral say" and "... said Rear Admiral Ada Okafor"."""
    words = _words(text)
    for i, word in enumerate(words):
        if word == speaker:
            before = {t for w in words[max(0, i - 6):i] for t in tokenize(w)}
            if len(before & asked) * 2 >= len(asked):
                return True
    return False


def _is_statement(text: str, speaker: str) -> bool:
    return bool(speaker) or '"' in text or "\u201c" in text or bool(set(tokenize(text)) & _REPORTING_STEMS)


_REPORTING_STEMS = frozenset(tokenize(" ".join(sorted(vocab.REPORTING_VERBS | vocab.FINDING_VERBS))))


def supports_focus(analysis: QuestionAnalysis, text: str, speaker: str = "") -> bool:
    """Whether ``text`` says something about the question's focus (exact, stem or meaning)."""
    if not analysis.focus:
        return True
    if analysis.expands:
        return _spells(text, analysis.expands)
    terms = set(tokenize(text)) | (set(tokenize(speaker)) if speaker else set())
    if analysis.about_terms and not terms & analysis.about_terms:
        return False  # X's words on something else do not say what X said about this
    if terms & analysis.focus_terms or _negated_forms(terms) & analysis.focus_terms:
        return True
    if any(word in vocab.RESPONSE_VERBS for word in analysis.focus):
        return bool(_lower_words(text) & vocab.RESPONSE_MARKERS)
    speech = [word in _SPEECH_SURFACE or word in vocab.REPORTING_VERBS for word in analysis.focus]
    if any(speech) and all(said or word in vocab.LIGHT_VERBS for said, word in zip(speech, analysis.focus)):
        # "what did X tell ...", "which agency reported ...", "when did X make the remarks":
        # any statement speaks to it
        return _is_statement(text, speaker)
    return False


def _negated_forms(terms: set[str]) -> set[str]:
    """The stems that prefixed words negate: "declassified" speaks to "classified", "undisclosed"
    to "disclosed" (the opposite is still the answer to "is it still classified?")."""
    return {t[len(p):] for t in terms for p in vocab.NEGATING_PREFIXES if t.startswith(p) and len(t) - len(p) >= 6}


def addresses(analysis: QuestionAnalysis, sentence_text: str, corpus: Optional[CorpusFacts] = None,
              speaker: str = "", source_text: str = "") -> bool:
    """Whether a sentence answers the question: a candidate of the expected type, and the focus.
    ``source_text``, for a generated sentence, is the source sentence that supports it: the
    focus may be there (a rewording drops the question's word), the candidate may not."""
    if not has_candidate(analysis, sentence_text, corpus, speaker):
        return False
    return supports_focus(analysis, sentence_text, speaker) or bool(
        source_text and supports_focus(analysis, source_text, speaker))


def _purpose_after_focus(text: str, focus: frozenset[str]) -> bool:
    """The focus verb followed by its purpose or cause: "striking to keep what we have",
    "striking for more money", "closed over safety fears"."""
    words = _words(text)
    return any(tokenize(word)[:1] and tokenize(word)[0] in focus and words[i + 1].lower() in vocab.PURPOSE_WORDS
               for i, word in enumerate(words[:-1]))


def _lower_words(text: str) -> set[str]:
    """The words of ``text``, hyphenated compounds also split ("eight-month-old")."""
    words = {w.lower() for w in _words(text)}
    return words | {part for w in words if "-" in w for part in w.split("-") if part}


def _without_given_numbers(text: str, question: str) -> str:
    """``text`` without the numbers the question states: "how many of the nine ferries were
    late" is not answered by "nine ferries sailed"."""
    given = {w.lower() for w in _words(question) if _is_number(w)}
    if not given:
        return text
    return _WORD.sub(lambda m: "" if m.group(0).lower() in given else m.group(0), text)


_AGE = re.compile(r"\b[\w.]+-(?:year|month|week|day)s?-old\b|\b(?:aged|age)\s+\d|\b[A-Z][\w'\u2019-]+\s+\(\d{1,3}\)"
                  r"|\b\w+\s+(?:years|months)\s+old\b"
                  r"|\b[A-Z][\w'\u2019-]+,\s+\d{1,3},\s")  # news style: "Ann Lee, 38, said"


_GLUED_UNIT = re.compile(r"\d[\d,.]*([a-z/]+)")  # "948ft", "10km"
_CURRENCY_OR_SHARE = re.compile("[" + vocab.CURRENCY_SIGNS + r"]\s?\d|\d\s?%")  # "$50", "NZ$ 40m", "11%"


def _measured_in(text: str, units: frozenset[str]) -> bool:
    """A number in one of ``units``: "185 feet", "a 1.6-mile span", "948ft", "10km"; or a unit
    of length with an article for the number: "a kilometre", "a hazardous kilometre". (Not a
    time: "a day" is as often a rate or a date, "cars a day", "a week ago"; dev: one
    out-of-corpus "how long" answered by it.)"""
    words = _words(text)
    for i, word in enumerate(words):
        lower = word.lower()
        if lower in ("a", "an") and not units & vocab.TIME_UNITS:
            following = [w.lower().strip(".") for w in words[i + 1:i + 3]]
            if following[:1] and following[0] in units:
                return True
            if len(following) == 2 and following[1] in units and words[i + 1].isalpha() and words[i + 1].islower():
                return True
        parts = lower.split("-")
        if len(parts) > 1 and any(_is_number(p) and q in units for p, q in zip(parts, parts[1:])):
            return True
        glued = _GLUED_UNIT.fullmatch(lower)
        if glued and glued.group(1) in units:
            return True
        if _is_number(word) and i + 1 < len(words) and words[i + 1].lower().strip(".") in units:
            return True
    return False


def _has_amount(text: str) -> bool:
    """A number that is an amount, not a count of things: "$50", "6 billion", "95,000 tons",
    "4,679 TEU", "two minutes", "11 percent"; not "hundreds of drones" nor "three Danish ferries"."""
    if _CURRENCY_OR_SHARE.search(text):
        return True
    words = _words(text)
    for i, word in enumerate(words):
        if not _is_number(word) or _YEAR.fullmatch(word):
            continue
        if _amount_follows(words[i + 1:i + 4]):
            return True
    return False


def _amount_follows(following: list[str]) -> bool:
    """Whether the words after a number make it an amount: a unit or a currency comes before
    any plural noun ("two minutes", "12 billion kronor", "6 billion" alone); "three other
    ferries" and "three hundred ferries" count ferries."""
    for word in following:
        lower = word.lower()
        if lower in vocab.UNITS or lower in vocab.CURRENCY_WORDS:
            return True
        if _plural(word) and lower.rstrip("s") not in vocab.SCALE_WORDS:
            return False
    return True


def _has_quantity(text: str) -> bool:
    """A number: digits or a number word. "A significant number" says there is an amount, not
    how many; such a sentence is shown as related, under the line saying the articles do not
    give the figure."""
    words = _lower_words(text)
    return bool(_DIGITS.search(text) or words & vocab.NUMBER_WORDS)


def _counts(text: str, counted: frozenset[str], measure: bool = False) -> bool:
    """A number within a few words of what the question counts: "all 22 crew", "at least
    10 ferries", "millions of passengers", "the crossing is the 29th" (not a time elsewhere)."""
    words = _words(text)
    # a measure ("an altitude of 3,200 metres") is answered by a number with its unit
    counts = [j for j, w in enumerate(words) if (_is_number(w) if measure else
                                                 _is_count(w, words[j + 1] if j + 1 < len(words) else ""))]
    for i, word in enumerate(words):
        stems = tokenize(word)
        if _rate(words, i):
            continue  # "31,000 cars a day": a rate per day, not a number of days
        if stems and stems[0] in counted and any(j != i and i - 4 <= j <= i + 4 for j in counts):
            return True
        if _counted_compound(word, counted):
            return True
    return False


def _rate(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` is the unit of a rate: "per hour", "every week", "vehicles a year"."""
    before = words[i - 1].lower() if i else ""
    return before in ("per", "each", "every") or (before in ("a", "an") and words[i].lower() in vocab.TIME_UNITS)


def _counted_compound(word: str, counted: frozenset[str]) -> bool:
    """A number joined to what it counts: "a four-lane span", "a 12-storey block"."""
    parts = word.split("-")
    return len(parts) > 1 and _is_number(parts[0]) and any(t in counted for p in parts[1:] for t in tokenize(p))


def _is_count(word: str, following: str) -> bool:
    """A number that counts things: "22", "100,000", "three", "millions"; not a length or a
    time ("948ft", "57 kilometers", "0527 GMT"), which measure rather than count."""
    if _DIGITS.search(word):
        pure = re.fullmatch(r"\d[\d,.]*(?:st|nd|rd|th)?", word) is not None
        return pure and following.lower().strip(".") not in vocab.UNITS
    return _is_number(word)


def _is_number(word: str) -> bool:
    lower = word.lower()
    parts = set(lower.split("-"))
    return bool(_DIGITS.search(word) or parts & vocab.NUMBER_WORDS)


def _has_date(text: str) -> bool:
    words = _lower_words(text)
    return bool(_YEAR.search(text) or re.search(r"\b\d{1,2}[/-]\d{1,2}\b|\b\d{4}-\d\d-\d\d\b", text)
                or _TIME_OF_DAY.search(text)
                or words & vocab.MONTHS or words & vocab.WEEKDAYS or words & vocab.RELATIVE_DATES)


# "what time" is answered by the clock: "12:51 p.m.", "at 9.30", "0527 GMT", noon or midnight;
# "when" also by a time of day without one ("overnight", "at dawn")
_CLOCK = (r"\b\d{1,2}(?:[:.]\d\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\bat \d{1,2}[:.]\d\d\b"
          r"|\b\d{4}\s*(?:GMT|UTC)\b|\b(?:noon|midnight)\b")
_CLOCK_TIME = re.compile(_CLOCK, re.IGNORECASE)
_TIME_OF_DAY = re.compile(_CLOCK + r"|\b(?:overnight|dawn)\b", re.IGNORECASE)
_DAY_PART = re.compile(r"\b(?:" + "|".join(vocab.DAY_PARTS) + r")\b", re.IGNORECASE)


def _asked(analysis: QuestionAnalysis) -> set[str]:
    """The names the question itself holds, lower-cased: a sentence naming only them names no answer."""
    text = f"{analysis.text} {analysis.recased}"
    return {w.lower() for w in _NAME_WORD.findall(text)} | {w.lower() for w in _ACRONYM.findall(text)}


def _has_person(text: str, analysis: QuestionAnalysis, corpus: Optional[CorpusFacts], speaker: str) -> bool:
    """A person the question does not name: a speaker found at ingest, or a capitalised name
    after a word for a kind of person ("spokeswoman Ada Okafor", "ambassador ... Brandt")."""
    asked = _asked(analysis)
    if speaker and speaker.lower() not in asked and (_asks_speech(analysis) or re.search(rf"\b{re.escape(speaker)}\b", text)):
        return True  # "..., he said": who says it, not who did what is asked (unless saying is asked)
    if analysis.kind_noun is None and (_has_organisation(text, analysis, corpus)
                                       or _has_name(text, analysis, corpus)):
        return True  # "who" is answered by a person, a body or a country alike
    if corpus is not None and any(s.lower() not in asked and re.search(rf"\b{re.escape(s)}\b", text)
                                  for s in corpus.speakers):
        return True
    for match in _ROLE_NAME.finditer(text):
        if match.group(1).lower() in vocab.PERSON_NOUNS and match.group(2).split()[-1].lower() not in asked:
            return True
    return False


def _asks_speech(analysis: QuestionAnalysis) -> bool:
    return analysis.speech or any(w in _SPEECH_SURFACE or w in vocab.REPORTING_VERBS for w in analysis.focus)


def _has_organisation(text: str, analysis: QuestionAnalysis, corpus: Optional[CorpusFacts]) -> bool:
    """A body the question does not name: an outlet of the corpus, an acronym, a capitalised
    name with a word for a body in it ("Transport Department") or right after one ("agency AFP",
    "ferry operator Tidewater")."""
    asked = _asked(analysis)
    if corpus is not None and any(o and o in text and o.lower() not in asked for o in corpus.outlets):
        return True
    if any(a.lower().rstrip("s") not in asked and a.lower() not in asked for a in _ACRONYM.findall(text)):
        return True
    for span in _CAPITALISED_SPAN.finditer(text):
        words = span.group(0).split()
        if any(w.lower() in vocab.ORGANISATION_NOUNS for w in words) and not all(w.lower() in asked for w in words):
            return True
    if any((m.group(1).lower() in vocab.ORGANISATION_NOUNS or m.group(1).lower() in vocab.COMPANY_DESCRIPTORS)
           and m.group(2).split()[0].lower() not in asked for m in _ROLE_NAME.finditer(text)):
        return True
    return any(m.group(2).lower() in vocab.ORGANISATION_NOUNS and m.group(1).split()[-1].lower() not in asked
               for m in _NAME_ROLE.finditer(text))


_NAME_ROLE = re.compile(r"\b((?:[A-Z][\w'\u2019-]+\s+){1,4})(?:[a-z]+\s+)?([a-z]+)\b")
_ROLE_NAME = re.compile(r"\b([a-z]+)\s+((?:[A-Z][\w'\u2019-]+\s*){1,4})")


def _has_name(text: str, analysis: QuestionAnalysis, corpus: Optional[CorpusFacts]) -> bool:
    """A capitalised span or acronym the question does not itself contain, or a known outlet."""
    asked = _asked(analysis)
    if corpus is not None and any(o and o in text and o.lower() not in asked for o in corpus.outlets):
        return True
    words = [w for m in _CAPITALISED_SPAN.finditer(text) for w in _name_words(m, text, corpus)]
    words += _ACRONYM.findall(text)
    return any(_new_name_word(w, asked) for w in words)


def _name_words(span: re.Match, text: str, corpus: Optional[CorpusFacts]) -> list[str]:
    """The words of a capitalised span that may name something: a sentence's first word is
    capitalised by position, and names something only when the corpus never writes it in
    lower case ("Another worker survived" names nobody; "Oslo said" does)."""
    words = span.group(0).split()
    first = not text[:span.start()].strip(" \"'\u201c\u2018([-\u2014")
    if first and corpus is not None and corpus.proper and words[0].lower() not in corpus.proper:
        return words[1:]
    return words
