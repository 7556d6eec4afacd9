"""`dossier repl` driven by real keystrokes through prompt_toolkit, against a real engine
(real Chroma in a temp dir, the real ONNX embedder) and, for generated answers, the real
openai client talking to a local OpenAI-compatible server (tests/openai_server.py).

The keystrokes go through a pipe into a real PromptSession; what the user would see is
read back from a rich Console writing to a StringIO.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from dossier.bot.cli import main
from dossier.bot.repl import HISTORY_FILE, Repl, build_session
from dossier.index.embedder import OnnxMiniLMEmbedding
from dossier.index.engine import Engine
from dossier.index.generate import chunk_records
from dossier.index.settings import Settings
from openai_server import FakeOpenAIServer

QUESTION = "What did Kirby say about the quantity of shells?"
FOLLOW_UP = "Did he say where they were going?"
GENERATED_QUESTION = "What did Kirby say about North Korea's artillery shells for Russia?"


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "data", _env_file=None)


@pytest.fixture()
def engine(settings: Settings, embedder: OnnxMiniLMEmbedding) -> Engine:
    """A fresh, empty store: the REPL's first run has to ingest seeds/ itself."""
    return Engine.open(settings, embedder=embedder)


@pytest.fixture()
def seeded_settings(seeded_store: Path) -> Settings:
    return Settings(home=seeded_store, _env_file=None)


@pytest.fixture()
def seeded(seeded_settings: Settings, embedder: OnnxMiniLMEmbedding) -> Engine:
    """A private copy of the seeded store, for sessions that are not about the first run."""
    return Engine.open(seeded_settings, embedder=embedder)


@pytest.fixture()
def llm_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


def generated_settings(home: Path, server: FakeOpenAIServer, timeout: float = 5) -> Settings:
    return Settings(home=home, openai_base_url=server.url + "/v1", openai_api_key="test-key",
                    llm_timeout=timeout, llm_max_retries=0, mode="generated", _env_file=None)


def drive(engine: Engine, settings: Settings, keys: str, end_input: bool = True) -> tuple[int, str, Repl]:
    """Type ``keys`` into a real PromptSession, run the REPL, return (status, console text, repl).

    With ``end_input`` the pipe is closed after the keys, so a REPL that ignored :quit or
    Ctrl-D would read the keys after them (tests assert it did not) instead of hanging."""
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        if end_input:
            pipe.close()
        repl = Repl(engine, settings, console, build_session(settings, input=pipe, output=DummyOutput()))
        status = repl.run()
    return status, out.getvalue(), repl


def flat(text: str) -> str:
    """The console text with rich's line wrapping undone, for assertions on long lines."""
    return " ".join(text.split())


def json_objects(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def interrupt_when(condition: Callable[[], bool], then: Callable[[], None] = lambda: None,
                   timeout: float = 20) -> threading.Thread:
    """Send SIGINT (a real Ctrl-C) to this process once ``condition`` holds, then run ``then``."""
    def fire() -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)
        then()
    thread = threading.Thread(target=fire, daemon=True)
    thread.start()
    return thread


# ---- a whole session ------------------------------------------------------------------------------


