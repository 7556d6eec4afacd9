"""Conversations: a bounded history, and follow-ups resolved into standalone questions.

Offline resolution (no LLM) works in three steps, all on words, never on the answer
text the user did not ask about:

1. **Is it a follow-up?** Only when the question leans on earlier turns: it opens
   with a continuation ("and", "also", "what about", "how about"), or it has an
   anaphor ("he", "she", "they", "it", "there", "before that", or "that"/"those" as a
   determiner: "that statement", told apart from "said that ..." by the syntax, not by a
   list of nouns) or fewer than two content words of its own, and names
   nothing new (a name the previous question did not contain, like "Brandt", marks a
   new topic unless "he"/"she" points back to a person). A question that stands on its
   own is left untouched, so a new subject is never dragged toward the old one.
2. **What is the subject?** The last answered turn's standalone question, minus
   question words and speech verbs ("what did ... say"), plus the person it was about:
   the person named in it, else the speaker of its first citation.
3. **Rewrite.** "he/she/him/her" become that person's name (and when the question has a
   topic of its own, "what did he say about the fares?", only the person carries over);
   "what about X?" becomes the
   previous question with its named subject replaced by X ("How did the union
   respond?" -> "How did the council respond?"); any other follow-up gets the subject's
   words appended ("Which agency carried that statement?" -> "Which agency carried that
   statement? union respond board accusations").

With an LLM configured, a condenser rewrites the follow-up into a standalone question
instead (prompt in ``prompts/condense.txt``); if it fails, the offline method is used. A
question step 1 finds standalone is never sent to the condenser.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Optional

from . import vocabulary as vocab
from .lexical import STOPWORDS
from .models import Answer

DEFAULT_MAX_TURNS = 8
Condenser = Callable[[str, list[tuple[str, str]]], str]

# "that"/"this" refer back only at the end ("why that?"), after a preposition ("before
# that") or as a determiner before a common noun ("that statement", "those ships"). Which
# use it is shows in the syntax, not in a list of nouns: after a verb that takes a clause
# ("said that ...") or before a name, a pronoun or a determiner ("that Calder Bay ...",
# "that the board ..."), "that" is a conjunction; "this year" and "that day" point at time.
_ANAPHORA = re.compile(
    r"\b(?:" + "|".join(sorted(vocab.REFERRING_PRONOUNS)) + r"|(?<!is )(?<!are )(?<!was )there|the same)\b"
    r"|\b(?:about|before|after|of|on|with|to|from|by|for|at|in)\s+(?:that|this)\b"
    r"|\b(?:that|this)\s*(?:[?.!,]|$)",
    re.IGNORECASE)
_DEMONSTRATIVE = re.compile(r"(?:\b(?P<before>[A-Za-z]+)\s+)?\b(?P<det>that|this|those|these)\s+(?P<noun>[a-z][a-z-]*)\b")
_THING_ANAPHORA = re.compile(r"\b(?:" + "|".join(sorted(vocab.THING_PRONOUNS)) + r")\b", re.IGNORECASE)
_CONTINUATION = re.compile(r"^\s*(?:" + "|".join(sorted(vocab.CONTINUATIONS, key=len, reverse=True)) + r")\b",
                           re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<subject>.+?)\s*[?.!]*$", re.IGNORECASE)
_PERSON_PRONOUN = re.compile(r"\b(?:" + "|".join(sorted(vocab.PERSON_PRONOUNS - {"his", "hers"})) + r")\b",
                             re.IGNORECASE)
_QUESTION_WORDS = vocab.QUESTION_WORDS
_NAMED = re.compile(r"\b(?:[A-Z][a-zA-Z]+)(?:\s+(?:[A-Z][a-zA-Z]+|of|the))*(?<!\bof)(?<!\bthe)")


@dataclass
class Conversation:
    """A bounded history of answered turns; one per REPL session, Discord thread, etc."""

    max_turns: int = DEFAULT_MAX_TURNS
    turns: deque = field(default_factory=deque)

    def add(self, answer: Answer) -> None:
        self.turns.append(answer)
        while len(self.turns) > self.max_turns:
            self.turns.popleft()

    def clear(self) -> None:
        self.turns.clear()

    def history(self) -> list[tuple[str, str]]:
        """(standalone question, answer text) pairs, oldest first, for a condenser."""
        return [(a.resolved or a.question, a.answer) for a in self.turns]

    def last_answered(self) -> Optional[Answer]:
        return next((a for a in reversed(self.turns) if not a.refused), None)


def content_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", text)
    return [w for w in words if w.lower() not in STOPWORDS and w.lower() not in _QUESTION_WORDS]


def is_followup(question: str) -> bool:
    """Whether the question leans on earlier turns (see the module docstring)."""
    return bool(_CONTINUATION.match(question) or _ANAPHORA.search(question) or _points_back(question)
                or len(content_words(question)) < 2)


def _points_back(question: str) -> bool:
    """A demonstrative determiner before a common noun: "that statement", "those ships"."""
    for match in _DEMONSTRATIVE.finditer(question):
        before, det, noun = (match.group("before") or "").lower(), match.group("det").lower(), match.group("noun")
        if noun in vocab.TIME_NOUNS or noun in vocab.RELATIVE_DATES or noun in vocab.DETERMINERS:
            continue  # "this year", "that day": a time, not a reference back
        if det == "that" and (before in vocab.CLAUSE_VERBS or noun in STOPWORDS or noun in vocab.PERSON_PRONOUNS):
            continue  # "said that ferries were ...", "that he ...": a conjunction
        return True
    return False


def subject_person(answer: Answer, speakers: set[str]) -> Optional[str]:
    """The person a turn was about: named in its question, else quoted in its first citation."""
    text = answer.resolved or answer.question
    named = next((s for s in speakers if re.search(rf"\b{re.escape(s)}\b", text)), None)
    if named:
        return named
    if answer.citations:
        quote = answer.citations[0].quote
        return next((s for s in speakers if re.search(rf"\b{re.escape(s)}\b", quote)), None)
    return None


def resolve_offline(question: str, conversation: Conversation, speakers: set[str]) -> str:
    previous = conversation.last_answered()
    if previous is None or not is_followup(question):
        return question
    before = previous.resolved or previous.question
    person = subject_person(previous, speakers)
    about = _WHAT_ABOUT.match(question)
    if about:
        names = [m.group(0) for m in _NAMED.finditer(before) if m.group(0).split()[0].lower() not in _QUESTION_WORDS]
        target = next((n for n in names if n != person), None) or (names[0] if names else None)
        if target:
            return before.replace(target, about.group("subject"), 1)
        return f"{about.group('subject')} {' '.join(content_words(before))}"
    rewritten = question
    if person and not re.search(rf"\b{re.escape(person)}\b", question) and _PERSON_PRONOUN.search(question):
        rewritten = _PERSON_PRONOUN.sub(person, rewritten, count=1)
        own = [w for w in content_words(rewritten) if w != person]
        if own and not _THING_ANAPHORA.search(question) and not _CONTINUATION.match(question):
            return rewritten  # "What did he say about Iran?": the person carries over, the topic is new
    carried = [w for w in content_words(before) if w.lower() not in rewritten.lower()]
    if person and person not in rewritten and not _PERSON_PRONOUN.search(question):
        carried = [w for w in carried if w != person]
    return f"{rewritten} {' '.join(carried)}".strip() if carried else rewritten


def resolve_followup(question: str, conversation: Conversation, speakers: set[str],
                     condenser: Optional[Condenser] = None) -> str:
    """A standalone form of ``question`` given the conversation so far."""
    if not conversation.turns:
        return question
    # Only a follow-up is sent to the model: a standalone question would cost a model call (and,
    # on a local server, its cached prompt prefix) to come back unchanged at best.
    if condenser is not None and is_followup(question):
        try:
            condensed = " ".join(condenser(question, conversation.history()).split())
            if condensed:
                return condensed
        except Exception:  # an unreachable LLM must not stop the conversation
            pass
    return resolve_offline(question, conversation, speakers)
