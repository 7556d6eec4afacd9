"""Who a sentence is about and who says it, decided at ingest only when the text settles it.

People and their mentions come from people.py. Then, reading the article in order:

1. **Pronouns.** A he/she/him/her/his refers to the distinct people mentioned before it in
   its sentence and paragraph or, when there are none, to the subject of the sentence just
   before (which may end the previous paragraph; a paragraph in between leaves nobody). A
   candidate whose gender the text shows otherwise (a title, a gendered role, an earlier
   resolved pronoun) is dropped. Exactly one named candidate resolves it; none, several, or
   one the text does not name leave it unresolved, and an unresolved pronoun stays in scope
   as a person of its gender, so a later pronoun is not pinned on whoever else is named.
   "X said (that) he ..." binds the pronoun to X.
2. **Speakers.** The subject of a speech verb ("Ortiz said", '"...," said the mayor',
   "according to her", "he added"), by the same rules; a closing clause ("..., police said.")
   decides whose the whole sentence is, and a person inside the subject ("a lawyer for X")
   is not its speaker. A quotation takes its speaker across the sentences it spans, and a
   quotation after "X released a statement:" is X's.
3. **Shown names.** A name is stored as a speaker or as a pronoun's person only when
   people.py (or a pronoun resolved to it) confirms it is a person; otherwise nothing.

``subject_pronoun`` finds the pronoun an answer line annotates ("She [Ortiz] appointed ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional

from .people import (NAME_CONNECTORS, NOT_MODIFIERS, PREPOSITIONS, QUOTE_CHARS, ROLE_PREFIX, Mention, People,
                     find_people, outside, quote_spans, role_word)
from .vocabulary import (ATTRIBUTION_VERBS, GENDERED_ROLES, INVERTIBLE_VERBS, NON_PERSON_DETERMINERS,
                         PERSON_PRONOUN_GENDER, SUBJECT_VERB_FILLERS)

UNRESOLVED = "?"  # a pronoun whose person the text does not settle
_SUBJECT_PRONOUN = re.compile(r"\b(?:he|she)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers)\b", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
# Words opening a relative or adverbial clause: "..., which Russia denied" is no closing attribution.
_CLAUSE_OPENERS = frozenset({"which", "that", "who", "as", "when", "while"})
_REPORTED = re.compile(r"\b(?P<verb>[A-Za-z]+)(?:\s+that)?\s+$")


@dataclass(frozen=True)
class Attribution:
    """What ingest stores for one sentence."""

    speaker: str = ""  # who says it (the short name the article uses), '' when unknown or not a person
    quoted: bool = False  # it quotes someone, or lies inside a quotation
    subject: str = ""  # whom its leading he/she refers to, '' when the text does not settle it
    antecedent: int = -1  # an unresolved he/she: the nearest earlier sentence naming a candidate


def subject_pronoun(sentence: str, names_before: Optional[list[Mention]] = None,
                    open_at_start: bool = False) -> Optional[re.Match]:
    """The he/she that is the sentence's first reference to a person, outside quotations."""
    spans, _ = quote_spans(sentence, open_at_start)
    for match in _SUBJECT_PRONOUN.finditer(sentence):
        if not outside(spans, match.start()):
            continue
        if names_before and any(m.start < match.start() for m in names_before):
            return None
        return match
    return None


# ---- resolution ----------------------------------------------------------------------------------------

@dataclass
class _State:
    """What the reader knows so far in one article."""

    people: People
    paragraph_mentions: list[tuple[int, Mention]]  # (sentence, mention) in the current paragraph
    subjects: list[Optional[str]]


def _gender(people: People, entity: str) -> str:
    if entity.startswith(UNRESOLVED):
        return entity[len(UNRESOLVED):]
    if entity.startswith(ROLE_PREFIX):
        return GENDERED_ROLES.get(entity[len(ROLE_PREFIX):], "")
    return people.gender.get(entity, "")


