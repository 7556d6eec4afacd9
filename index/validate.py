"""Checks on user input that need nothing heavy loaded (the CLI runs them before any model)."""

from __future__ import annotations

from .errors import QuestionError
from .settings import Settings


def validate_question(question: str, settings: Settings) -> str:
    """The question with whitespace collapsed; a one-line QuestionError when empty or too long."""
    question = " ".join(question.split())
    if not question:
        raise QuestionError("the question is empty; ask something about the articles")
    if len(question) > settings.max_question_chars:
        raise QuestionError(f"the question is {len(question):,} characters long; the limit is "
                            f"{settings.max_question_chars:,} (DOSSIER_MAX_QUESTION_CHARS)")
    return question
