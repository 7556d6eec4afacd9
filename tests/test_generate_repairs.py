"""The generated answer's check on the failures a real small model showed (issue 13): what it
repairs, what it drops, and what the rewriter and the prompt cost a local server.

Real Engine over a copy of the seeded store, the real ONNX embedder, the real openai client
over HTTP to the scripted server (tests/openai_server.py), whose replies are written against
the sources the prompt numbered, as a model reads them (``enqueue_numbered``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dossier.index.conversation import Conversation
from dossier.index.deadline import Budget
from dossier.index.embedder import OnnxMiniLMEmbedding, embed_texts
from dossier.index.engine import Engine
from dossier.index.generate import Fallback, Generation, Request, chunk_records
from dossier.index.models import Answer
from dossier.index.question import addresses, analyze_question
from dossier.index.settings import Settings
from conftest import assert_verbatim, copy_store
from openai_server import FakeOpenAIServer, prompt_sources

QUESTION = "What did Kirby say about North Korea's artillery shells for Russia?"
WHICH_COUNTRY = "Which country is supplying artillery shells to Russia?"
DRONES = "When did the Biden administration say Russia took delivery of Iranian drones?"
MISSILES = "How many missiles did North Korea fire toward the Sea of Japan?"
AMMUNITION = "What did Kirby say about the quantity of ammunition?"
ESTIMATE = "He declined to provide a specific estimate on the quantity of ammunition being sent"
VIDEO = ("Kirby said in a video briefing that North Korea was seeking to conceal the shipments by routing them "
         "through Middle Eastern and North African countries")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, seeded_home: Path) -> Path:
    return copy_store(seeded_home, tmp_path_factory.mktemp("repairs") / "home")


@pytest.fixture()
def engine(home: Path, embedder: OnnxMiniLMEmbedding, llm_server: FakeOpenAIServer) -> Engine:
    llm_server.reset()
    settings = Settings(home=home, openai_base_url=llm_server.url + "/v1", openai_api_key="test-key",
                        llm_timeout=5, llm_max_retries=0, mode="generated", _env_file=None)
    return Engine.open(settings, embedder=embedder)


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def shown(engine: Engine, answer: Answer) -> None:
    """A generated answer was shown, every citation verbatim and every marker a citation."""
    assert answer.mode == "generated" and answer.status == "answered", (answer.answer, answer.notice)
    assert sorted(set(markers(answer.answer))) == [c.n for c in answer.citations]
    assert_verbatim(answer.citations, engine)


# ---- repaired, not deleted ------------------------------------------------------------------------


def test_a_wrong_marker_is_re_pointed_to_the_source_that_supports_it(engine: Engine,
                                                                      llm_server: FakeOpenAIServer) -> None:
    llm_server.enqueue_numbered(f"{VIDEO} [{{not:video briefing}}].")
    answer = engine.ask(QUESTION)
    shown(engine, answer)
    assert answer.answer == f"{VIDEO} [1]." and answer.notice is None
    assert len(answer.citations) == 1 and "video briefing" in answer.citations[0].quote
    assert answer.draft is not None and answer.draft.outcome == "repaired"
    [wrong] = markers(answer.draft.reply)  # as the model wrote it: a source without that sentence
    assert "video briefing" not in prompt_sources(llm_server.answer_requests()[-1].body)[wrong][1]


def test_a_reported_claim_stated_as_fact_is_credited_not_deleted(engine: Engine,
                                                                 llm_server: FakeOpenAIServer) -> None:
    # The source: "The Japanese transport ministry recommended ... routes ..., the report said."
    plain = "The Japanese transport ministry recommended that local airlines choose alternative routes"
    llm_server.enqueue_numbered(f"{plain} [{{src:alternative routes}}].")
    answer = engine.ask("What did the Japanese transport ministry recommend to local airlines?")
    shown(engine, answer)
    assert answer.answer == f"{plain}, according to the report [1]."
    assert "the report said" in answer.citations[0].quote
    assert answer.draft is not None and answer.draft.outcome == "repaired" and answer.notice is None


def test_a_sentence_with_an_attribution_of_its_own_is_not_credited_again(engine: Engine,
                                                                          llm_server: FakeOpenAIServer) -> None:
    # Its speaker is wrong: adding the right one would make it say two things.
    llm_server.enqueue_numbered("Yonhap said the Japanese transport ministry recommended that local airlines "
                                "choose alternative routes [{src:alternative routes}].")
    answer = engine.ask("What did the Japanese transport ministry recommend to local airlines?")
    assert "according to" not in answer.answer and "Yonhap said" not in answer.answer


def test_an_unmarked_sentence_takes_the_markers_of_the_next(engine: Engine, llm_server: FakeOpenAIServer) -> None:
    llm_server.enqueue_numbered("Kirby said in a video briefing that North Korea was seeking to conceal the "
                                "shipments. He said the shipments were routed through Middle Eastern and North "
                                "African countries [{src:video briefing}].")
    answer = engine.ask(QUESTION)
    shown(engine, answer)
    first, second = answer.answer.split(". ", 1)
    assert markers(first) == [1] and markers(second) == [1], answer.answer  # both cite the one sentence
    assert second.startswith("He [Kirby] said")
    assert answer.notice is None and answer.draft.outcome == "repaired"


def test_a_claim_from_a_headline_is_checked_against_the_title(engine: Engine, llm_server: FakeOpenAIServer) -> None:
    # The title of a source whose own text does not say it; the article file holds it as its headline.
    llm_server.enqueue_numbered("{title:video briefing} [{src:video briefing}].")
    answer = engine.ask(WHICH_COUNTRY)
    shown(engine, answer)
    [citation] = answer.citations
    assert citation.quote == citation.title and citation.start == 0, citation
    assert answer.answer == f"{citation.title} [1]."


def test_a_leading_pronoun_is_named_as_extractive_answers_name_it(engine: Engine,
                                                                   llm_server: FakeOpenAIServer) -> None:
    llm_server.enqueue_numbered(f"{ESTIMATE} [{{src:specific estimate}}].")
    answer = engine.ask(AMMUNITION)
    shown(engine, answer)
    assert answer.answer == f"He [Kirby] {ESTIMATE[3:]} [1]."
    assert "specific estimate" in answer.citations[0].quote and answer.draft.outcome == "repaired"


def test_a_pronoun_its_source_does_not_settle_is_dropped(engine: Engine, llm_server: FakeOpenAIServer) -> None:
    """'He' supported only by a sentence that names nobody: who is meant cannot be shown."""
    chunks = engine.retrieve(QUESTION, k=12)
    by_chunk = chunk_records(chunks, engine.store.get_sentences([s for c in chunks for s in c.sentence_ids]))
    n, record = next((n, r) for n, records in by_chunk.items() for r in records
                     if r.text.startswith("The White House has accused North Korea"))
    assert not record.speaker and not record.subject
    llm_server.enqueue("He accused North Korea of covertly shipping a significant number of artillery shells "
                       "to Russia [1].")
    assert engine.chat is not None
    generation = Generation(chat=engine.chat, scorer=engine.support_scorer(), cite=engine.citation, max_chars=600)
    outcome = generation.answer(Request(QUESTION, [chunks[n - 1]], by_chunk[n]), Budget(5))
    assert isinstance(outcome, Fallback) and outcome.draft.outcome == "fallback", outcome


# ---- dropped: unfaithful, or not about the question --------------------------------------------------


# What the model wrote, with a phrase of the source it cites, and the judge's rule it breaks.
MONTH_SWAP = ("The Biden administration said in September that the Russian military took delivery of hundreds of "
              "Iranian-manufactured drones", "in August said", "number-mismatch")
NEGATION_FLIP = ("Mr Kirby insisted that the North Korean shipments are going to change the course of the war",
                 "not going to change the course", "negation")
MISQUOTE = ('Mr Kirby insisted that the North Korean shipments are "not going to decide the war"',
            "not going to change the course", "quote-not-verbatim")
AUGUST = ("The Biden administration said in August that the Russian military took delivery of hundreds of "
          "Iranian-manufactured drones", "in August said", "ok")


@pytest.mark.parametrize("question,good,flips", [(DRONES, AUGUST, [MONTH_SWAP]),
                                                 (AMMUNITION, (ESTIMATE, "specific estimate", "ok"),
                                                  [NEGATION_FLIP, MISQUOTE])], ids=["month", "negation-quote"])
def test_meaning_flips_the_similarity_bars_let_through_are_dropped(engine: Engine, llm_server: FakeOpenAIServer,
                                                                    question: str, good: tuple, flips: list) -> None:
    scorer = engine.support_scorer()
    sources = [r for c in engine.retrieve(question)[:engine.settings.llm_chunks]
               for r in engine.store.get_sentences(list(c.sentence_ids))]
    for (text, phrase, rule), vector in zip(flips, embed_texts(engine.embedder, [t for t, _, _ in flips])):
        source = next(r for r in sources if phrase in r.text)
        support = scorer.measure(text, vector, source)
        # What issue 13 saw: the similarity bars alone (cosine and overlap >= 0.5) accepted the flip.
        assert support.cosine >= 0.5 and support.overlap >= 0.5 and support.reason == rule, (text, support)
    llm_server.enqueue_numbered(" ".join(f"{text} [{{src:{phrase}}}]." for text, phrase, _ in [good, *flips]))
    answer = engine.ask(question)
    shown(engine, answer)
    # One sentence shown (each shown sentence carries a marker): the faithful one.
    assert markers(answer.answer) == [1] and answer.answer.endswith(f"{good[0][-30:]} [1].")
    assert answer.notice == (f"{len(flips)} sentence(s) of the model's answer were removed: "
                             "no source in the prompt supported it.")
    assert answer.draft.outcome == "repaired"


def test_a_faithful_sentence_off_the_question_is_dropped(engine: Engine, llm_server: FakeOpenAIServer) -> None:
    facts = engine.corpus_facts()
    analysis = analyze_question(WHICH_COUNTRY, facts)
    chunks = engine.retrieve(WHICH_COUNTRY)[:engine.settings.llm_chunks]
    by_chunk = chunk_records(chunks, engine.store.get_sentences([s for c in chunks for s in c.sentence_ids]))
    n, off = next((n, r) for n, records in by_chunk.items() for r in records  # true, cited to its own source
                  if len(r.text.split()) >= 8 and not addresses(analysis, r.text, facts, r.speaker))
    llm_server.enqueue_numbered(f"{{title:video briefing}} [{{src:video briefing}}]. {off.text} [{n}]")
    answer = engine.ask(WHICH_COUNTRY)
    shown(engine, answer)
    assert off.text not in answer.answer and len(answer.citations) == 1
    assert answer.notice == "1 sentence(s) of the model's answer were removed: it did not address the question."


# ---- latency: the rewriter only for follow-ups, a prompt prefix that stays -----------------------------


def test_only_a_follow_up_is_sent_to_the_rewriter(engine: Engine, llm_server: FakeOpenAIServer) -> None:
    conversation = Conversation()
    for question in (QUESTION, MISSILES):  # the second stands on its own
        llm_server.enqueue("INSUFFICIENT_CONTEXT")
        engine.ask(question, conversation=conversation)
    assert len(llm_server.chat_requests()) == 2 and not llm_server.rewrite_requests()
    llm_server.enqueue("How many missiles did North Korea fire toward the Yellow Sea?")
    llm_server.enqueue("INSUFFICIENT_CONTEXT")
    answer = engine.ask("And toward the Yellow Sea?", conversation=conversation)
    assert len(llm_server.rewrite_requests()) == 1 and len(llm_server.answer_requests()) == 3
    assert answer.resolved == "How many missiles did North Korea fire toward the Yellow Sea?"


def test_the_prompt_keeps_a_stable_prefix_with_the_question_last(engine: Engine,
                                                                  llm_server: FakeOpenAIServer) -> None:
    """A llama.cpp server reuses the cache of a prompt's unchanged prefix: everything before the
    sources is the same for every question, and nothing after the question."""
    for question in (QUESTION, MISSILES):
        llm_server.enqueue("INSUFFICIENT_CONTEXT")
        engine.ask(question)
    first, second = (r.body["messages"] for r in llm_server.answer_requests())
    assert first[0] == second[0] and first[0]["role"] == "system"
    heads = [m[1]["content"].split('<source id="1">')[0] for m in (first, second)]
    assert heads[0] == heads[1] and "[n]" in heads[0]  # the instructions come before the sources
    assert first[1]["content"].endswith(f"Question from the user: {QUESTION}\n")
    assert second[1]["content"].endswith(f"Question from the user: {MISSILES}\n")


def test_a_headline_is_quoted_from_the_file_as_ingested(tmp_path: Path, embedder: OnnxMiniLMEmbedding) -> None:
    import hashlib

    from dossier.index.generate import title_record
    from dossier.index.models import DocumentMeta

    text = "Kicker\n\n  Ferries halted as pilots strike  \n\nThe harbour closed on Friday.\n"
    path = tmp_path / "harbour.txt"
    path.write_text(text, encoding="utf-8")
    meta = DocumentMeta(doc_id="harbour", title="Ferries halted as pilots strike", title_derived=False, outlet=None,
                        byline=None, date=None, path=str(path), sha256=hashlib.sha256(text.encode()).hexdigest())
    embed = lambda texts: embed_texts(embedder, texts)  # noqa: E731
    record = title_record(meta, embed, 10_000, lambda: None)
    assert record is not None and text[record.start:record.end] == record.quote == meta.title
    path.write_text(text.replace("Friday", "Monday"), encoding="utf-8")  # changed since its ingest
    assert title_record(meta, embed, 10_000, lambda: None) is None


def test_the_prompt_holds_dossier_llm_chunks_sources(home: Path, embedder: OnnxMiniLMEmbedding,
                                                      llm_server: FakeOpenAIServer) -> None:
    llm_server.reset()
    settings = Settings(home=home, openai_base_url=llm_server.url + "/v1", openai_api_key="test-key", llm_timeout=5,
                        llm_max_retries=0, mode="generated", llm_chunks=2, _env_file=None)
    engine = Engine.open(settings, embedder=embedder)
    llm_server.enqueue("INSUFFICIENT_CONTEXT")
    engine.ask(QUESTION)
    [request] = llm_server.answer_requests()
    assert sorted(prompt_sources(request.body)) == [1, 2]
    assert [c.text for c in engine.retrieve(QUESTION)[:2]] == [t for _, t in prompt_sources(request.body).values()]