def _resolve(state: _State, index: int, before: list[Mention], pronoun: str) -> tuple[str, int]:
    """(the entity a pronoun means, or UNRESOLVED + its gender; the nearest sentence naming a
    candidate when unresolved, else -1)."""
    wanted = PERSON_PRONOUN_GENDER[pronoun.lower()]
    # An unresolved pronoun stays in scope as a person of its gender whom the text did not
    # name: a later pronoun may mean that person as well as anyone named.
    scope = [(index, m) for m in before] + list(reversed(state.paragraph_mentions))
    if not scope and index > 0 and state.subjects[index - 1]:
        scope = [(index - 1, Mention(0, 0, state.subjects[index - 1]))]
    compatible = [(i, m) for i, m in scope if _gender(state.people, m.entity) in ("", wanted)]
    distinct = list(dict.fromkeys(m.entity for _, m in compatible))
    if len(distinct) == 1 and not distinct[0].startswith(UNRESOLVED):
        entity = distinct[0]
        if not entity.startswith(ROLE_PREFIX):
            state.people.gender.setdefault(entity, wanted)
            state.people.confirmed.add(entity)  # "she" does not refer back to a place or a body
        return entity, -1
    named = [i for i, m in compatible if _named(m.entity)]
    return UNRESOLVED + wanted, (max(named) if named else -1)


def _reporter(state: _State, sentence: str, pronoun: re.Match, before: list[Mention]) -> Optional[str]:
    """"Moore said he ...", "Ortiz added that she ...": a pronoun opening what someone is
    reported to say is that someone, when named and of its gender."""
    match = _REPORTED.search(sentence, 0, pronoun.start())
    if not match or match.group("verb").lower() not in ATTRIBUTION_VERBS:
        return None
    verb = re.compile(r"[A-Za-z]+").match(sentence, match.start("verb"))
    entity = _verb_subject(sentence, verb, before)
    wanted = PERSON_PRONOUN_GENDER[pronoun.group().lower()]
    if not _named(entity) or _gender(state.people, entity) not in ("", wanted):
        return None
    state.people.gender.setdefault(entity, wanted)
    return entity


def _speech_subject(sentence: str, spans: list[tuple[int, int]], mentions: list[Mention]) -> Optional[str]:
    """Who the sentence's speech verbs attribute it to: the subject of a closing attribution
    ("..., police said.") when there is one, else of the first verb whose subject is a person;
    '' when no verb has a person as subject; None when there is no speech verb."""
    verbs = [m for m in re.finditer(r"[A-Za-z]+", sentence)
             if m.group().lower() in ATTRIBUTION_VERBS and outside(spans, m.start())]
    verbs += [m for m in _ACCORDING.finditer(sentence) if outside(spans, m.start())]
    if not verbs:
        return None
    verbs.sort(key=lambda m: m.start())
    subjects = [_verb_subject(sentence, verb, mentions) for verb in verbs]
    if _closing_attribution(sentence, verbs[-1]):
        return subjects[-1]
    return next((entity for entity in subjects if entity), "")


def _verb_subject(sentence: str, verb: re.Match, mentions: list[Mention]) -> str:
    """The person a speech verb has as subject ("Ortiz said", "said the mayor", "according to
    her"), '' when its subject is no person or a pronoun the text does not settle."""
    according = verb.group().lower().startswith("according")
    inverted = verb.group().lower() in INVERTIBLE_VERBS and \
        _strip_fillers(sentence[:verb.start()]).endswith((",", *QUOTE_CHARS))
    if according or inverted:  # "according to X"; '"...," said X' but not "Y said X was ..."
        found = _mention_after(sentence, verb.end(), mentions)
        if found and found.pronoun and not according:
            found = None  # "said she died": the pronoun begins what is said, it does not say it
        if found and not found.entity.startswith(UNRESOLVED):
            return found.entity
        if according:
            return ""
    left = _strip_fillers(sentence[:verb.start()])
    if left.endswith(","):  # "the president's counsel, Joseph Tacopina, told": the name set off
        left = left[:-1]
    found = next((m for m in mentions if m.end == len(left)), None)
    if found is not None:
        object_of = re.search(r"\b(\w+)\s+(?:[A-Z]\.\s*)*$", sentence[:found.start])
        if object_of and object_of.group(1).lower() in PREPOSITIONS:
            # "a lawyer for E. Jean Carroll said": the person is inside the subject, not its head
            head = next((m for m in mentions if m.end == object_of.start(1) - 1 and not m.pronoun), None)
            found = head
    return found.entity if found and not found.entity.startswith(UNRESOLVED) else ""


