"""Follow-ups resolved against the conversation, and new topics left alone."""

from pathlib import Path

import pytest

from dossier.index.conversation import Conversation, is_followup, resolve_offline
from dossier.index.engine import Engine
from dossier.index.models import Answer
from dossier.index.settings import Settings
from conftest import verbatim as quoted_verbatim

# (first question, follow-up, article the follow-up must cite first, phrase in that quote)
CHAINS = [
    ("What did Kirby tell CNN?", "Did he give any evidence?", "004_bd89ee0a79ef3c3c", "without specifying what evidence"),
    ("What did North Korea declare in September?", "What did it advise the US to do?", "000_0dd2a3e0bdc5e534",
     "keep its mouth shut"),
    ("What did North Korea's vice director of military foreign affairs say?", "Which agency reported it?",
     "003_921e0df82687d6a9", "according to KCNA"),
    ("What did Kirby say about the quantity of shells?", "Did he say where they were going?",
     "000_0dd2a3e0bdc5e534", "where they are going to transport"),
    ("What did the Japanese transport ministry recommend?", "Why?", "002_4e57d263a0889e77", "safety of passengers"),
    ("Which military exercise did North Korea cite for its launches?", "Who conducted it?", "002_4e57d263a0889e77",
     "military exercises"),
    ("What happened to South Korea's air routes?", "Who reported it?", "002_4e57d263a0889e77",
     "Yonhap news agency reported"),
    ("What did Pyongyang promise after last week's war games?", "Which operation was it reacting to?",
     "003_921e0df82687d6a9", "war games"),
    ("What did the Japanese transport ministry recommend?", "Which passengers did it want to protect?",
     "002_4e57d263a0889e77", "passengers who travel"),
]


def verbatim(answer: Answer) -> bool:
    return quoted_verbatim(answer.citations)


@pytest.mark.parametrize("first,followup,doc_id,phrase", CHAINS, ids=lambda v: str(v)[:30])
def test_followup_needs_the_conversation(seeded_engine, first, followup, doc_id, phrase):
    alone = seeded_engine.ask(followup)
    assert alone.refused or alone.citations[0].doc_id != doc_id, "the follow-up alone already finds it"
    conversation = Conversation()
    seeded_engine.ask(first, conversation=conversation)
    answer = seeded_engine.ask(followup, conversation=conversation)
    assert not answer.refused and answer.resolved and answer.resolved != followup
    assert answer.question == followup
    assert answer.citations[0].doc_id == doc_id
    assert any(phrase in c.quote for c in answer.citations if c.doc_id == doc_id), answer.answer
    assert verbatim(answer)
    assert len(conversation.turns) == 2


def test_three_turn_chain_keeps_the_person(seeded_engine):
    conversation = Conversation()
    seeded_engine.ask("Who is Ned Price?", conversation=conversation)
    second = seeded_engine.ask("What did he say about Iran?", conversation=conversation)
    assert "Price" in second.resolved
    assert any("Iran" in c.quote for c in second.citations)
    third = seeded_engine.ask("And what did he say about North Korea?", conversation=conversation)
    assert "Price" in third.resolved
    assert third.citations[0].doc_id == "000_0dd2a3e0bdc5e534"
    assert "when it comes to North Korea" in third.citations[0].quote  # Price's words, not Kirby's
    assert verbatim(second) and verbatim(third)


@pytest.mark.parametrize("first,new_topic,doc_id", [
    ("What did Kirby say about the quantity of shells?",
     "How many missiles did North Korea fire toward the Sea of Japan?", "002_4e57d263a0889e77"),
    ("What did the Japanese transport ministry recommend?",
     "What sanctions did the US impose on an Iranian business in September?", "000_0dd2a3e0bdc5e534"),
    ("Who is Ned Price?", "Which Russian diplomat denied the claims at the United Nations?", "002_4e57d263a0889e77"),
])
def test_new_topic_is_not_dragged_toward_the_old_one(seeded_engine, first, new_topic, doc_id):
    conversation = Conversation()
    seeded_engine.ask(first, conversation=conversation)
    answer = seeded_engine.ask(new_topic, conversation=conversation)
    assert answer.resolved is None
    assert answer.citations[0].doc_id == doc_id
    assert answer.to_dict() == seeded_engine.ask(new_topic).to_dict() | {"timings_ms": answer.timings_ms}


