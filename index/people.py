"""The people of one article, found the way a reader finds them (used by attribution.py).

A run of two or three capitalised words is a name ("Lena Ortiz") unless the article uses it
the way places and bodies are used: after "the", "his" or "in/at/from", right before a role
noun ("State Department spokesman"), next to an all-caps word, inside a longer name ("People's
Republic", "Chiefs of Staff"), ending in a head noun such as "Council", or sharing its last word
with a demonym ("Norway"/"Norwegian") or its first word with a run already shown to be a place.
A title or role right before a run makes it a person whatever else ("spokesman Alan Reyes",
"Mr. Reyes", "Secretary of Agriculture Tom Vilsack"), and a later single word that is the
short form of a name found so is that person ("Reyes"). Names inside quotation marks introduce
nobody: they are someone else's words.

Role nouns with a determiner ("the mayor", "her lawyer") are mentions of a person too, named
when the article ties that role to exactly one name (by a title, an appositive "Ortiz, the
mayor," or a predicate "Ortiz became mayor"). A name is *confirmed* as a person when the text
vouches for it: a title, a role, the short form used alone, or (see attribution.py) being the
one person a he/she refers back to. Everything is decided from the article's own text;
vocabulary.py holds the general English (titles, role nouns, head nouns) it relies on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from .vocabulary import (ATTRIBUTION_VERBS, DEMONYM_SUFFIXES, FUNCTION_WORDS, GENDERED_ROLES, HONORIFICS,
                         LOCATIVE_PREPOSITIONS, MONTHS, NAME_HEAD_NOUNS, NON_PERSON_DETERMINERS, ROLE_ADJECTIVES,
                         ROLE_NOUNS, TITLE_ABBREVIATIONS, WEEKDAYS)

_CALENDAR = MONTHS | WEEKDAYS  # month and day names are capitalised without naming anyone
ROLE_PREFIX = "role:"  # an unnamed person known only by a role ("the mayor")

# A word: an initial ("E."), or letters with inner apostrophes and hyphens ("O'Brien", "Smith-Jones").
_WORD = re.compile(r"\b[A-Z]\.(?=\s)|[^\W\d_]+(?:['\u2019][^\W\d_]+)*(?:-[^\W\d_]+)*")
_PHRASE_WORD = re.compile(r"[\w'\u2019-]+")
QUOTE_CHARS = "\"\u201c\u201d"
_QUOTE_MARK = re.compile("[\"\u201c\u201d]")
# Small words inside an office's or a body's name ("Secretary of Transportation", "Minister for Health").
NAME_CONNECTORS = frozenset({"of", "for", "and"})
# Verbs that give their subject a role ("was a Czech army officer", "served as the Minister").
_PREDICATE = re.compile(r"\b(?:was|is|became|becomes|remained|remains|served as|serves as)\s+")
# A lowercase office before a name ("chief of staff David Oman").
_LOWER_OFFICE = re.compile(r"\b(?P<role>[A-Za-z-]+)\s+of\s+(?:the\s+)?[a-z]+\s+$")
# A person right after one of these is inside a phrase, not its head ("a lawyer for X").
PREPOSITIONS = frozenset({"for", "of", "to", "with", "by", "from", "at", "in", "on", "about", "against", "among"})
# Words that end a noun phrase's modifiers: a role noun is not looked for past them.
NOT_MODIFIERS = frozenset({"to", "with", "for", "by", "of", "at", "in", "on", "from", "about", "not", "that"})


@dataclass(frozen=True)
class Token:
    """A word of a sentence; "Ortiz's" is the token "Ortiz", possessive."""

    text: str
    start: int
    end: int
    possessive: bool


@dataclass(frozen=True)
class Mention:
    """A reference to a person in a sentence: a name, a role, or (attribution.py) a pronoun."""

    start: int
    end: int
    entity: str  # a person's key, ROLE_PREFIX + role, or (attribution.py) an unresolved pronoun
    pronoun: bool = False


@dataclass
class People:
    """The people of one article: full names, their short keys, genders and roles."""

    keys: dict[str, str]  # full name -> key
    by_key: dict[str, str]  # key -> full name
    gender: dict[str, str]
    roles: dict[str, set[str]]  # role noun -> keys it is tied to
    confirmed: set[str] = field(default_factory=set)  # keys the text shows to be people, not just names

    def is_person(self, entity: str) -> bool:
        """A named person the article vouches for: titled, given a role, or later called by
        the short form alone ("Reyes added"), or the one person a he/she can refer back to; a name
        seen once with none of these may be a body ("according to Thomson Reuters") and is never
        shown as anyone's words."""
        return entity in self.confirmed

    def role_entity(self, role: str) -> str:
        tied = self.roles.get(role, set())
        return next(iter(tied)) if len(tied) == 1 else ROLE_PREFIX + role


