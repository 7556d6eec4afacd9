"""The evaluation question file: JSONL, one question a line, checked strictly.

Each line is ``{"id", "question", "sources", "phrases", "answerable"}``:

* ``sources``: ids of the documents that support the answer (empty when unanswerable);
* ``phrases``: groups of alternatives, each group a string ``"alt one|alt two"``; a correct
  answer contains at least one alternative of every group, as whole words, ignoring case,
  curly quotes and runs of whitespace (``contains``).

A malformed line stops the run with one error naming the file and line: a silently
skipped question would change the figures without anyone noticing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional

from ..errors import DossierError

FIELDS = ("id", "question", "sources", "phrases", "answerable")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})


class QuestionFileError(DossierError):
    """A question file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    sources: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]  # groups of alternatives
    answerable: bool
    line: int = 0

    def expected(self) -> str:
        """What a correct answer looks like, for failure listings."""
        if not self.answerable:
            return "a refusal"
        return " AND ".join("(" + " | ".join(group) + ")" for group in self.phrases)


def fold(text: str) -> str:
    """Case-, quote- and whitespace-insensitive form: "Reyes’s" matches "reyes's"."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).casefold().strip()


def contains(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` as whole words: "east" is not found in "at least"."""
    folded = fold(phrase)
    return bool(folded) and re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", fold(text)) is not None


def phrases_found(text: str, groups: Iterable[Iterable[str]]) -> bool:
    """True when ``text`` contains an alternative of every group (vacuously true with no groups)."""
    return all(any(contains(text, alt) for alt in group) for group in groups)


def load_questions(path: Path, known_sources: Optional[set[str]] = None) -> list[Question]:
    """Read and check a question file; ``known_sources`` also checks that every source exists."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read question file {path}: {exc.__class__.__name__}") from None
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        question = parse_line(line, number, path)
        if question.id in seen:
            raise QuestionFileError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionFileError(f"{path}: no questions (the file is empty)")
    if known_sources is not None:
        check_sources(questions, known_sources, path)
    return questions


def check_sources(questions: list[Question], known: set[str], path: Path) -> None:
    """A source id the corpus lacks would make a question impossible to pass; name it."""
    for q in questions:
        unknown = [s for s in q.sources if s not in known]
        if unknown:
            raise QuestionFileError(f"{path}:{q.line}: unknown source id {unknown[0]!r} "
                                    f"(known: {', '.join(sorted(known))})")


def parse_line(line: str, number: int, path: Path) -> Question:
    """One JSON object -> Question, or a QuestionFileError naming ``path:number``."""
    where = f"{path}:{number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise QuestionFileError(f"{where}: expected a JSON object, got {type(data).__name__}")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise QuestionFileError(f"{where}: missing field {missing[0]!r}")
    _check_types(data, where)
    groups = tuple(tuple(a.strip() for a in g.split("|") if a.strip()) for g in data["phrases"])
    if any(not g for g in groups):
        raise QuestionFileError(f"{where}: an empty phrase group")
    if data["answerable"] and not (data["sources"] and groups):
        raise QuestionFileError(f"{where}: an answerable question needs sources and phrases")
    if not data["answerable"] and data["sources"]:
        raise QuestionFileError(f"{where}: an unanswerable question cannot have sources")
    return Question(id=data["id"], question=data["question"], sources=tuple(data["sources"]),
                    phrases=groups, answerable=data["answerable"], line=number)


def _check_types(data: dict[str, Any], where: str) -> None:
    for name in ("id", "question"):
        if not isinstance(data[name], str) or not data[name].strip():
            raise QuestionFileError(f"{where}: field {name!r} must be a non-empty string")
    for name in ("sources", "phrases"):
        value = data[name]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise QuestionFileError(f"{where}: field {name!r} must be a list of strings")
    if not isinstance(data["answerable"], bool):
        raise QuestionFileError(f"{where}: field 'answerable' must be true or false")
