"""The local citation-support judge, hybrid-raw and the llama-index reference on the real seed store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dossier.index.eval.configs import build, raw_top_chunk
from dossier.index.eval.judge import Evidence, score_answer
from dossier.index.eval.stock import StockReference, locate
from dossier.index.models import Answer, Citation

MISSILES = "002_4e57d263a0889e77"
LAUNCH = ("North Korea fired at least 10 missiles toward the Sea of Japan and the Yellow Sea on Wednesday, "
          "South Korea’s Joint Chiefs of Staff told reporters.")


@pytest.fixture(scope="module")
def evidence(seeded_engine) -> Evidence:
    texts = {d.doc_id: Path(d.path).read_text(encoding="utf-8") for d in seeded_engine.sources()}
    return Evidence(seeded_engine, texts)


@pytest.fixture(scope="module")
def launch(evidence) -> Citation:
    text = evidence.texts[MISSILES]
    start = text.index(LAUNCH)
    return Citation(n=1, doc_id=MISSILES, title="t", outlet=None, date=None, quote=LAUNCH, start=start,
                    end=start + len(LAUNCH))


def answer_with(text: str, *citations: Citation) -> Answer:
    return Answer(question="q", answer=text, mode="generated", refused=False, citations=citations)


def test_the_store_sentences_are_all_there(evidence):
    assert {doc for doc, _, _ in evidence.at} == set(evidence.texts)
    assert all(evidence.texts[r.doc_id][r.start:r.end] == r.quote for r in evidence.at.values())


def test_a_faithful_sentence_is_supported_and_its_citation_needed(seeded_engine, evidence, launch):
    score = score_answer(seeded_engine, evidence, answer_with(
        "North Korea fired at least 10 missiles toward the Sea of Japan and the Yellow Sea on Wednesday, South Korea's "
        "Joint Chiefs of Staff said [1].", launch))  # the source's attribution kept (issue 13: dropping it is unfaithful)
    assert (score.recall, score.precision) == (1.0, 1.0)


def test_a_changed_number_is_not_supported(seeded_engine, evidence, launch):
    score = score_answer(seeded_engine, evidence, answer_with(
        "North Korea fired at least 50 missiles toward the Sea of Japan and the Yellow Sea on Wednesday [1].", launch))
    assert (score.recall, score.precision) == (0.0, 0.0)


def test_an_unneeded_extra_citation_lowers_precision_only(seeded_engine, evidence, launch):
    text = evidence.texts[MISSILES]
    other = "Russian Ambassador to the United Nations Vassily Nebenzia has since denied the claims."
    start = text.index(other)
    extra = Citation(n=2, doc_id=MISSILES, title="t", outlet=None, date=None, quote=other, start=start,
                     end=start + len(other))
    score = score_answer(seeded_engine, evidence, answer_with(
        "North Korea fired at least 10 missiles toward the Sea of Japan and the Yellow Sea on Wednesday, South Korea's "
        "military said [1][2].", launch, extra))
    assert score.recall == 1.0 and score.precision == 0.5


def test_refusals_are_not_judged_and_empty_answers_have_no_sentences(seeded_engine, evidence):
    refused = Answer(question="q", answer="The articles do not answer this question.", mode="extractive",
                     refused=True)
    assert score_answer(seeded_engine, evidence, refused) is None
    empty = score_answer(seeded_engine, evidence, answer_with(""))
    assert empty.recall is None and empty.precision is None


def test_an_inexact_quote_is_judged_as_shown(seeded_engine, evidence, launch):
    """A quote that is not the file text at its span is judged on its own words, and flagged."""
    moved = replace(launch, start=launch.start + 1, end=launch.end + 1)
    assert not evidence.exact(moved) and evidence.exact(launch)
    [record] = evidence.records(moved)
    assert record.text == LAUNCH and record.start == -1


def test_engine_answers_are_exact_and_supported(seeded_engine, evidence):
    answer = seeded_engine.ask("How many missiles did North Korea fire toward the Sea of Japan?", mode="extractive")
    assert all(evidence.exact(c) for c in answer.citations)
    assert score_answer(seeded_engine, evidence, answer).recall == 1.0


def test_hybrid_raw_is_the_top_chunk_with_every_sentence_cited(seeded_engine, evidence):
    question = "How many missiles did North Korea fire toward the Sea of Japan?"
    answer = raw_top_chunk(seeded_engine, question, 6)
    top = seeded_engine.retrieve(question, 6)[0]
    assert not answer.refused and answer.answer.count("[") == len(top.sentence_ids) == len(answer.citations)
    assert {c.doc_id for c in answer.citations} == {top.doc_id}
    assert all(evidence.exact(c) for c in answer.citations)
    assert raw_top_chunk(seeded_engine, "Who won the 2022 World Cup?", 6).refused is False  # no shaping, no refusal


def test_generated_is_skipped_without_an_llm(seeded_engine):
    skipped = build("generated", seeded_engine, 6)
    assert skipped.reason.startswith("no LLM configured")


def test_locate_trusts_node_offsets_only_when_they_slice_the_text():
    source = "Title\n\nBody one. Body two."
    assert locate(source, "Body one.", 7, 16) == (7, 16)
    assert locate(source, "Body one.", 0, 9) == (7, 16)  # wrong offsets: found by search
    assert locate(source, "Not there.", None, None) == (-1, -1)
    assert locate(source, "", None, None) == (-1, -1)


def test_stock_reference_quotes_its_top_node_exactly_and_never_refuses(seeded_engine, evidence):
    stock = StockReference(seeded_engine, 6)
    answer = stock.answer("Toward which island was one of the missiles flying?")
    [citation] = answer.citations
    assert not answer.refused and answer.answer == citation.quote
    assert evidence.exact(citation)
    assert len(stock.retrieve("Who won the 2022 World Cup?")) == len(evidence.texts)  # one node per article
    score = score_answer(seeded_engine, evidence, answer)
    assert score.sentences > 5 and score.recall > 0.9  # a verbatim passage supports itself