def test_out_of_corpus_question_after_a_good_one_is_still_refused(seeded_engine):
    conversation = Conversation()
    seeded_engine.ask("What did Kirby say about the quantity of shells?", conversation=conversation)
    assert seeded_engine.ask("What is the capital of Australia?", conversation=conversation).refused


def test_what_about_replaces_the_subject():
    conversation = Conversation()
    conversation.add(Answer(question="How did North Korea respond to the accusations?", answer="…",
                            mode="extractive", refused=False))
    assert resolve_offline("What about Russia?", conversation, set()) == "How did Russia respond to the accusations?"


def test_followup_detection():
    assert is_followup("Did he say more?") and is_followup("Why?") and is_followup("And the shipments?")
    assert is_followup("What did Kirby say before that?") and is_followup("Which agency carried that statement?")
    assert not is_followup("Who told CNN that North Korea was covertly supplying artillery shells?")
    assert not is_followup("How many missiles did North Korea fire toward the Sea of Japan?")


def test_history_is_bounded():
    conversation = Conversation(max_turns=3)
    for n in range(5):
        conversation.add(Answer(question=f"q{n}", answer="a", mode="extractive", refused=False))
    assert [a.question for a in conversation.turns] == ["q2", "q3", "q4"]
    conversation.clear()
    assert not conversation.turns


def test_refused_turns_do_not_become_the_subject(seeded_engine):
    conversation = Conversation()
    seeded_engine.ask("What did the Japanese transport ministry recommend?", conversation=conversation)
    seeded_engine.ask("What is the capital of Australia?", conversation=conversation)
    answer = seeded_engine.ask("Why?", conversation=conversation)
    assert "Japanese" in answer.resolved and answer.citations[0].doc_id == "002_4e57d263a0889e77"


@pytest.fixture
def llm_engine(embedder, seeded_store):
    """A generated-mode engine over the seeds, talking to a local OpenAI-compatible server."""
    from openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        settings = Settings(home=seeded_store, openai_base_url=f"{server.url}/v1", openai_api_key="test-key",
                            llm_timeout=5, llm_max_retries=0, mode="generated", _env_file=None)
        yield Engine.open(settings, embedder=embedder), server


def test_llm_condenses_followups(llm_engine):
    engine, server = llm_engine
    conversation = Conversation()
    server.enqueue("INSUFFICIENT_CONTEXT")  # first answer: the model declines
    engine.ask("What did the Japanese transport ministry recommend?", conversation=conversation)
    server.enqueue("Why did the Japanese transport ministry recommend alternative routes to airlines?")
    server.enqueue("INSUFFICIENT_CONTEXT")
    answer = engine.ask("Why?", conversation=conversation)
    condense_request = server.chat_requests()[1].messages_text()
    assert "Follow-up question: Why?" in condense_request
    assert "Japanese transport ministry" in condense_request  # the history went to the model
    assert answer.resolved == "Why did the Japanese transport ministry recommend alternative routes to airlines?"


def test_llm_condenser_failure_falls_back_to_offline(llm_engine):
    engine, server = llm_engine
    conversation = Conversation()
    server.enqueue_error(500)
    first = engine.ask("What did the Japanese transport ministry recommend?", conversation=conversation)
    assert first.mode == "extractive" and first.notice
    server.enqueue_error(500)  # condenser
    server.enqueue_error(500)  # answer
    answer = engine.ask("Why?", conversation=conversation)
    assert "Japanese transport ministry" in answer.resolved
    assert answer.citations[0].doc_id == "002_4e57d263a0889e77" and verbatim(answer)


def test_demonstratives_are_told_apart_by_syntax_not_by_a_list_of_nouns():
    # nouns from no story: a determiner before any common noun points back
    assert is_followup("Where were those ferries going?") and is_followup("Who signed that contract?")
    assert is_followup("When did these talks start?")
    # a conjunction after a verb of saying, before a name, pronoun or determiner: no reference back
    assert not is_followup("Did the mayor say that ferries were delayed on the river?")
    assert not is_followup("Who claimed that the harbour pilots went on strike?")
    # "this year" is a time, not a reference back
    assert not is_followup("How many ferries sank in the harbour this year?")