# ---- words and runs ---------------------------------------------------------------------------------

def _words_and_runs(sentence: str) -> tuple[list[Token], list[list[int]]]:
    words = tokens(sentence)
    return words, _runs(sentence, words)


def tokens(sentence: str) -> list[Token]:
    """The words of a sentence, possessive "'s" split off."""
    found = []
    for match in _WORD.finditer(sentence):
        word, possessive = match.group(), False
        if len(word) > 2 and word[-2] in "'\u2019" and word[-1] in "sS":
            word, possessive = word[:-2], True
        found.append(Token(word, match.start(), match.start() + len(word), possessive))
    return found


def _capitalised(word: str) -> bool:
    """A word written as part of a name: "Ortiz", "Smith-Jones"; not "US", "May", "Iranian-made"."""
    parts = word.split("-")
    return all(p[:1].isupper() and not p.isupper() for p in parts) and word.lower() not in _CALENDAR


def role_word(word: str) -> Optional[str]:
    """The role noun in a word ("Spokesperson", "vice-president", "Secretary-General"), if any."""
    lower = word.lower().rstrip(".")
    if lower in TITLE_ABBREVIATIONS:
        return TITLE_ABBREVIATIONS[lower]
    if lower in ROLE_NOUNS:
        return lower
    return next((part for part in lower.split("-") if part in ROLE_NOUNS), None)


def _runs(sentence: str, words: list[Token]) -> list[list[int]]:
    """Indexes of maximal runs of capitalised words joined by single spaces."""
    runs: list[list[int]] = []
    for index, token in enumerate(words):
        joined = (runs and runs[-1][-1] == index - 1 and not words[index - 1].possessive
                  and sentence[words[index - 1].end:token.start] == " ")
        if _capitalised(token.text) or (len(token.text) == 2 and token.text.endswith(".")):
            if joined:
                runs[-1].append(index)
            else:
                runs.append([index])
    return [run for run in runs if not (len(run) == 1 and words[run[0]].text.endswith("."))]


def is_headline(sentence: str) -> bool:
    """Title-case lines (headlines, section titles) use capitals for every word, not for names."""
    if sentence.rstrip().endswith((".", "!", "?", ":", "\"", "\u201d", "\u2019")):
        return False
    words = [w for w in re.findall(r"[^\W\d_]+", sentence) if len(w) > 3 or w[:1].isupper()]
    return len(words) >= 3 and sum(w[:1].isupper() for w in words) / len(words) >= 0.6


# ---- who is a person ----------------------------------------------------------------------------

@dataclass
class _Candidate:
    """One capitalised run read as a possible name, with the title before it."""

    name: list[Token]
    title: Optional[str]  # the honorific or role word right before the name
    title_start: int


