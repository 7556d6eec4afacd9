"""Who makes a claim when it is no person: "the White House said", "according to the agency",
"..., the statement said", "Western media outlets reported".

attribution.py stores a sentence's speaker only when the article shows it is a person. A
claim is also attributed to governments, agencies, statements and reports, so this module
reads the subject of the sentence's speech verb as a noun phrase, whatever it names. It
returns '' when the sentence has no speech verb outside its quotations (the outlet states
it itself) or when the verb's subject is a pronoun or no noun phrase.
"""

from __future__ import annotations

import re
from typing import Optional

from .people import outside, quote_spans
from .vocabulary import (ATTRIBUTION_VERBS, FUNCTION_WORDS, LOCATIVE_PREPOSITIONS, MONTHS, SUBJECT_VERB_FILLERS,
                         WEEKDAYS)

_TOKEN = re.compile(r"[^\W\d_][\w.'\u2019-]*|\d[\w.,]*")
_ACCORDING = re.compile(r"\baccording to\s+", re.IGNORECASE)
# Where a subject phrase cannot reach back across: a clause or a quotation ends there.
_BOUNDARY = re.compile("[,;:\"\u201c\u201d()\\[\\]\u2014]")
# Inner words of an organisation's or an office's name ("Ministry of Defence", "Chiefs of
# Staff", "Department for Education"): function words that do not end a subject phrase.
_PARENTHESIS = re.compile(r"\([^()]*\)\s*$")
_CONNECTORS = frozenset({"of", "for", "and", "the"})
_ARTICLES = frozenset({"the", "a", "an"})
# Words that make a speech-verb-looking word a noun ("the claims", "its reports").
_NOUN_MARKERS = frozenset({"the", "a", "an", "these", "those", "its", "their", "his", "her", "our", "such", "any"})
# Time words between a subject and its verb ("the administration in August said").
_TIME_WORDS = MONTHS | WEEKDAYS | {"week", "month", "year", "today", "yesterday", "morning", "evening", "night"}
_TIME_LEADS = frozenset({"in", "on", "last", "this", "earlier", "late", "early"})
_PRONOUNS = frozenset({"it", "they", "we", "he", "she", "i", "you", "him", "her", "them", "us", "me", "who",
                       "which", "that", "this", "there"})
MAX_PHRASE_WORDS = 14  # an office's full name can be long ("vice director of ... of the Ministry of ...")


def claimant(sentence: str) -> str:
    """The noun phrase a sentence attributes its statement to, or ''.

    A verb after the sentence's last quotation comes first ('"...," the statement said'):
    it says whose the quoted words are; otherwise the first speech verb with a subject."""
    spans, _ = quote_spans(sentence, False)
    verbs = _speech_verbs(sentence, spans)
    if spans:
        closing = [v for v in verbs if v[0] >= spans[-1][1]]
        verbs = closing + [v for v in verbs if v[0] < spans[-1][1]]
    for start, end, according in verbs:
        phrase = _object_phrase(sentence, end) if according else _subject_phrase(sentence[:start])
        if phrase is None:  # "he said", "according to them": whoever it is, not a later verb's subject
            return ""
        if phrase:
            return phrase
    return ""


def _speech_verbs(sentence: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """(start, end, is "according to") of the speech verbs outside quotations, in order."""
    found = [(m.start(), m.end(), True) for m in _ACCORDING.finditer(sentence) if outside(spans, m.start())]
    for match in _TOKEN.finditer(sentence):
        word = match.group().rstrip(".")  # the token pattern keeps dots for "U.S.", not for "said."
        if word in ATTRIBUTION_VERBS and outside(spans, match.start()):  # lowercase only: "States" is a name
            before = sentence[:match.start()].split()
            if not before or before[-1].lower() not in _NOUN_MARKERS:
                found.append((match.start(), match.start() + len(word), False))
    return sorted(found)


def _subject_phrase(left: str) -> Optional[str]:
    """The noun phrase ending right before a speech verb, read backwards from it."""
    left = _PARENTHESIS.sub(" ", left)  # "the Command (USINDOPACOM) said": the abbreviation is an aside
    cut = max((m.end() for m in _BOUNDARY.finditer(left)), default=0)
    words = _TOKEN.findall(left[cut:])
    words = _strip_fillers(words)
    phrase: list[str] = []
    for position in range(len(words) - 1, -1, -1):
        word, lower = words[position], words[position].lower()
        if len(phrase) >= MAX_PHRASE_WORDS or word in ATTRIBUTION_VERBS:  # "States" is a name
            break
        if lower in FUNCTION_WORDS and lower not in _CONNECTORS:
            if not phrase and lower in _PRONOUNS:
                return None
            if phrase and lower in LOCATIVE_PREPOSITIONS and _head_noun_phrase(words[:position]):
                phrase = words[:position + 1] + phrase  # "Officials in the city said": the head is before "in"
            break
        phrase.insert(0, word)
    while phrase and phrase[0].lower() in _CONNECTORS - _ARTICLES:
        phrase.pop(0)
    return _tidy(phrase)


def _head_noun_phrase(words: list[str]) -> bool:
    """Whether the words opening a clause are a short noun phrase alone ("Officials", "Two
    engineers"), which a place phrase after them modifies."""
    return 1 <= len(words) <= 4 and not any(
        w.lower() in FUNCTION_WORDS - _ARTICLES or w in ATTRIBUTION_VERBS for w in words)


def _strip_fillers(words: list[str]) -> list[str]:
    """Auxiliaries, adverbs and time phrases between the subject and its verb."""
    while words:
        last = words[-1].lower()
        if last in SUBJECT_VERB_FILLERS or (last.endswith("ly") and len(last) > 4):
            words = words[:-1]
        elif last in _TIME_WORDS or last.rstrip("s") in _TIME_WORDS:
            words = words[:-2] if len(words) > 1 and words[-2].lower() in _TIME_LEADS else words[:-1]
        else:
            return words
    return words


def _object_phrase(sentence: str, start: int) -> Optional[str]:
    """The noun phrase after "according to", up to the end of its clause."""
    rest = sentence[start:]
    end = min([m.start() for m in _BOUNDARY.finditer(rest)] + [len(rest)])
    words = [w.rstrip(".") for w in _TOKEN.findall(rest[:end])]
    phrase: list[str] = []
    for word in words:
        lower = word.lower()
        if len(phrase) >= MAX_PHRASE_WORDS or word in ATTRIBUTION_VERBS or \
                (lower in FUNCTION_WORDS and lower not in _CONNECTORS):
            break
        phrase.append(word)
    while phrase and phrase[-1].lower() in _CONNECTORS:
        phrase.pop()
    return _tidy(phrase)


def _tidy(phrase: list[str]) -> Optional[str]:
    """The phrase as shown ("the White House"); '' for no noun phrase, None for a pronoun."""
    if not phrase or all(w.lower() in _ARTICLES for w in phrase):
        return ""
    if len(phrase) == 1 and phrase[0].lower() in _PRONOUNS:
        return None
    if phrase[0] in ("The", "A", "An"):  # capitalised only because the sentence starts there
        phrase = [phrase[0].lower()] + phrase[1:]
    return " ".join(phrase).rstrip(".")
