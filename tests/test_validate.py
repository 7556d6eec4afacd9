"""Question checks (index/validate.py): cheap, before anything loads, one line each."""

from __future__ import annotations

import re

import pytest

from dossier.index import check_question
from dossier.index.errors import DossierError, QuestionError
from dossier.index.settings import Settings
from dossier.index.validate import validate_question

SETTINGS = Settings(_env_file=None)


def test_whitespace_is_collapsed_and_the_words_kept():
    assert validate_question("  Who  denied\tthe claims\n at the UN? ", SETTINGS) == "Who denied the claims at the UN?"


@pytest.mark.parametrize("question", ["", "   ", "\n\t \u00a0"], ids=["empty", "spaces", "mixed"])
def test_an_empty_question_is_refused_with_what_to_do(question):
    with pytest.raises(QuestionError) as error:
        validate_question(question, SETTINGS)
    assert str(error.value) == "the question is empty; ask something about the articles"


def test_the_limit_counts_the_collapsed_question_and_names_its_setting():
    limit = SETTINGS.max_question_chars
    assert validate_question("a" * limit, SETTINGS) == "a" * limit
    padded = "  ".join(["a" * (limit // 2 - 1), "b"]) + " " * limit  # typed: twice the limit
    assert validate_question(padded, SETTINGS) == "a" * (limit // 2 - 1) + " b"
    with pytest.raises(QuestionError) as error:
        validate_question("a" * (limit + 1), SETTINGS)
    message = str(error.value)
    assert message == f"the question is {limit + 1:,} characters long; the limit is {limit:,} (DOSSIER_MAX_QUESTION_CHARS)"
    assert "\n" not in message


def test_the_limit_is_a_setting():
    small = Settings(max_question_chars=20, _env_file=None)
    assert validate_question("How many missiles?", small) == "How many missiles?"
    with pytest.raises(QuestionError, match="the limit is 20"):
        validate_question("How many missiles were fired?", small)


def test_question_errors_are_dossier_errors():
    """Every front end turns a DossierError into one line; a bad question must be one of them."""
    assert issubclass(QuestionError, DossierError)


def test_the_early_check_of_a_command_is_the_same_check():
    for question in ("  Who   is Kirby? ", "x" * 5000, ""):
        try:
            expected = validate_question(question, SETTINGS)
        except QuestionError as error:
            with pytest.raises(QuestionError, match=re.escape(str(error))):
                check_question(question, SETTINGS)
        else:
            assert check_question(question, SETTINGS) == expected


def test_the_engine_validates_the_same_way(seeded_engine):
    assert seeded_engine.validate("  Who   is Kirby? ") == "Who is Kirby?"
    with pytest.raises(QuestionError, match="the limit is 1,000"):
        seeded_engine.validate("why " * 300)