def _split_title(sentence: str, words: list[Token], run: list[int]) -> _Candidate:
    """The name part of a run and the title in front of it (inside the run or just before)."""
    title, title_start, name = None, words[run[0]].start, run
    for position, index in enumerate(run):
        found = _title_word(words[index].text)
        if found:
            before = words[index - 1].text.lower() if index > 0 else ""
            if before in NON_PERSON_DETERMINERS and position == 0:
                continue  # "the General Assembly": a body named after an office
            title, title_start, name = found, words[index].start, run[position + 1:]
    if title is None and run[0] > 0:
        title, title_start = _title_before(sentence, words, run[0])
    return _Candidate(name=[words[i] for i in name], title=title, title_start=title_start)


def _title_before(sentence: str, words: list[Token], first: int) -> tuple[Optional[str], int]:
    """A title right before a run ("spokesman Ned Price", "Gov. Wes Moore"), or a role up to six
    words before it over an office's name ("Ambassador to the United Nations Maria Lindqvist")."""
    office = _LOWER_OFFICE.search(sentence, 0, words[first].start)
    if office and role_word(office.group("role")):  # "chief of staff David Oman"
        return role_word(office.group("role")), office.start("role")
    for index in range(first - 1, max(first - 7, -1), -1):
        word, following = words[index], words[index + 1]
        gap = sentence[word.end:following.start]
        title = _title_word(word.text)
        if gap not in (" ", ". ") or (gap == ". " and not title) or word.possessive:
            return None, words[first].start
        if title:
            if index < first - 1 and not _capitalised(word.text):
                return None, words[first].start  # "spokesman for the City Council": the run is the body
            return title, word.start
        if not (_capitalised(word.text) or word.text.lower() in {"of", "the", "to", "for", "and"}):
            return None, words[first].start
        if index == first - 1 and not _capitalised(word.text) and word.text.lower() not in {"the", "of"}:
            return None, words[first].start
    return None, words[first].start


def _title_word(word: str) -> Optional[str]:
    """The honorific or role a word is, as a title ("Mr." -> "mr", "Gov" -> "governor")."""
    lower = word.lower().rstrip(".")
    return lower if lower in HONORIFICS else role_word(word)


def _trim(candidate: _Candidate, lowercase: set[str]) -> _Candidate:
    """Drop leading words capitalised only by position ("When Lena Ortiz", "Also Read")."""
    name = candidate.name
    if candidate.title is None:
        while name and (name[0].text.lower() in FUNCTION_WORDS or name[0].text.lower() in lowercase):
            name = name[1:]
    far = candidate.title is not None and candidate.name and \
        candidate.name[0].start - candidate.title_start > len(candidate.title) + 3
    if len(name) > 3 or (far and len(name) == 3):
        # after an office's name ("Secretary of Agriculture Tom Vilsack") the person is the end
        name = name[-2:] if candidate.title else []
    return _Candidate(name, candidate.title, candidate.title_start)


def _titled_single(sentence: str, candidate: _Candidate) -> bool:
    """One word is a name only right after its title ("Mr Reyes", "President Ortiz"), and not
    when it is an office's object ("Minister of Education") or a body ("General Assembly")."""
    word = candidate.name[0]
    gap = sentence[candidate.title_start:word.start]
    return (candidate.title is not None and len(gap.split()) == 1 and "," not in gap
            and word.text.lower() not in NAME_HEAD_NOUNS)


def _evidence_against(sentence: str, words: list[Token], candidate: _Candidate) -> bool:
    """How the run is used shows a place or a body rather than a person."""
    first, last = candidate.name[0], candidate.name[-1]
    position = next(i for i, w in enumerate(words) if w.start == first.start)
    before = words[position - 1] if position else None
    after_index = next(i for i, w in enumerate(words) if w.start == last.start) + 1
    after = words[after_index] if after_index < len(words) else None
    adjacent_before = before is not None and sentence[before.end:first.start] == " "
    if adjacent_before and before.text.lower() in NON_PERSON_DETERMINERS | LOCATIVE_PREPOSITIONS:
        return True
    if adjacent_before and before.text.isupper() and len(before.text) > 1 and not before.possessive:
        return True  # "US State Department": a chain of modifiers
    if last.possessive and after is not None and _capitalised(after.text):
        return True  # "People's Republic": the run is inside a longer name
    if after is not None and not last.possessive and sentence[last.end:after.start] == " " \
            and role_word(after.text) and not _capitalised(after.text) \
            and role_word(after.text) not in ROLE_ADJECTIVES:
        return True  # "State Department spokesman"
    if after is not None and after.text == "of" and after_index + 1 < len(words) \
            and _capitalised(words[after_index + 1].text):
        return True  # "Chiefs of Staff", "Bank of England": a body named with "of"
    return last.text.lower() in NAME_HEAD_NOUNS


