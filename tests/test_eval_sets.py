"""The shipped question sets: enough questions, honest unanswerables, every phrase in its source,
and a second corpus whose articles are listed with their addresses."""

from __future__ import annotations

import re

import pytest

from dossier.index.eval.questions import Question, load_questions, phrases_found
from dossier.index.eval.sets import find_set, shipped_sets
from dossier.index.errors import DossierError
from dossier.index.lexical import tokenize
from dossier.index.parse import load_article
from dossier.index.settings import EVAL_DIR, SEEDS_DIR

SETS = {s.name: s for s in shipped_sets()}
STORIES = sorted({name.split("/")[0] for name in SETS})


def questions_of(name: str) -> list[Question]:
    return load_questions(SETS[name].questions)


def test_every_story_has_a_dev_and_a_heldout_set():
    assert {"seeds/dev", "seeds/heldout", "baltimore-bridge/dev", "baltimore-bridge/heldout"} <= set(SETS)
    assert SETS["seeds/dev"].corpus == SEEDS_DIR
    assert SETS["baltimore-bridge/heldout"].corpus == EVAL_DIR / "baltimore-bridge" / "corpus"


def test_unknown_set_names_the_known_ones():
    with pytest.raises(DossierError, match=r"unknown question set 'seeds/test'; choose from .*seeds/heldout"):
        find_set("seeds/test")


@pytest.mark.parametrize("story, total", [("seeds", 150), ("baltimore-bridge", 60)])
def test_each_story_has_enough_questions_and_ids_unique_across_its_splits(story, total):
    ids = [q.id for split in ("dev", "heldout") for q in questions_of(f"{story}/{split}")]
    assert len(ids) >= total
    assert len(set(ids)) == len(ids)


def test_the_seed_heldout_set_is_new_questions_only():
    dev = {q.question for q in questions_of("seeds/dev")}
    heldout = questions_of("seeds/heldout")
    assert len(heldout) >= 60 and not dev & {q.question for q in heldout}


@pytest.mark.parametrize("name", sorted(SETS))
def test_a_quarter_of_each_set_is_unanswerable_mostly_in_the_corpus_own_words(name):
    """Off-topic questions are easy to refuse; most unanswerables must sound like the articles."""
    questions = questions_of(name)
    unanswerable = [q for q in questions if not q.answerable]
    assert len(unanswerable) >= len(questions) / 4
    vocabulary = {term for path in SETS[name].corpus.glob("*.txt")
                  for term in tokenize(path.read_text(encoding="utf-8"))}
    in_corpus_words = [q.id for q in unanswerable if _known_share(q.question, vocabulary) >= 0.6]
    assert len(in_corpus_words) >= len(unanswerable) / 2, in_corpus_words


def _known_share(question: str, vocabulary: set[str]) -> float:
    terms = set(tokenize(question))
    return len(terms & vocabulary) / len(terms) if terms else 0.0


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_gold_source_has_a_sentence_holding_every_phrase_group(name):
    """A source that cannot produce a passing answer would make the question impossible."""
    articles = {p.stem: load_article(p, 10_000_000) for p in SETS[name].corpus.glob("*.txt")}
    for q in load_questions(SETS[name].questions, known_sources=set(articles)):
        for source in q.sources:
            assert any(phrases_found(s.text, q.phrases) for s in articles[source].sentences), (q.id, source)


@pytest.mark.parametrize("name", [s for s in STORIES if s != "seeds"])
def test_every_other_corpus_lists_every_article_with_outlet_and_address(name):
    story = EVAL_DIR / name
    files = sorted(p.name for p in (story / "corpus").glob("*.txt"))
    rows = [line for line in (story / "SOURCES.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")]
    listed = {re.match(r"\| `([^`]+)`", row).group(1): row for row in rows}
    assert len(files) >= 6 and sorted(listed) == files
    assert all(re.search(r"\| https?://\S+ \|", row) for row in rows)
    outlets = {row.split("|")[2].strip() for row in rows}
    assert len(outlets) == len(rows)  # one outlet per article


@pytest.mark.parametrize("story", STORIES)
def test_corpus_files_have_the_seed_shape(story):
    """Title line, blank line, then paragraphs; the parser finds sentences in every file."""
    for path in SETS[f"{story}/dev"].corpus.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        if story != "seeds":
            lines = text.splitlines()
            assert lines[0].strip() and not lines[1].strip(), path.name
        assert len(load_article(path, 10_000_000).sentences) >= 5, path.name
