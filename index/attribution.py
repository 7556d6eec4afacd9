"""Who says a sentence: a small, documented heuristic used at ingest time.

A *person lexicon* is collected per article from titled mentions ("spokesman John
Kirby", "Mr Kirby", "President Vladimir Putin") and "First Last said" patterns;
single capitalised words that name places or bodies are excluded. Each sentence
then gets a ``speaker`` (a surname) when it names a lexicon person next to a
speech verb or a quotation, or, for "he said" / "according to him", the person
named most recently before it in the same article. Questions such as "what did
Kirby say" prefer sentences whose speaker is Kirby.
"""

from __future__ import annotations

import re

SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|stated|states|insisted|noted|declared|explained|warned|"
    r"claimed|denied|refused|declined|believes|accused|confirm(?:ed)?|according to|briefing|reiterated)\b",
    re.IGNORECASE)
PRONOUN_SPEECH = re.compile(
    r"(?:\b(?:he|she)\s+(?:\w+\s+){0,2}?(?:said|added|stated|says|told|declined|refused|insisted|believes|noted)\b)"
    r"|\baccording to (?:him|her)\b|^(?:He|She)\b", re.IGNORECASE)
QUOTE_MARKS = re.compile(r"[\"\u201c\u201d]")
_ROLE = (r"(?:spokes(?:man|person|woman)|coordinator|ambassador|president|minister|secretary|official|"
         r"director|chief|senator|general|Mr|Mrs|Ms|Dr)")
_NAME = r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})"
_TITLED = re.compile(_ROLE + r"\.?\s+(?:(?:[A-Z][\w.]*|of|the|and|for)\s+){0,6}?" + _NAME + r"\b(?!\s+[A-Z])")
_BEFORE_VERB = re.compile(_NAME + r"\s+(?:has\s+|had\s+)?(?:since\s+)?(?:said|told|added|stated|insisted|denied)\b")
NOT_PEOPLE = frozenset("""
The A An In On At As But And It This That White House North South Korea Korean States United Nations Russia Russian
Ukraine Ukrainian Iran Iranian Japan Japanese China Washington Pyongyang Moscow Seoul Tehran Pentagon Council
Command Department Ministry Agency Administration Staff Chiefs Joint Security National Kremlin Biden CNN KCNA
Yonhap Sputnik Middle East Africa Western European Europe Sea Island Defense Defence Military Office Via
He She They We It His Her Their Our January February March April May June July August September October
November December Monday Tuesday Wednesday Thursday Friday Saturday Sunday
""".split())


def person_lexicon(text: str) -> set[str]:
    """Surnames of the people an article names."""
    names: set[str] = set()
    for pattern in (_TITLED, _BEFORE_VERB):
        for match in pattern.finditer(text):
            words = [w for w in match.group(1).split() if w not in NOT_PEOPLE]
            if words and words == match.group(1).split()[-len(words):]:
                names.add(words[-1])
    return names


def attribute(sentences: list[str], paragraphs: list[int], text: str) -> tuple[list[str], list[bool]]:
    """Per sentence: the speaker's surname ('' when unknown) and whether it quotes someone.

    A quotation with no name continues the speaker of the sentence before it in the
    same paragraph ("... Kirby told CNN. “However, our information ...”").
    """
    lexicon = person_lexicon(text)
    mention = re.compile(r"\b(" + "|".join(sorted(map(re.escape, lexicon))) + r")\b") if lexicon else None
    speakers: list[str] = []
    quoted: list[bool] = []
    last_person = ""
    for index, sentence in enumerate(sentences):
        found = [(m.start(), m.group(1)) for m in mention.finditer(sentence)] if mention else []
        is_quote = bool(QUOTE_MARKS.search(sentence))
        speech = SPEECH.search(sentence)
        speaker = ""
        if found and (speech or is_quote):
            anchor = speech.start() if speech else len(sentence)
            speaker = min(found, key=lambda item: abs(item[0] - anchor))[1]
        elif not found and last_person and PRONOUN_SPEECH.search(sentence):
            speaker = last_person
        elif not found and is_quote and index and paragraphs[index - 1] == paragraphs[index]:
            speaker = speakers[-1]
        if found:
            last_person = found[-1][1]
        speakers.append(speaker)
        quoted.append(is_quote)
    return speakers, quoted