def test_session_ingests_answers_follow_ups_and_runs_every_command(engine: Engine, settings: Settings) -> None:
    assert engine.is_empty()
    keys = "".join(f"{line}\r" for line in [
        QUESTION, FOLLOW_UP, ":sources", ":k 3", ":k 0", ":k many", ":json", QUESTION, ":json", ":new",
        ":mode generated", ":mode", ":bogus", ":help", ":quit", "Who is John Kirby?"])
    status, out, repl = drive(engine, settings, keys)

    assert status == 0
    assert not engine.is_empty() and len(engine.sources()) == 5
    assert "ingesting" in out and "added 5" in out
    # the first answer: [n] markers, then its sources with quotes
    assert "Answer (extractive)" in out and "[1]" in out
    assert "He [Kirby] declined to provide a specific estimate on the quantity of ammunition" in flat(out)
    # the follow-up was resolved against the first question, and cites the "doubt" quote
    assert "(understood as: Did Kirby say where they were going?" in out
    after_follow_up = out.split("(understood as:", 1)[1]
    assert "000_0dd2a3e0bdc5e534" in after_follow_up.split(" articles", 1)[0]
    # :sources lists the corpus
    for document in engine.sources():
        assert document.doc_id in out
    assert "Sputnik News Agency" in out and "Tyler Durden" in out
    # :k
    assert "k = 3 chunks per question." in out
    assert out.count(":k needs a whole number from 1 to 50") == 2
    # :json prints one parseable object per answer, then :json turns it off again
    objects = json_objects(out)
    assert len(objects) == 1 and objects[0]["question"] == QUESTION and objects[0]["citations"]
    assert "JSON output on." in out and "JSON output off." in out
    # :new, :mode without an LLM, an unknown command, :help
    assert "New conversation" in out and not repl.conversation.turns
    assert "Generated answers need an LLM" in out and "mode = extractive" in out and repl.mode == "extractive"
    assert "Unknown command :bogus; type :help for the list." in out
    assert ":sources" in out.split("Unknown command", 1)[1]  # the :help text came after
    # :quit ended the session: the question typed after it was never asked
    assert "Who is John Kirby?" not in out and out.count("Answer (extractive)") == 2