def _shared_word_evidence(untitled: set[str], against: set[str], sentences: list[str]) -> set[str]:
    """Runs the words of other runs show to be places or bodies: a last word with a demonym
    beside it in the article ("Norway"/"Norwegian"), or a first word shared with a run already
    shown not to be a person ("South Africa" beside "in South Sudan"). A shared last word
    proves nothing: families and namesakes share surnames."""
    capitals = {w for s in sentences for w in re.findall(r"\b[A-Z][a-z]+\b", s)}
    found = set()
    for full in untitled:
        last = full.split()[-1]
        if any(last + suffix in capitals or (last.endswith(suffix) and last[:-len(suffix)] in capitals)
               for suffix in DEMONYM_SUFFIXES):
            found.add(full)
    firsts = {full.split()[0] for full in against | found}
    found |= {full for full in untitled if full.split()[0] in firsts}
    return found


def _single_words_used_as_things(parsed: list[tuple[list[Token], list[list[int]]]]) -> set[str]:
    """Capitalised words standing alone where people do not ("his United players", "in Paris"):
    a run ending in one ("Manchester United") names a body or a place, not a person."""
    found = set()
    for words, runs in parsed:
        for run in runs:
            if len(run) == 1 and run[0] > 0:
                before = words[run[0] - 1]
                if before.end + 1 == words[run[0]].start and \
                        before.text.lower() in NON_PERSON_DETERMINERS | LOCATIVE_PREPOSITIONS:
                    found.add(words[run[0]].text)
    return found


def find_people(sentences: list[str]) -> tuple[People, dict[int, list[Mention]]]:
    """The article's people and, per sentence, the mentions of them (names, short forms, roles)."""
    lowercase = {w.lower() for s in sentences for w in re.findall(r"\b[a-z][\w'-]*", s)}
    parsed = [_words_and_runs(sentence) for sentence in sentences]
    found: list[tuple[int, _Candidate]] = []
    titled: set[str] = set()
    against: set[str] = set()
    gender: dict[str, str] = {}
    for index, sentence in enumerate(sentences):
        if is_headline(sentence):
            continue
        words, runs = parsed[index]
        quoted = quote_spans(sentence, False)[0]
        for run in runs:
            if not outside(quoted, words[run[0]].start):
                continue  # a speaker's words ("Bob Ray defined ...") do not introduce the article's people
            candidate = _trim(_split_title(sentence, words, run), lowercase)
            if not candidate.name or (len(candidate.name) == 1 and not _titled_single(sentence, candidate)):
                continue
            full = " ".join(w.text for w in candidate.name)
            if candidate.title:
                titled.add(full)
                shown = HONORIFICS.get(candidate.title) or GENDERED_ROLES.get(candidate.title, "")
                if shown:
                    gender[full] = shown
            elif len(candidate.name) >= 2 and _evidence_against(sentence, words, candidate):
                against.add(full)
            found.append((index, candidate))
    multi = {" ".join(w.text for w in c.name) for _, c in found if len(c.name) >= 2}
    against |= _shared_word_evidence(multi - titled, against, sentences)
    used_as_thing = _single_words_used_as_things(parsed)
    against |= {full for full in multi - titled if full.split()[-1] in used_as_thing}
    persons = {full for full in multi if full in titled or full not in against}
    people = _register(persons, found, parsed)
    for full, shown in gender.items():
        key = _key_of(people, full)
        if key:
            people.gender.setdefault(key, shown)
    for _, candidate in found:
        full = " ".join(w.text for w in candidate.name)
        key = _key_of(people, full)
        if key and candidate.title and role_word(candidate.title):
            people.roles[candidate.title].add(key)
    _tie_appositive_roles(sentences, people)
    return people, _mentions(sentences, parsed, people, lowercase)


