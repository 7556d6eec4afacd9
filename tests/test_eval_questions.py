"""The question file: strict loading with line-numbered errors, and the shipped questions themselves."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from dossier.bot.eval_cli import add_eval_arguments, run_eval_command
from dossier.index.eval.questions import QuestionFileError, load_questions, phrases_found
from dossier.index.eval.runner import DEFAULT_QUESTIONS
from dossier.index.parse import load_article
from dossier.index.settings import SEEDS_DIR

GOOD = {"id": "q1", "question": "How many missiles?", "sources": ["002_4e57d263a0889e77"],
        "phrases": ["at least 10"], "answerable": True}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line(**changes) -> str:
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...})


@pytest.mark.parametrize("bad, message", [
    ('{"id": "q2", "question": ', "line 3: invalid JSON"),
    ('["a list"]', "line 3: expected a JSON object, got list"),
    (line(id="q2", phrases=...), "line 3: missing field 'phrases'"),
    (line(id="q2", answerable="yes"), "line 3: field 'answerable' must be true or false"),
    (line(id="q2", sources="002"), "line 3: field 'sources' must be a list of strings"),
    (line(id="q2", phrases=[["a", "b"]]), "line 3: field 'phrases' must be a list of strings"),
    (line(id=7), "line 3: field 'id' must be a non-empty string"),
    (line(id="q2", question="  "), "line 3: field 'question' must be a non-empty string"),
    (line(id="q2", phrases=["a|", " | "]), "line 3: an empty phrase group"),
    (line(id="q2", sources=[]), "line 3: an answerable question needs sources and phrases"),
    (line(id="q2", answerable=False), "line 3: an unanswerable question cannot have sources"),
    (line(), "line 3: duplicate id 'q1'"),
])
def test_malformed_lines_are_reported_with_their_number(tmp_path, bad, message):
    path = write(tmp_path, line(), "", bad)  # a blank line is skipped but still counted
    with pytest.raises(QuestionFileError) as error:
        load_questions(path)
    assert f"{path}:{message.replace('line ', '')}" in str(error.value)
    assert "\n" not in str(error.value)


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(QuestionFileError, match="no questions"):
        load_questions(write(tmp_path, "", "  "))
    with pytest.raises(QuestionFileError, match="cannot read question file"):
        load_questions(tmp_path / "absent.jsonl")


def test_unknown_source_ids_are_named(tmp_path):
    path = write(tmp_path, line(), line(id="q2", sources=["999_missing"]))
    with pytest.raises(QuestionFileError, match=r":2: unknown source id '999_missing'"):
        load_questions(path, known_sources={"002_4e57d263a0889e77"})


def test_alternatives_are_split_and_trimmed(tmp_path):
    [q] = load_questions(write(tmp_path, line(phrases=["57 kilometers | 35 miles", "Sokcho"])))
    assert q.phrases == (("57 kilometers", "35 miles"), ("Sokcho",)) and q.line == 1
    assert q.expected() == "(57 kilometers | 35 miles) AND (Sokcho)"


def test_the_command_reports_a_bad_file_in_one_line_before_loading_anything(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    path = write(tmp_path, line(), "{not json")
    assert run_eval_command(parser.parse_args(["--questions", str(path)])) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"dossier: error: {path}:2: invalid JSON (Expecting property name enclosed in double quotes "
                   f"at column 2)"]


def test_the_command_rejects_unknown_configurations(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    args = parser.parse_args(["--questions", str(write(tmp_path, line())), "--configs", "default,bogus"])
    assert run_eval_command(args) == 1
    assert capsys.readouterr().err.startswith("dossier: error: unknown configuration 'bogus'; choose from default")


def test_every_eval_option_has_help():
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    assert all(action.help for action in parser._actions)


# ---- the shipped question file ----------------------------------------------------------------


@pytest.fixture(scope="module")
def articles():
    return {p.stem: load_article(p, 10_000_000) for p in SEEDS_DIR.glob("*.txt")}


def test_shipped_questions_are_enough_and_varied(articles):
    questions = load_questions(DEFAULT_QUESTIONS, known_sources=set(articles))
    assert len(questions) >= 40
    assert sum(not q.answerable for q in questions) >= 6
    assert sum(len(q.sources) >= 2 for q in questions) >= 5  # questions several outlets answer
    kinds = {q.id.split("-")[0] for q in questions}
    assert {"who", "num", "date", "place", "multi", "para", "out"} <= kinds


def test_each_gold_source_has_a_sentence_holding_every_phrase_group(articles):
    """A gold source that cannot produce a passing answer would be a broken question."""
    for q in load_questions(DEFAULT_QUESTIONS):
        for source in q.sources:
            sentences = articles[source].sentences
            assert any(phrases_found(s.text, q.phrases) for s in sentences), (q.id, source)
