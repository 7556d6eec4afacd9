"""Answers, attribution and the three outcomes on a corpus the engine was never tuned on.

The test writes four short articles about a ferry strike in an invented port town (nothing
of the seed story: no people, outlets, places or weapons of it), ingests them with the
real embedder into a temp store, and asks the kinds of question issue 10 lists: how many,
when, which agency, what did X say, how did Y respond, and questions whose key word the
articles never use in that sense.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import verbatim as quoted_verbatim
from dossier.index.engine import Engine
from dossier.index.models import RELATED_LEAD
from dossier.index.settings import Settings

ARTICLES = {
    "harbour_strike.txt": """Ferry crews walk out in Calder Bay

Via Calder Bay Courier

Ferry crews in Calder Bay walked out on Monday, stranding commuters on both sides of the estuary.

The Maritime Workers Union said the strike would last until the harbour board restored the night shift allowance.

"We are not striking for more money, we are striking to keep what we have," union secretary Ada Okafor told reporters at the quay.

Okafor said the crews had warned the board three times since January.

The harbour board runs four ferries between Calder Bay and Wexmoor.
""",
    "harbour_board.txt": """Harbour board accuses union of breaking agreement

Via Estuary Post

The Calder Bay harbour board accused the Maritime Workers Union on Tuesday of breaking the agreement it signed last spring.

Board chairman Lewis Brandt said the night shift allowance had been replaced by a higher basic wage.

"The union knows the numbers, and the numbers show every crew member is better paid than a year ago," Brandt said.

The board said it would hire temporary crews if the strike went on into a second week.
""",
    "union_reply.txt": """Union rejects board's claims as false

Via Calder Bay Courier

The Maritime Workers Union rejected the harbour board's accusations on Wednesday, calling them false and misleading.

Okafor said the higher basic wage applied only to new crews hired after March.

The union said it had filed a complaint with the regional labour court.

According to the agency Coastline Press, the court will hear the complaint on Friday.
""",
    "ferry_numbers.txt": """Commuters count the cost of the ferry strike

Via Estuary Post

About 6,400 passengers use the Calder Bay ferries on a normal weekday, the harbour board said.

On Monday only 212 passengers crossed, most of them on a single chartered boat.

Shops near the Wexmoor pier reported takings down by half.

The strike began after talks broke down on Sunday night.
""",
}


@pytest.fixture(scope="module")
def ferry_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("ferry-corpus")
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def ferry_engine(embedder, tmp_path_factory, ferry_corpus: Path) -> Engine:
    engine = Engine.open(Settings(home=tmp_path_factory.mktemp("ferry-home"), _env_file=None), embedder=embedder)
    report = engine.ingest([ferry_corpus])
    assert len(report.added) == len(ARTICLES)
    return engine


def verbatim(corpus: Path, answer) -> bool:
    """Every citation is the exact text of its article at its span (a doc id is the file's stem)."""
    return quoted_verbatim(answer.citations, corpus)


@pytest.mark.parametrize("question,expected", [
    ("How many passengers crossed on the day the strike began?", r"\b212 passengers\b"),
    ("When did the ferry crews walk out?", r"\bMonday\b"),
    ("Which agency reported when the court will hear the complaint?", r"Coastline Press"),
    ("Why are the ferry crews striking?", r"night shift allowance|keep what we have"),
    ("What did Brandt say about crew pay?", r"better paid"),
])
def test_answers_carry_what_was_asked(ferry_engine, ferry_corpus, question, expected):
    answer = ferry_engine.ask(question)
    assert answer.status == "answered", answer.answer
    first = answer.answer.splitlines()[0]
    assert re.search(expected, first), answer.answer
    assert answer.citations and verbatim(ferry_corpus, answer)


def test_a_reaction_is_answered_with_the_reply_not_the_accusation(ferry_engine):
    answer = ferry_engine.ask("How did the union respond to the board's accusations?")
    assert answer.status == "answered"
    assert "rejected" in answer.answer.splitlines()[0], answer.answer


def test_attribution_names_the_speaker_of_a_quote(ferry_engine):
    answer = ferry_engine.ask("What did Okafor say about the strike?")
    assert answer.status == "answered"
    lead = answer.answer.splitlines()[0]
    assert "Okafor" in lead or "keep what we have" in lead, answer.answer
    assert "Brandt" not in lead


def test_follow_up_about_the_agency(ferry_engine):
    from dossier.index.conversation import Conversation

    conversation = Conversation()
    ferry_engine.ask("What will the labour court do about the union's complaint?", conversation=conversation)
    follow = ferry_engine.ask("Which agency reported that?", conversation=conversation)
    assert follow.resolved and "Coastline Press" in follow.answer


def test_a_key_word_the_articles_never_use_gives_related_not_an_answer(ferry_engine):
    answer = ferry_engine.ask("How many ferries did the harbour board sell last year?")  # nothing is sold
    assert answer.status == "related" and not answer.refused, answer.answer
    assert answer.answer.startswith(RELATED_LEAD) and answer.citations
    assert answer.to_dict()["status"] == "related"


def test_a_price_the_articles_never_give_is_not_answered(ferry_engine):
    answer = ferry_engine.ask("How much did the new ferry terminal cost?")
    assert answer.status in ("related", "refused"), answer.answer


@pytest.mark.parametrize("question", [
    "What did Mayor Theodora Quill say about the strike?",  # a name the articles never mention
    "What is the boiling point of water?",
])
def test_out_of_corpus_questions_are_refused(ferry_engine, question):
    answer = ferry_engine.ask(question)
    assert answer.status == "refused" and answer.refused and not answer.citations


def test_an_acronym_of_a_name_the_articles_write_out_is_no_unknown_name(ferry_engine):
    """"MWU" is never written, but "Maritime Workers Union" is: the question is about it."""
    answer = ferry_engine.ask("What did the MWU say the strike would last until?")
    assert "do not mention MWU" not in answer.answer and answer.status != "refused", answer.answer
    assert "Maritime Workers Union said the strike would last" in answer.answer