def _register(persons: set[str], found: list[tuple[int, _Candidate]],
              parsed: list[tuple[list[Token], list[list[int]]]]) -> People:
    """Key each person by the short form the article uses (the last word, unless only the first
    is used alone); two people sharing it keep their full names."""
    alone: dict[str, int] = defaultdict(int)
    for words, runs in parsed:
        for run in runs:
            if len(run) == 1:
                alone[words[run[0]].text] += 1
    short: dict[str, list[str]] = defaultdict(list)
    for full in persons:
        parts = full.split()
        key = parts[0] if alone[parts[0]] and not alone[parts[-1]] and len(parts) > 2 else parts[-1]
        short[key].append(full)
    keys: dict[str, str] = {}
    for key, fulls in short.items():
        for full in fulls:
            keys[full] = key if len(fulls) == 1 else full
    titled_singles = {c.name[0].text for _, c in found if len(c.name) == 1 and c.title}
    for single in titled_singles:
        if single not in short:
            keys[single] = single
        elif len(short[single]) == 1:
            keys[single] = single
    by_key = {key: full for full, key in keys.items() if " " in full or key not in keys.values() or full == key}
    titled = {" ".join(w.text for w in c.name) for _, c in found if c.title}
    confirmed = {key for full, key in keys.items() if full in titled or (" " not in key and alone[key])}
    for full, key in list(keys.items()):
        first = full.split()[0]
        if " " in full and alone[first] and first not in keys and first.lower() not in FUNCTION_WORDS \
                and sum(1 for other in persons if other.split()[0] == first) == 1:
            keys[first] = key  # "Ole said": a first name used alone, the only person with it
            confirmed.add(key)
    return People(keys=keys, by_key=by_key, gender={}, roles=defaultdict(set), confirmed=confirmed)


def _key_of(people: People, name: str) -> Optional[str]:
    if name in people.keys:
        return people.keys[name]
    return name if name in people.by_key and " " not in name else None


_ROLE_BEFORE = r"\b(?P<role>[A-Za-z-]+),\s+(?:[a-z]+\s+){0,2}(?:[A-Z][a-z]*\.?\s+){0,2}"
_APPOSITIVE = re.compile(r",\s+|\s+(?:became|becomes)\s+")


def _tie_appositive_roles(sentences: list[str], people: People) -> None:
    """"Lena Ortiz, the mayor," and "Ortiz became mayor" tie a role to a name."""
    for sentence in sentences:
        for full, key in people.keys.items():
            for match in re.finditer(re.escape(full) + r"(?=[\s,])", sentence):
                tail = _APPOSITIVE.match(sentence, match.end())
                found = tail and _first_role(sentence, tail.end(), limit=5)
                if found:  # "Lena Ortiz, the mayor,", "Eric Benhamou, the company's chairman", "Ortiz became mayor"
                    _tie(people, found[0], key)
            for match in re.finditer(_ROLE_BEFORE + re.escape(full) + r"\b", sentence):
                role = role_word(match.group("role"))
                if role:  # "her husband, former Gov. John Spellman"
                    _tie(people, role, key)
            if sentence.startswith(full):
                for role in _predicate_roles(sentence[len(full):]):
                    _tie(people, role, key)


