"""Questions about agreement or disagreement answered from the claims (issue 14, point 4), and
the contradictions a generated answer's prompt notes. Real Chroma, the real embedder, the real
claim index; the model is a scripted OpenAI-compatible server (tests/openai_server.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import assert_verbatim, copy_store
from dossier.index.engine import Engine
from dossier.index.errors import StoreError
from dossier.index.generate import DisputeNote, Request, build_messages, disputed_note
from dossier.index.models import DISPUTED_LEAD, Answer, RetrievalHit
from dossier.index.question import analyze_question
from dossier.index.settings import Settings
from openai_server import FakeOpenAIServer

SIDE = re.compile(r"^(?P<who>.+?) (?P<verb>says|say|reports|denies it|deny it|reports a denial): (?P<said>.+?) "
                  r"(?P<markers>(?:\[\d+\])+)$")


def sides(answer: Answer) -> list[re.Match]:
    """The answer's lines read as "<who> says: <sentence> [n]" / "<who> denies it: <sentence> [m]"."""
    return [m for m in map(SIDE.match, answer.answer.splitlines()) if m]


def assert_two_sides(answer: Answer) -> tuple[re.Match, re.Match]:
    assert answer.status == "answered" and answer.mode == "extractive", answer
    lines = answer.answer.splitlines()
    found = sides(answer)
    assert len(lines) == 2 and len(found) == 2, answer.answer
    claim, denial = found
    assert claim["verb"] in ("says", "say", "reports") and "den" in denial["verb"]
    assert claim["who"].lower() != denial["who"].lower()  # two speakers
    assert_verbatim(answer.citations)
    numbers = [int(n) for m in found for n in re.findall(r"\d+", m["markers"])]
    assert numbers == list(range(1, len(answer.citations) + 1))  # every citation cited once, in order
    for side in found:  # each side's words are its first citation's sentence, verbatim
        first = answer.citations[int(re.match(r"\[(\d+)\]", side["markers"])[1]) - 1]
        assert side["said"].rstrip(".\u2026 ") in first.quote or first.quote.startswith(side["said"].rstrip(". \u2026"))
    assert len(answer.answer) <= Settings(_env_file=None).max_answer_chars
    return claim, denial


def test_do_two_parties_agree_is_answered_with_both_sides(seeded_engine):
    answer = seeded_engine.ask("Do the US and North Korea agree about the arms shipments?")
    claim, denial = assert_two_sides(answer)
    assert "North Korea" in denial["who"]  # the question names the denying party: its side is shown


def test_who_denied_is_answered_with_the_denial_and_what_it_denies(seeded_engine):
    answer = seeded_engine.ask("Who denied the claims?")
    claim, denial = assert_two_sides(answer)
    assert re.search(r"\bden(y|ies|ied)\b", denial["said"])  # the denying sentence itself
    assert DISPUTED_LEAD not in answer.answer  # both sides are already the answer


def test_both_sides_are_contradicting_claim_groups(seeded_engine):
    """The two cited sentences belong to claim groups the index links as contradicting."""
    answer = seeded_engine.ask("Who denied the claims?")
    claim, denial = assert_two_sides(answer)
    index = seeded_engine.claim_index
    by_span = {(c.doc_id, c.start): sid for sid, c in index.claims.items()}
    first = {answer.citations[int(n) - 1] for n in re.findall(r"\d+", claim["markers"])}
    second = {answer.citations[int(n) - 1] for n in re.findall(r"\d+", denial["markers"])}
    group_a = {index.group_of(by_span[(c.doc_id, c.start)]) for c in first}
    group_b = {index.group_of(by_span[(c.doc_id, c.start)]) for c in second}
    assert len(group_a) == 1 and len(group_b) == 1
    assert group_b.pop() in index.contradictions(group_a.pop())


def test_a_topic_with_no_contradiction_takes_the_usual_path(seeded_engine, monkeypatch):
    """Nothing contradicts the claims on this topic: no disagreement is made up, and the answer
    is exactly the one the question gets when the claims are not asked."""
    question = "Do the articles agree about when the missile launches took place?"
    assert analyze_question(question).agreement
    answer = seeded_engine.ask(question)
    assert not sides(answer)
    monkeypatch.setattr("dossier.index.engine.disagreement", lambda *args: None)
    usual = seeded_engine.ask(question)
    assert (answer.answer, answer.status, answer.citations) == (usual.answer, usual.status, usual.citations)


def test_a_party_named_but_never_disputing_gets_the_usual_answer(seeded_engine):
    """"Does X dispute Y" is about X: a contradiction between two others does not answer it."""
    question = "Does Russia dispute the report?"
    assert analyze_question(question).agreement
    assert not sides(seeded_engine.ask(question))


def test_claims_that_cannot_be_read_leave_the_usual_answer(seeded_copy, monkeypatch):
    """A store error while the claims catch up does not fail the question: it is answered as
    if no claim were asked for."""
    def broken(store):
        raise StoreError("the store did not answer")

    monkeypatch.setattr(seeded_copy.claim_index, "sync", broken)
    answer = seeded_copy.ask("Who denied the claims?")
    assert answer.status == "answered" and not sides(answer)
    assert_verbatim(answer.citations)


# ---- generated mode: the prompt notes the contradictions -----------------------------------------

API_KEY = "test-key-do-not-leak"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, seeded_home: Path, embedder,
              llm_server: FakeOpenAIServer) -> Engine:
    home = copy_store(seeded_home, tmp_path_factory.mktemp("agreement") / "home")
    settings = Settings(home=home, openai_base_url=llm_server.url + "/v1", openai_api_key=API_KEY, llm_timeout=5,
                        llm_max_retries=0, mode="generated", _env_file=None)
    return Engine.open(settings, embedder=embedder)