def test_sources_say_which_articles_share_text(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    from test_claims import write_corpus

    engine.ingest(write_corpus(tmp_path / "articles").values())
    shared = engine.shared_text()
    [coast], [valley] = shared["wire_coast"], shared["wire_valley"]
    status, out, _ = drive(engine, settings, ":sources\r:quit\r")
    assert status == 0 and "ingesting" not in out  # not empty: the seeds were not added
    lines = out.splitlines()
    coast_title = next(i for i, line in enumerate(lines) if "Ossery barriers fail" in line)
    # In the article's title cell, under its title, as `dossier sources` prints it.
    assert f"shares {round(coast.share * 100)} % of its text with wire_valley (Marlow Cross under water)" \
        in lines[coast_title + 1]
    assert f"shares {round(valley.share * 100)} % of its text with wire_coast (Ossery" in out  # the title wraps
    assert flat(out).count("% of its text with") == 2  # the library shares nothing


def test_k_changes_how_many_chunks_are_retrieved(seeded: Engine, seeded_settings: Settings) -> None:
    _, out, repl = drive(seeded, seeded_settings, f":k 1\r:json\r{QUESTION}\r:quit\r")
    assert repl.k == 1
    (answer,) = json_objects(out)
    assert len({c["doc_id"] for c in answer["citations"]}) == 1  # one chunk retrieved: one article cited


def test_ctrl_d_on_an_empty_line_exits_zero(seeded: Engine, seeded_settings: Settings) -> None:
    status, out, _ = drive(seeded, seeded_settings, f"\x04{QUESTION}\r")
    assert status == 0
    assert "Answer (" not in out


def test_ctrl_c_at_the_prompt_clears_the_line(seeded: Engine, seeded_settings: Settings) -> None:
    status, out, repl = drive(seeded, seeded_settings, f"What is the price of oil\x03{QUESTION}\r:quit\r")
    assert status == 0
    assert [a.question for a in repl.conversation.turns] == [QUESTION]  # not "What is the price of oil..."
    assert "Answer (extractive)" in out


def test_user_errors_are_one_line_and_the_session_goes_on(seeded: Engine, seeded_settings: Settings) -> None:
    too_long = "why " * 300
    status, out, _ = drive(seeded, seeded_settings, f"{too_long}\r{QUESTION}\r:quit\r")
    assert status == 0
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "the limit is 1,000" in errors[0]
    assert "Answer (extractive)" in out


# ---- history ----------------------------------------------------------------------------------------


def test_history_persists_across_runs_and_ctrl_r_finds_it(seeded: Engine, seeded_settings: Settings) -> None:
    drive(seeded, seeded_settings, f"{QUESTION}\r:quit\r")
    history = (seeded_settings.home / HISTORY_FILE).read_text(encoding="utf-8")
    assert f"+{QUESTION}" in history

    # A new session reads the file: Ctrl-R "quantity", Enter ends the search, Enter asks it.
    status, out, repl = drive(seeded, seeded_settings, "\x12quantity\r\r:quit\r")
    assert status == 0
    assert [a.question for a in repl.conversation.turns] == [QUESTION]
    assert "quantity of ammunition" in flat(out)


# ---- Ctrl-C while answering ---------------------------------------------------------------------------


def test_ctrl_c_cancels_an_extractive_answer_and_the_next_question_works(
        seeded: Engine, seeded_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, settings = seeded, seeded_settings
    entered, release = threading.Event(), threading.Event()
    real_ask = engine.ask

    def slow_ask(*args, **kwargs):
        """The first answer blocks until the test lets it go, long after the user pressed Ctrl-C,
        and, like a call into ONNX or Chroma, a signal does not stop it."""
        if not entered.is_set():
            entered.set()
            while not release.is_set():
                try:
                    release.wait(20)
                except KeyboardInterrupt:
                    pass
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(engine, "ask", slow_ask)
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    # The blocked answer is only released once the REPL has said "cancelled": the REPL must
    # stop waiting on its own, not when the engine happens to finish.
    interrupt_when(entered.is_set, then=lambda: (_wait_for(lambda: "(cancelled)" in out.getvalue()), release.set()))
    with create_pipe_input() as pipe:
        pipe.send_text(f"What did Kirby say about the shipments?\r{QUESTION}\r:quit\r")
        repl = Repl(engine, settings, console, build_session(settings, input=pipe, output=DummyOutput()))
        status = repl.run()

    text = out.getvalue()
    assert status == 0 and release.is_set()
    assert "(cancelled)" in text
    assert text.count("Answer (extractive)") == 1 and "quantity of ammunition" in flat(text)
    # the cancelled question did not become part of the conversation
    assert [a.question for a in repl.conversation.turns] == [QUESTION]


def _wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_ctrl_c_cancels_a_generated_answer_while_the_model_is_slow(
        seeded_store: Path, embedder: OnnxMiniLMEmbedding, llm_server: FakeOpenAIServer) -> None:
    settings = generated_settings(seeded_store, llm_server, timeout=20)
    engine = Engine.open(settings, embedder=embedder)
    reply = supported_reply(engine, GENERATED_QUESTION)
    llm_server.enqueue_hang(30)  # the model does not answer within the test: only Ctrl-C ends the wait
    llm_server.enqueue(reply)
    interrupt_when(lambda: len(llm_server.chat_requests()) == 1)

    clock = time.monotonic()
    status, out, repl = drive(engine, settings, f"{GENERATED_QUESTION}\r{GENERATED_QUESTION}\r:quit\r")

    assert status == 0 and time.monotonic() - clock < 15
    assert "(cancelled)" in out
    assert len(llm_server.chat_requests()) == 2  # the second question went to the model again
    assert out.count("Answer (generated)") == 1 and "[1]" in out
    assert len(repl.conversation.turns) == 1


# ---- generated answers stream --------------------------------------------------------------------------


def supported_reply(engine: Engine, question: str) -> str:
    """A reply the check keeps: a sentence of the chunk ``ask`` will number [1], cited [1]."""
    chunks = engine.retrieve(question)
    by_chunk = chunk_records(chunks, engine.store.get_sentences([s for c in chunks for s in c.sentence_ids]))
    first = next(r for r in by_chunk[1] if len(r.text.split()) >= 8 and "[" not in r.text)
    return f"{first.text.rstrip('.')} [1]."


def test_generated_answers_stream_then_show_the_checked_answer(
        seeded_store: Path, embedder: OnnxMiniLMEmbedding, llm_server: FakeOpenAIServer) -> None:
    settings = generated_settings(seeded_store, llm_server)
    engine = Engine.open(settings, embedder=embedder)
    kept = supported_reply(engine, GENERATED_QUESTION)
    reply = f"{kept} The price of oil rose to 300 dollars [1]."  # the check drops the second sentence
    llm_server.enqueue(reply)

    status, out, repl = drive(engine, settings, f"{GENERATED_QUESTION}\r:quit\r")

    assert status == 0 and repl.mode == "generated"
    request = llm_server.chat_requests()[-1]
    assert request.body.get("stream") is True
    streamed, final = out.split("Answer (generated)", 1)
    assert reply in streamed  # the model's text as it arrived, unchecked
    assert "300 dollars" not in final  # the checked answer, without the unsupported sentence
    assert "1 sentence(s) of the model's answer were removed" in flat(out)
    answer = repl.conversation.turns[-1]
    assert answer.mode == "generated" and len(answer.citations) == 1
    citation = answer.citations[0]
    assert f"[1] {citation.title}" in flat(final) and citation.doc_id in final
    assert flat(citation.quote) in flat(final)


def test_generated_mode_is_allowed_when_an_llm_is_configured(
        seeded_store: Path, embedder: OnnxMiniLMEmbedding, llm_server: FakeOpenAIServer) -> None:
    settings = Settings(home=seeded_store, openai_base_url=llm_server.url + "/v1", openai_api_key="test-key",
                        mode="extractive", _env_file=None)
    engine = Engine.open(settings, embedder=embedder)
    _, out, repl = drive(engine, settings, ":mode generated\r:mode sideways\r:quit\r")
    assert repl.mode == "generated" and "mode = generated" in out
    assert ":mode takes extractive or generated" in out


# ---- the command line ------------------------------------------------------------------------------------


def test_repl_has_help(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["repl", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "interactive session" in out and "--mode" in out and "--top-k" in out


def test_repl_rejects_a_bad_k_in_one_line(capsys: pytest.CaptureFixture) -> None:
    assert main(["repl", "-k", "99"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "dossier: error: -k must be between 1 and 50"


def test_the_conversation_the_repl_was_built_for(seeded_engine: Engine) -> None:
    """Issue 10 point 7, typed: a reaction question answers with the denial, and "which news
    agency carried that statement?" is read against it and names the agency (asking only
    reads the store, so the shared seeded engine serves)."""
    keys = "How did North Korea respond to the US accusations?\rAnd which news agency carried that statement?\r:quit\r"
    status, out, repl = drive(seeded_engine, seeded_engine.settings, keys)

    assert status == 0
    first, second = repl.conversation.turns
    assert first.status == second.status == "answered"
    lead = first.answer.splitlines()[0]
    assert re.search(r"\b(?:groundless|baseless|untrue|denied|never)\b", lead), lead
    assert second.resolved and "KCNA" in second.answer
    shown = flat(out)
    assert shown.count("Answer (extractive)") == 2 and "(understood as: And which news agency" in shown
    assert "KCNA" in shown.split("(understood as:", 1)[1]


def test_a_related_answer_is_shown_as_not_stated(seeded_engine: Engine) -> None:
    """A question whose key word the articles never use is shown as "not stated", with the
    closest statements under that line, never as an answer."""
    status, out, repl = drive(seeded_engine, seeded_engine.settings,
                              "How much does a North Korean artillery shell cost?\r:quit\r")
    assert status == 0
    (answer,) = repl.conversation.turns
    assert answer.status == "related"
    shown = flat(out)
    assert "Not stated in the articles" in shown and "The articles do not say this." in shown
    assert "Answer (extractive)" not in shown and "Refused" not in shown