def _closing_attribution(sentence: str, verb: re.Match) -> bool:
    """The verb ends the sentence in a short clause after a comma or a quotation ("..., police
    said.", "..." Reyes told reporters on Wednesday.", "..., according to the agency."): that clause
    says whose the whole sentence is."""
    if len(re.findall(r"[\w'\u2019-]+", sentence[verb.end():])) > 8:
        return False
    left = _strip_fillers(sentence[:verb.start()])
    cut = max([left.rfind(",")] + [left.rfind(q) for q in QUOTE_CHARS])
    if verb.group().lower().startswith("according"):
        return cut >= len(left.rstrip()) - 1 and cut >= 0
    phrase = left[cut + 1:].split()
    if not phrase and cut >= 0 and verb.group().lower() in INVERTIBLE_VERBS:
        return True  # '"...," said the mayor.'
    return (cut >= 0 and 0 < len(phrase) <= 8 and phrase[0].lower() not in _CLAUSE_OPENERS
            and not any(w.lower().strip(",.") in ATTRIBUTION_VERBS for w in phrase))


def _mention_after(sentence: str, position: int, mentions: list[Mention]) -> Optional[Mention]:
    """The mention a noun phrase starting at ``position`` ends in ("according to White House
    spokesperson Alan Reyes", "said the mayor"), if the words before it are its modifiers."""
    following = min((m for m in mentions if m.start >= position), default=None,
                    key=lambda m: (m.start, m.pronoun))  # "her lawyer": the role, not the "her"
    if following is None:
        return None
    words = re.findall(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*|[^\w\s]", sentence[position:following.start])
    modifiers = len(words) <= 6 and all(
        w[:1].isupper() or role_word(w) or w.lower() in NON_PERSON_DETERMINERS | NAME_CONNECTORS
        or (w.isalpha() and w.lower() not in NOT_MODIFIERS | ATTRIBUTION_VERBS) for w in words)
    return following if modifiers else None


def _strip_fillers(left: str) -> str:
    """The text before a speech verb, less auxiliaries, adverbs and an appositive."""
    while True:
        stripped = left.rstrip()
        word = re.search(r"([A-Za-z']+)$", stripped)
        if word and word.group(1).lower() in SUBJECT_VERB_FILLERS:
            left = stripped[:word.start()]
            continue
        appositive = re.search(r",\s*([^,]{1,60}),$", stripped)
        if appositive and _appositive(appositive.group(1)):
            left = stripped[:appositive.start()]
            continue
        return stripped


def _appositive(phrase: str) -> bool:
    """A phrase set off by commas that describes the noun before it: "the mayor", "who
    brought the case", "45", "Carroll's attorney"."""
    words = phrase.split()
    first = words[0].lower() if words else ""
    return bool(words) and (first in NON_PERSON_DETERMINERS | {"who", "former"} or first[:1].isdigit()
                            or words[0].endswith(("'s", "\u2019s")) or any(role_word(w) for w in words))


def attribute(sentences: list[str], paragraphs: list[int], text: str = "") -> list[Attribution]:
    """Per sentence of one article: its speaker, whether it quotes, and its pronoun subject.

    ``text`` (the whole article) is accepted for callers that have it; the sentences carry
    all the evidence used."""
    people, mentions = find_people(sentences)
    state = _State(people=people, paragraph_mentions=[], subjects=[])
    results: list[Attribution] = []
    open_quote = False
    group: list[int] = []  # the sentences of the quotation still open
    lead_in = ""  # whom a sentence ending in ":" introduces ("Vilsack released a statement reading:")
    unquoted: list[bool] = []  # whether a sentence has words outside its quotation marks
    for index, sentence in enumerate(sentences):
        if index and paragraphs[index] != paragraphs[index - 1]:
            state.paragraph_mentions, open_quote, group = [], False, []
        spans, still_open = quote_spans(sentence, open_quote)
        names = [m for m in mentions[index] if outside(spans, m.start)]
        unquoted.append(bool(re.search(r"[A-Za-z]", _outside_quotes(sentence, spans))))
        resolved, subject, antecedent = _pronouns(state, index, sentence, spans, names, open_quote)
        speaker_entity = _speech_subject(sentence, spans, resolved)
        speaker = _shown(people, speaker_entity)
        quoted = bool(spans)
        if quoted and speaker_entity is None:
            speaker = _continued(results, index, paragraphs, open_quote, group, sentence)
            if not speaker and sentence[:1] in QUOTE_CHARS:
                speaker = lead_in
        if quoted and speaker and open_quote:
            for earlier in group:  # '"It will be hard. We will try," she said.'
                if not results[earlier].speaker:
                    results[earlier] = _with_speaker(results[earlier], speaker)
        group = (group + [index] if open_quote else [index]) if still_open else []
        open_quote = still_open
        carried = _sentence_subject(speaker_entity, subject, sentence, names)
        if carried is None and quoted and not speaker and not names and sentence[:1] in QUOTE_CHARS and state.subjects:
            # A quotation nobody is named for (a quote run over several paragraphs) leaves the
            # subject as it was: "Ortiz said ... / "..." / She said ..." -- she is Ortiz.
            carried = state.subjects[-1]
        state.subjects.append(carried)
        lead_in = (speaker or _shown(people, state.subjects[-1])) if sentence.rstrip().endswith(":") else ""
        shown = _shown(people, subject)
        if _named(subject) and not shown:  # settled by the text, but on a name not shown to be a person
            antecedent = max((i for i, m in state.paragraph_mentions if m.entity == subject and i < index),
                             default=-1)
        state.paragraph_mentions.extend((index, m) for m in resolved)
        results.append(Attribution(speaker=speaker, quoted=quoted, subject=shown, antecedent=antecedent))
    return _quote_paragraphs_continue(results, sentences, paragraphs, unquoted)


def _outside_quotes(sentence: str, spans: list[tuple[int, int]]) -> str:
    """The text of ``sentence`` outside its quotation spans."""
    starts = [0] + [end for _, end in spans]
    ends = [start for start, _ in spans] + [len(sentence)]
    return "".join(sentence[a:b] for a, b in zip(starts, ends))


def _quote_paragraphs_continue(results: list[Attribution], sentences: list[str], paragraphs: list[int],
                               unquoted: list[bool]) -> list[Attribution]:
    """A paragraph that is nothing but a quotation (no word outside the quotation marks, so
    no attribution), right after a paragraph that ends quoting someone, goes on quoting them
    (the news convention: 'X warned ... "...," he said. / "Frankly it looks like a war zone."')."""
    starts = [i for i in range(len(sentences)) if i == 0 or paragraphs[i] != paragraphs[i - 1]]
    for start, end in zip(starts, starts[1:] + [len(sentences)]):
        block = range(start, end)
        if not start or sentences[start][:1] not in QUOTE_CHARS:
            continue
        before = results[start - 1]
        if not (before.quoted and before.speaker):
            continue
        if all(results[i].quoted and not results[i].speaker and not unquoted[i] for i in block):
            for i in block:
                results[i] = _with_speaker(results[i], before.speaker)
    return results


def _pronouns(state: _State, index: int, sentence: str, spans: list[tuple[int, int]], names: list[Mention],
              open_quote: bool) -> tuple[list[Mention], Optional[str], int]:
    """Mentions of the sentence with its pronouns resolved in reading order; the entity of its
    leading he/she (None when it has none) and, if unresolved, the sentence naming a candidate."""
    lead = subject_pronoun(sentence, names, open_quote)
    resolved = list(names)
    subject, antecedent = None, -1
    for match in _PRONOUN.finditer(sentence):
        if not outside(spans, match.start()):
            continue
        before = [m for m in resolved if m.end <= match.start()]
        entity, nearest = _reporter(state, sentence, match, before), -1
        if entity is None:
            entity, nearest = _resolve(state, index, before, match.group())
        resolved.append(Mention(match.start(), match.end(), entity, pronoun=True))
        resolved.sort(key=lambda m: m.start)
        if lead is not None and match.start() == lead.start():
            subject, antecedent = entity, nearest
    return resolved, subject, antecedent


def _shown(people: People, entity: Optional[str]) -> str:
    """The name to show for an entity: a named person the article vouches for, else ''."""
    named = _named(entity)
    return named if named and people.is_person(named) else ""


def _named(entity: Optional[str]) -> str:
    return "" if not entity or entity.startswith((UNRESOLVED, ROLE_PREFIX)) else entity


def _with_speaker(result: Attribution, speaker: str) -> Attribution:
    return replace(result, speaker=speaker)


def _continued(results: list[Attribution], index: int, paragraphs: list[int], open_quote: bool,
               group: list[int], sentence: str) -> str:
    """A quotation with no attribution of its own: the speaker of the quotation it continues."""
    if open_quote and group:
        return results[group[0]].speaker
    if sentence[:1] in QUOTE_CHARS and index and paragraphs[index - 1] == paragraphs[index] and results[-1].quoted:
        return results[-1].speaker  # '"A," Ortiz said. "B."': a quotation of its own, right after hers
    return ""


def _sentence_subject(speaker: Optional[str], pronoun: Optional[str], sentence: str,
                      names: list[Mention]) -> Optional[str]:
    """Who the sentence is about, for a pronoun at the start of the next paragraph."""
    if speaker is not None:
        return speaker or None
    if pronoun is not None:
        return None if pronoun.startswith(UNRESOLVED) else pronoun
    if not names:
        return None
    first = names[0]
    prefix = sentence[:first.start].rsplit(",", 1)[-1]
    words = re.findall(r"[^\W\d_]+(?:['\u2019]s)?", prefix)
    ok = all(w[:1].isupper() or role_word(w) or w.lower() in NON_PERSON_DETERMINERS for w in words)
    return first.entity if ok else None


def keep_speaker(line: str, speaker: str) -> str:
    """An answer line that keeps who says it: unchanged when it names ``speaker`` (any word of
    the name) or has no speaker; else the pronoun that attributes it ("according to him",
    "he added") is annotated ("according to him [Ortiz]"), and a line with no such pronoun (a
    sentence inside a longer quotation) is led by the name ("[Ortiz] "We will ...")."""
    if not speaker or f"[{speaker}]" in line or any(
            re.search(rf"\b{re.escape(word)}\b", line) for word in speaker.split() if len(word) > 1):
        return line
    spans, _ = quote_spans(line, False)
    for match in _PRONOUN.finditer(line):
        if outside(spans, match.start()) and _attributes(line, match):
            return f"{line[:match.end()]} [{speaker}]{line[match.end():]}"
    return f"[{speaker}] {line}"


def _attributes(line: str, pronoun: re.Match) -> bool:
    """The pronoun is the subject or the object of a speech verb: "according to him", "he
    said", "she later added", "said he"."""
    before = line[:pronoun.start()].lower()
    if before.rstrip().endswith("according to"):
        return True
    following = re.findall(r"[A-Za-z]+", line[pronoun.end():])[:2]
    after = [w.lower() for w in following]
    if after and (after[0] in ATTRIBUTION_VERBS or (after[0] in SUBJECT_VERB_FILLERS and after[1:2]
                                                     and after[1] in ATTRIBUTION_VERBS)):
        return True
    previous = re.findall(r"[A-Za-z]+", before)[-1:]
    return bool(previous) and previous[0] in INVERTIBLE_VERBS