def _predicate_roles(rest: str) -> list[str]:
    """Roles a sentence gives its subject: "... was a Czech army officer", "who served as the
    Minister of Education", "became mayor" (the words between are modifiers, not a phrase
    of its own: "was speaking to the minister" gives none)."""
    roles = []
    for match in _PREDICATE.finditer(rest):
        role = _first_role(rest, match.end())
        if role and role[0] not in ROLE_ADJECTIVES:
            roles.append(role[0])
    return roles


def _first_role(text: str, position: int, limit: int = 5) -> Optional[tuple[str, re.Match]]:
    """The role noun a noun phrase starting at ``position`` ends in, over at most ``limit``
    modifier words ("the collaborationist Minister", "a Czech army officer")."""
    end = position
    for count, word in enumerate(_PHRASE_WORD.finditer(text, position)):
        if count >= limit or text[end:word.start()].strip():
            return None  # too far, or punctuation: the phrase has ended
        role = role_word(word.group())
        if role:
            return role, word
        lower = word.group().lower()
        if lower in NOT_MODIFIERS or lower.endswith("ing") or lower in ATTRIBUTION_VERBS:
            return None
        end = word.end()
    return None


def _tie(people: People, role: str, key: str) -> None:
    people.roles[role].add(key)
    people.confirmed.add(key)
    if GENDERED_ROLES.get(role):
        people.gender.setdefault(key, GENDERED_ROLES[role])


def _mentions(sentences: list[str], parsed: list[tuple[list[Token], list[list[int]]]], people: People,
              lowercase: set[str]) -> dict[int, list[Mention]]:
    by_sentence: dict[int, list[Mention]] = {}
    for index, sentence in enumerate(sentences):
        found: list[Mention] = []
        if not is_headline(sentence):
            words, runs = parsed[index]
            for run in runs:
                candidate = _trim(_split_title(sentence, words, run), lowercase)
                full = " ".join(w.text for w in candidate.name)
                key = _key_of(people, full) if candidate.name else None
                if key:
                    start = candidate.title_start if candidate.title else candidate.name[0].start
                    found.append(Mention(start, candidate.name[-1].end, key))
            found.extend(_role_mentions(sentence, people, found))
        by_sentence[index] = sorted(found, key=lambda m: m.start)
    return by_sentence


_ROLE_DETERMINER = re.compile(
    r"\b(?:[Tt]he|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[A-Z][\w.]*['\u2019]s)\s+")


def _role_mentions(sentence: str, people: People, names: list[Mention]) -> list[Mention]:
    """"the mayor", "a spokeswoman", "the port authority's deputy director": a person known by a role."""
    mentions = []
    for determiner in _ROLE_DETERMINER.finditer(sentence):
        found = _first_role(sentence, determiner.end(), limit=4)
        if found is None or found[0] in ROLE_ADJECTIVES:
            continue
        role, word = found
        rest = sentence[word.end():]
        if re.match(r"\s+[A-Z][a-z]", rest):
            continue  # a title before a name, counted with the name
        if any(n.start <= word.start() < n.end for n in names):
            continue
        mentions.append(Mention(determiner.start(), word.end(), people.role_entity(role)))
    return mentions


# ---- quotations ----------------------------------------------------------------------------------------

def quote_spans(sentence: str, open_at_start: bool) -> tuple[list[tuple[int, int]], bool]:
    """Character ranges inside quotation marks, and whether a quotation is still open at the end."""
    spans, inside, since = [], open_at_start, 0
    for mark in _QUOTE_MARK.finditer(sentence):
        position, char = mark.start(), mark.group()
        opening = char == "\u201c" or (char == '"' and not inside)
        if char == "\u201d" or (char == '"' and inside):
            opening = False
        if opening and not inside:
            inside, since = True, position
        elif not opening and inside:
            spans.append((since, position + 1))
            inside = False
    if inside:
        spans.append((since, len(sentence)))
    return spans, inside


def outside(spans: list[tuple[int, int]], position: int) -> bool:
    return not any(s <= position < e for s, e in spans)