DISPUTED_QUESTION = "Is North Korea covertly supplying artillery shells to Russia?"
BOTH_SIDES_QUESTION = "Has Iran sent personnel to Crimea?"  # both sides are among the best chunks
NOTE = re.compile(r"\nDisputed: (.+)\. When you report a disputed statement, say who makes it and who denies it\.")
NUMBERED = re.compile(r"\[(\d+)\] \((.+?)\) is denied by \[(\d+)\] \((.+?)\)")


def prompt_of(server: FakeOpenAIServer) -> str:
    return server.answer_requests()[-1].messages_text()


def source_texts(prompt: str) -> dict[str, str]:
    return dict(re.findall(r'<source id="(\d+)">\n.*?\nText: (.*?)\n</source>', prompt, re.S))


@pytest.mark.parametrize("question", [DISPUTED_QUESTION, BOTH_SIDES_QUESTION])
def test_the_prompt_notes_the_contradictions_of_its_statements(generated, llm_server, question):
    llm_server.reset()
    llm_server.enqueue("NO_ANSWER")
    generated.ask(question)
    prompt = prompt_of(llm_server)
    note = NOTE.search(prompt)
    assert note, prompt[-800:]
    sources = source_texts(prompt)
    for part in note[1].split("; "):
        numbers = re.findall(r"\[(\d+)\]", part)
        assert numbers and all(n in sources for n in numbers)  # every numbered side is a source
        for n, speaker in re.findall(r"\[(\d+)\] \((.+?)\)", part):
            assert speaker.split()[-1] in sources[n]  # who says it, as the source's text names them
    assert prompt.rindex("</source>") < prompt.index("\nDisputed:") < prompt.index("Question from the user:")


def test_the_prompt_prefix_is_unchanged_by_the_note():
    """The note goes after the sources: the system prompt and everything before it stay the same."""
    chunk = RetrievalHit(chunk_id="a:v:c0", doc_id="a", text="The council said the fares would rise.",
                         sentence_ids=("a:v:s0",))
    plain = Request(question="Will the fares rise?", chunks=[chunk], records=[])
    noted = replace(plain, disputes=(DisputeNote(1, "the council", 1, ""),))
    without, with_note = build_messages(plain, lambda doc_id: None), build_messages(noted, lambda doc_id: None)
    assert with_note[0] == without[0]
    cut = without[1]["content"].index("Question from the user:")
    assert with_note[1]["content"].startswith(without[1]["content"][:cut].rstrip())
    assert "Disputed: [1] (the council) is denied by [1]." in with_note[1]["content"]
    assert "Disputed" not in without[1]["content"]


def test_a_reply_reporting_both_sides_with_their_speakers_is_kept(generated, llm_server):
    """The model uses the note: the statement and its denial, each cited and attributed, pass
    the check, though the denial does not speak to the question's own words."""
    llm_server.reset()

    def reply(body: dict) -> str:
        prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
        claim_n, claim_who, denial_n, denial_who = NUMBERED.search(NOTE.search(prompt)[1]).groups()
        sources = source_texts(prompt)
        said = [next(s for s in re.split(r"(?<=[.!?])\s+", sources[n]) if who.split()[-1] in s)
                for n, who in ((claim_n, claim_who), (denial_n, denial_who))]
        return f"{said[0]} [{claim_n}] {said[1]} [{denial_n}]"

    llm_server.enqueue_reply(reply)
    answer = generated.ask(BOTH_SIDES_QUESTION)
    assert answer.mode == "generated" and answer.notice is None, (answer.notice, answer.answer)
    assert len(answer.citations) == 2 and len(re.findall(r"\[\d+\]", answer.answer)) == 2
    assert re.search(r"\bden(y|ies|ied)\b", answer.answer)  # the denial is shown, with who denies it
    assert_verbatim(answer.citations)


def test_the_check_never_shows_an_accusation_without_its_speaker(generated, llm_server):
    """The accusation stated as fact, its speaker dropped: the faithfulness judge does not let
    it through bare (no source states it bare); the check credits it to whoever the cited
    source says makes it, as that source names them (issue 13: repair, not delete)."""
    llm_server.reset()
    bare = "North Korea is covertly supplying Russia's war in Ukraine with a significant number of artillery shells"

    def reply(body: dict) -> str:
        prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
        pair = re.search(r"\nDisputed: \[(\d+)\]", prompt)
        return f"{bare} [{pair[1]}]."

    llm_server.enqueue_reply(reply)
    answer = generated.ask(DISPUTED_QUESTION)
    assert f"{bare} [" not in answer.answer and f"{bare}." not in answer.answer  # never stated as bare fact
    assert answer.mode == "generated" and answer.draft is not None and answer.draft.outcome == "repaired"
    assert answer.answer.splitlines()[0] == f"{bare}, according to the White House [1]."
    assert answer.citations[0].quote.startswith("The White House has accused")  # the speaker as the source names it
    assert_verbatim(answer.citations)


def test_the_note_names_both_sides_and_their_speakers():
    note = disputed_note([DisputeNote(1, "Ortiz", 3, "the union"), DisputeNote(2, "", 4, "")])
    assert note == ("\n\nDisputed: [1] (Ortiz) is denied by [3] (the union); [2] is denied by [4]. "
                    "When you report a disputed statement, say who makes it and who denies it.")
    assert disputed_note([]) == ""
