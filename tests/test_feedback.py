"""Feedback: the buttons under every Discord answer, the SQLite store behind them, the REPL's
:good/:bad and `dossier feedback`.

The store is real SQLite on disk, written by one process (or store object) and read by
another. Discord is faked only at the protocol edge: a button click arrives as the raw
INTERACTION_CREATE payload the gateway would deliver, parsed by discord.py's own connection
state, and its replies are recorded where discord.py would make the HTTP request
(``async_context``'s webhook adapter). Answers come from the real engine (seeded_engine)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Optional

import discord
import discord.ext.test as dpytest
import pytest
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from dossier.bot import discord_render as render
from dossier.bot import feedback_views
from dossier.bot.cli import main
from dossier.bot.cogs.ask import AskCog
from dossier.bot.discord_bot import DossierBot
from dossier.bot.feedback_store import FILE_NAME, FeedbackError, FeedbackStore, normalized_question
from dossier.index.engine import Engine
from dossier.index.models import REFUSAL, Answer, Citation
from dossier.index.settings import Settings
from conftest import verbatim
from test_discord_commands import FakeInteraction
from test_discord_messages import discord_bot, mention  # noqa: F401 -- a fixture, used by name
from test_repl import drive, flat

MISSILES = "How many missiles did North Korea fire toward the Sea of Japan?"
CUSTOM_ID = re.compile(r"dossier:(vote:(up|down)|sources):[0-9a-f]{32}")
EPHEMERAL = 64  # Discord's message flag
NO_PINGS = discord.AllowedMentions.none().to_dict()


# ---- the store ---------------------------------------------------------------------------------

def an_answer(question: str = "Who spoke at the harbour?", status: str = "answered", n: int = 1) -> Answer:
    citations = tuple(Citation(i, f"doc{i}", f"Title {i}", "Gazette", "2024-05-01", f"Quote number {i}.", 0, 16)
                      for i in range(1, n + 1)) if status != "refused" else ()
    return Answer(question=question, answer=REFUSAL if status == "refused" else "The mayor spoke [1].",
                  mode="extractive", refused=status == "refused", citations=citations, status=status)


WRITER = """
import sys
from pathlib import Path
from dossier.bot.feedback_store import FeedbackStore
from dossier.index.models import Answer, Citation
store = FeedbackStore(Path(sys.argv[1]))
answer = Answer(question="Who spoke at the harbour?", answer="The mayor spoke [1].", mode="generated",
                refused=False, citations=(Citation(1, "harbour", "Harbour closed", "Gazette", None,
                                                   "The mayor said the ferries would stop.", 10, 48),))
answer_id = store.record(answer, "discord")
store.vote(answer_id, "111", "down")
print(answer_id)
"""


def test_the_store_keeps_answers_and_votes_across_a_restart(tmp_path):
    path = tmp_path / FILE_NAME
    written = subprocess.run([sys.executable, "-c", WRITER, str(path)], capture_output=True, text=True, timeout=120)
    assert written.returncode == 0, written.stderr
    answer_id = written.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", answer_id)

    store = FeedbackStore(path)  # another process, another store object, the same file
    recorded = store.answer(answer_id)
    assert recorded is not None and recorded.question == "Who spoke at the harbour?"
    assert (recorded.answer, recorded.mode, recorded.status, recorded.source) == (
        "The mayor spoke [1].", "generated", "answered", "discord")
    assert recorded.citations == (Citation(1, "harbour", "Harbour closed", "Gazette", None,
                                           "The mayor said the ferries would stop.", 10, 48),)
    assert store.votes(answer_id) == {"111": "down"}
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = " ".join(str(v) for row in raw.execute("SELECT * FROM votes") for v in row)
    assert "111" in stored and store.answer("0" * 32) is None


def test_one_vote_per_user_per_answer_and_it_can_change(tmp_path):
    store = FeedbackStore(tmp_path / FILE_NAME)
    first, second = store.record(an_answer(), "discord"), store.record(an_answer(), "discord")
    assert first != second
    assert store.vote(first, "1", "up").previous is None
    assert store.vote(first, "1", "up").previous == "up"  # the same vote again: still one
    changed = store.vote(first, "1", "down")
    assert (changed.vote, changed.previous) == ("down", "up")
    store.vote(first, "2", "up")
    store.vote(second, "1", "up")
    again = FeedbackStore(tmp_path / FILE_NAME)
    assert again.votes(first) == {"1": "down", "2": "up"} and again.votes(second) == {"1": "up"}
    assert again.vote("f" * 32, "1", "up") is None  # an answer it never recorded


def test_questions_are_grouped_however_they_are_worded():
    assert normalized_question("  What is the CAPITAL of France?? ") == normalized_question("what is the capital of france")
    assert normalized_question("Who fired?") != normalized_question("Who fled?")


# ---- the buttons, and a click after a restart -------------------------------------------------

class RecordingAdapter(AsyncWebhookAdapter):
    """Discord's HTTP edge for interaction replies: each request is recorded, and answered
    with what Discord returns (the callback's interaction, or the follow-up message)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, dict[str, Any]]] = []

    async def request(self, route, session, *, payload: Optional[dict] = None, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        self.requests.append((route.method, route.path, payload or {}))
        if route.path.endswith("/callback"):
            return {"interaction": {"id": str(route.webhook_id), "type": 3}}
        return message_payload(9000 + len(self.requests), payload or {})

    def replies(self) -> list[dict[str, Any]]:
        """The messages sent: the callback's ``data`` and each follow-up's payload."""
        return [p["data"] if path.endswith("/callback") else p for _, path, p in self.requests]


def message_payload(message_id: int, sent: dict[str, Any], components: Optional[list] = None) -> dict[str, Any]:
    """A message as Discord returns it in a payload."""
    return {"id": str(message_id), "channel_id": "500", "type": 0, "content": sent.get("content") or "",
            "author": {"id": "42", "username": "Dossier", "discriminator": "0", "avatar": None, "bot": True},
            "embeds": sent.get("embeds") or [], "components": components or sent.get("components") or [],
            "attachments": [], "mentions": [], "mention_roles": [], "pinned": False, "mention_everyone": False,
            "tts": False, "timestamp": "2026-01-01T00:00:00+00:00", "edited_timestamp": None,
            "flags": sent.get("flags", 0)}


def click(bot: DossierBot, message: dict[str, Any], custom_id: str, user_id: int) -> None:
    """The gateway's INTERACTION_CREATE for a button click on ``message`` by ``user_id``."""
    bot._connection.parse_interaction_create({
        "id": str(7000 + user_id), "application_id": "42", "type": 3, "token": "interaction-token", "version": 1,
        "data": {"custom_id": custom_id, "component_type": 2}, "message": message,
        "channel_id": "500", "channel": {"id": "500", "type": 1},
        "user": {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None},
        "locale": "en-US", "attachment_size_limit": 10_000_000, "entitlements": [], "authorizing_integration_owners": {}})


async def until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the click was not answered"
        await asyncio.sleep(0.01)


async def started_bot(engine: Engine, home: Path) -> DossierBot:
    """A bot as ``dossier discord`` starts it: ``setup_hook`` loads the cog and registers the buttons."""
    bot = DossierBot(Settings(home=home, _env_file=None), engine=engine, sync_commands=False)
    await bot._async_setup_hook()
    await bot.setup_hook()
    return bot


def custom_ids(components: list[dict[str, Any]]) -> list[str]:
    return [button["custom_id"] for row in components for button in row["components"]]


@pytest.fixture
def adapter():
    recording = RecordingAdapter()
    token = async_context.set(recording)
    yield recording
    async_context.reset(token)


@pytest.mark.asyncio
async def test_buttons_keep_working_after_a_restart(seeded_engine, tmp_path, adapter):
    before = await started_bot(seeded_engine, tmp_path / "bot")
    asked = FakeInteraction()
    await AskCog.ask.callback(before.get_cog("Dossier"), asked, MISSILES)
    [sent] = asked.sent()
    view = sent["view"]
    assert view.timeout is None and view.is_persistent()
    components = view.to_components()  # what Discord keeps with the message
    ids = custom_ids(components)
    assert [i.split(":")[1:-1] for i in ids] == [["vote", "up"], ["vote", "down"], ["sources"]]
    assert all(CUSTOM_ID.fullmatch(i) and len(i) <= 100 for i in ids)
    answer_id = ids[0].rsplit(":", 1)[1]
    await before.remove_cog("Dossier")
    del before  # the process that sent the message is gone, and its views with it

    after = await started_bot(seeded_engine, tmp_path / "bot")
    message = message_payload(8001, {"embeds": [e.to_dict() for e in sent["embeds"]]}, components)
    click(after, message, ids[1], user_id=31)
    await until(lambda: len(adapter.requests) == 1)
    [reply] = adapter.replies()
    assert reply["content"] == "Thanks: recorded as not helpful." and reply["flags"] == EPHEMERAL
    assert reply["allowed_mentions"] == NO_PINGS
    click(after, message, ids[0], user_id=31)  # the same user changes their mind
    click(after, message, ids[0], user_id=32)
    await until(lambda: len(adapter.requests) == 3)
    assert {r["content"] for r in adapter.replies()[1:]} == {"Changed your vote to helpful.",
                                                            "Thanks: recorded as helpful."}
    assert after.feedback.votes(answer_id) == {"31": "up", "32": "up"}
    recorded = after.feedback.answer(answer_id)
    expected = seeded_engine.ask(MISSILES)
    assert (recorded.question, recorded.answer, recorded.status, recorded.mode) == (
        MISSILES, expected.answer, "answered", "extractive")
    assert recorded.citations == expected.citations
    await after.remove_cog("Dossier")


@pytest.mark.asyncio
async def test_show_sources_replies_privately_with_the_verbatim_quotes(seeded_engine, tmp_path, adapter):
    bot = await started_bot(seeded_engine, tmp_path / "bot")
    asked = FakeInteraction(user_id=5)
    await AskCog.ask.callback(bot.get_cog("Dossier"), asked, MISSILES)
    components = asked.sent()[-1]["view"].to_components()
    sources_id = custom_ids(components)[2]
    click(bot, message_payload(8002, {}, components), sources_id, user_id=6)
    await until(lambda: adapter.requests)
    [reply] = adapter.replies()
    assert reply["flags"] == EPHEMERAL and reply["allowed_mentions"] == NO_PINGS
    citations = seeded_engine.ask(MISSILES).citations
    assert citations and verbatim(citations)
    assert [e["description"] for e in reply["embeds"]] == [f"“{c.quote}”" for c in citations]
    assert [e["title"] for e in reply["embeds"]] == [render.citation_name(c) for c in citations]  # as in the answer
    assert all(e["title"].startswith(f"[{c.n}] ") and c.outlet in e["title"] for e, c in zip(reply["embeds"], citations))
    await bot.remove_cog("Dossier")


@pytest.mark.asyncio
async def test_a_click_on_an_answer_the_database_no_longer_has_says_so(seeded_engine, tmp_path, adapter):
    bot = await started_bot(seeded_engine, tmp_path / "bot")
    components = feedback_views.buttons("a" * 32).to_components()
    click(bot, message_payload(8003, {}, components), f"dossier:sources:{'a' * 32}", user_id=6)
    click(bot, message_payload(8003, {}, components), f"dossier:vote:up:{'a' * 32}", user_id=6)
    await until(lambda: len(adapter.requests) == 2)
    assert [r["content"] for r in adapter.replies()] == [feedback_views.FORGOTTEN] * 2
    assert all(r["flags"] == EPHEMERAL for r in adapter.replies())
    await bot.remove_cog("Dossier")


@pytest.mark.asyncio
async def test_a_refusal_has_vote_buttons_but_no_sources_button(seeded_engine, tmp_path):
    bot = await started_bot(seeded_engine, tmp_path / "bot")
    asked = FakeInteraction()
    await AskCog.ask.callback(bot.get_cog("Dossier"), asked, "What is the capital of France?")
    ids = custom_ids(asked.sent()[-1]["view"].to_components())
    assert [i.split(":")[1:-1] for i in ids] == [["vote", "up"], ["vote", "down"]]
    assert bot.feedback.answer(ids[0].rsplit(":", 1)[1]).status == "refused"
    too_long = FakeInteraction()
    await AskCog.ask.callback(bot.get_cog("Dossier"), too_long, "why " * 300)
    assert "view" not in too_long.sent()[0]  # one sentence, not an answer: nothing to rate
    await bot.remove_cog("Dossier")


@pytest.mark.asyncio
async def test_a_mention_answer_carries_the_buttons_too(discord_bot):
    await dpytest.message(mention(discord_bot, "What did the Japanese transport ministry recommend?"))
    payload = discord_bot.payloads[-1]
    ids = custom_ids(payload["components"])
    assert len(ids) == 3 and all(CUSTOM_ID.fullmatch(i) for i in ids)
    recorded = discord_bot.feedback.answer(ids[0].rsplit(":", 1)[1])
    assert recorded.question == "What did the Japanese transport ministry recommend?" and recorded.citations
    assert recorded.server_id == dpytest.get_config().guilds[0].id  # the server the mention was made in


def test_sources_show_a_long_quote_whole_and_pack_many():
    long_quote = "The council met again. " * 150  # 3,450 characters: more than a field holds
    citations = [Citation(i, f"d{i}", f"Title {i}", None, None, long_quote if i == 1 else f"Quote {i}.", 0, 9)
                 for i in range(1, 13)]
    messages = feedback_views.sources_messages(citations)
    embeds = [e for message in messages for e in message]
    assert embeds[0].description == f"“{long_quote}”"
    assert [e.title for e in embeds] == [f"[{i}] Title {i} — undated" for i in range(1, 13)]
    assert all(len(m) <= 10 and sum(len(e) for e in m) <= 6000 for m in messages) and len(messages) >= 2


# ---- a damaged or locked database never breaks answering -----------------------------------------

def cog_for(engine: Engine, home: Path) -> AskCog:
    settings = Settings(home=home, _env_file=None)
    return AskCog(DossierBot(settings, engine=engine, sync_commands=False), engine, settings)


@pytest.mark.asyncio
async def test_a_damaged_database_costs_the_buttons_not_the_answer(seeded_engine, tmp_path, caplog, capsys):
    home = tmp_path / "bot"
    home.mkdir()
    (home / FILE_NAME).write_bytes(b"this is not a database, it was overwritten " * 100)
    cog = cog_for(seeded_engine, home)
    asked = FakeInteraction()
    with caplog.at_level(logging.WARNING, logger="dossier.discord"):
        await AskCog.ask.callback(cog, asked, MISSILES)
    [sent] = asked.sent()
    assert sent["embeds"][0].title == MISSILES and sent["embeds"][0].fields and "view" not in sent
    [warning] = [r for r in caplog.records if r.name == "dossier.discord" and r.levelno >= logging.WARNING]
    assert warning.exc_info is None and "\n" not in warning.getMessage()
    assert f"{home / FILE_NAME} is damaged (file is not a database); move it aside" in warning.getMessage()
    await cog.cog_unload()

    capsys.readouterr()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DOSSIER_HOME", str(home))
        assert main(["feedback", "--json"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"dossier: error: the feedback database {home / FILE_NAME} is damaged")


@pytest.mark.asyncio
async def test_a_locked_database_costs_the_buttons_not_the_answer(seeded_engine, tmp_path, caplog):
    home = tmp_path / "bot"
    FeedbackStore(home / FILE_NAME).record(an_answer(), "discord")  # exists, in WAL mode
    holder = sqlite3.connect(home / FILE_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    cog = cog_for(seeded_engine, home)
    try:
        asked = FakeInteraction()
        with caplog.at_level(logging.WARNING, logger="dossier.discord"):
            started = time.perf_counter()
            await AskCog.ask.callback(cog, asked, MISSILES)
            waited = time.perf_counter() - started
        [sent] = asked.sent()
        assert sent["embeds"][0].fields and "view" not in sent
        [warning] = [r for r in caplog.records if r.name == "dossier.discord" and r.levelno >= logging.WARNING]
        assert "is locked by another process" in warning.getMessage() and warning.exc_info is None
        print(f"\nanswer with a locked feedback database: {waited * 1000:.0f} ms")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    after = FakeInteraction()
    await AskCog.ask.callback(cog, after, MISSILES)
    assert "view" in after.sent()[0]  # the lock is gone: buttons again
    await cog.cog_unload()


def test_store_errors_are_one_line(tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    with pytest.raises(FeedbackError) as error:
        FeedbackStore(blocked / FILE_NAME).record(an_answer(), "repl")
    assert "\n" not in str(error.value) and str(blocked / FILE_NAME) in str(error.value)


# ---- the REPL's :good and :bad -----------------------------------------------------------------

def test_repl_good_and_bad_rate_the_last_answer(seeded_copy: Engine):
    settings = seeded_copy.settings
    keys = f":good\r{MISSILES}\r:bad\r:good\r:quit\r"
    status, out, repl = drive(seeded_copy, settings, keys)
    shown = flat(out)
    assert status == 0
    assert shown.index("No answer to rate yet") < shown.index("at least 10 missiles")
    assert shown.index("Thanks: recorded as not helpful.") < shown.index("Changed your vote to helpful.")
    store = FeedbackStore(settings.home / FILE_NAME)
    [(answer_id, question)] = store_rows(settings.home, "SELECT id, question FROM answers")
    assert question == MISSILES and store.votes(answer_id) == {"repl": "up"}


def test_repl_with_a_damaged_database_answers_and_says_why_in_one_line(seeded_copy: Engine):
    settings = seeded_copy.settings
    (settings.home / FILE_NAME).write_bytes(b"garbage " * 200)
    status, out, _ = drive(seeded_copy, settings, f"{MISSILES}\r:bad\r:quit\r")
    assert status == 0 and "at least 10 missiles" in flat(out)
    [line] = [line for line in out.splitlines() if "feedback database" in line]
    assert line.startswith("error: the feedback database") and "is damaged (file is not a database)" in flat(out)
    assert "Traceback" not in out


def store_rows(home: Path, query: str) -> list[tuple]:
    with sqlite3.connect(home / FILE_NAME) as raw:
        return raw.execute(query).fetchall()


# ---- dossier feedback ----------------------------------------------------------------------------

class Clock:
    """A second passes at each reading, so that every record and vote has its own time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def test_feedback_json_lists_down_votes_and_unanswered_questions_most_frequent_first(tmp_path, capsys,
                                                                                      monkeypatch):
    home = tmp_path / "data"
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    clock = Clock(datetime(2025, 3, 1, 12, tzinfo=timezone.utc))
    store = FeedbackStore.at(Settings(_env_file=None), clock=clock)
    old = store.record(an_answer("Who won the old election?"), "discord")
    store.vote(old, "1", "down")
    store.record(an_answer("What is the capital of France?", "refused"), "discord")
    clock.now += timedelta(days=10)  # 2025-03-11: --since 2025-03-05 keeps what follows
    once = store.record(an_answer("Who spoke at the harbour?", n=2), "discord")
    store.vote(once, "1", "down")
    store.vote(once, "2", "up")
    twice = [store.record(an_answer(q), "repl") for q in ("Why did the ferries stop?", "why did the FERRIES stop")]
    for answer_id, user in zip(twice, ("3", "repl")):
        store.vote(answer_id, user, "down")
    store.vote(store.record(an_answer("Who liked it?"), "discord"), "4", "up")  # only up: not reported
    for question in ("What is the capital of France?", "what is the capital of france", "Who is the mayor?"):
        store.record(an_answer(question, "refused"), "discord")
    store.record(an_answer("How much does a ferry cost?", "related"), "discord")
    store.record(an_answer("What is the capital of France ?", "related"), "discord")

    assert main(["feedback", "--json", "--since", "2025-03-05"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["since"] == "2025-03-05T00:00:00+00:00"
    down = report["voted_down"]
    assert [(g["question"], g["down"], g["up"], g["answers"]) for g in down] == [
        ("why did the FERRIES stop", 2, 0, 2), ("Who spoke at the harbour?", 1, 1, 1)]
    latest = down[1]["latest_answer"]
    assert (latest["id"], latest["mode"], latest["status"], latest["source"]) == (once, "extractive", "answered",
                                                                                 "discord")
    assert [c["quote"] for c in latest["citations"]] == ["Quote number 1.", "Quote number 2."]
    unanswered = report["unanswered"]
    assert [(g["question"], g["asked"], g["related"], g["refused"]) for g in unanswered] == [
        ("What is the capital of France ?", 3, 1, 2), ("How much does a ferry cost?", 1, 1, 0),
        ("Who is the mayor?", 1, 0, 1)]

    assert main(["feedback", "--json"]) == 0  # everything: the older vote and refusal count too
    everything = json.loads(capsys.readouterr().out)
    assert [g["question"] for g in everything["voted_down"]][-1] == "Who won the old election?"
    assert everything["unanswered"][0]["asked"] == 4

    assert main(["feedback"]) == 0
    text = capsys.readouterr().out
    assert "Answers voted down: 3 questions" in text and "2 down votes, 0 up  why did the FERRIES stop" in text
    assert "asked 4 times (1 related, 3 refused)  What is the capital of France ?" in text


# ---- which server an answer was given in -----------------------------------------------------------

SERVER_A, SERVER_B = 111111111111111111, 222222222222222222


@pytest.mark.asyncio
async def test_answers_in_two_servers_are_kept_apart_and_reported_per_server(seeded_engine, tmp_path, capsys,
                                                                             monkeypatch):
    home = tmp_path / "bot"
    bot = await started_bot(seeded_engine, home)
    answer_ids = {}
    for where, question in ((SERVER_A, MISSILES), (SERVER_B, "What is the capital of France?"),
                            (None, "What is the capital of Spain?")):
        asked = FakeInteraction(guild_id=where)
        await AskCog.ask.callback(bot.get_cog("Dossier"), asked, question)
        answer_ids[where] = custom_ids(asked.sent()[-1]["view"].to_components())[0].rsplit(":", 1)[1]
    bot.feedback.vote(answer_ids[SERVER_A], "31", "down")
    await bot.remove_cog("Dossier")
    assert {where: bot.feedback.answer(i).server_id for where, i in answer_ids.items()} == {
        SERVER_A: SERVER_A, SERVER_B: SERVER_B, None: None}

    monkeypatch.setenv("DOSSIER_HOME", str(home))  # the report reads the file afresh, as after a restart
    assert main(["feedback", "--json", "--server", str(SERVER_A)]) == 0
    in_a = json.loads(capsys.readouterr().out)
    assert in_a["server"] == SERVER_A and in_a["unanswered"] == []  # B's refusal is not A's gap
    [down] = in_a["voted_down"]
    assert down["question"] == MISSILES and down["latest_answer"]["server_id"] == SERVER_A
    assert main(["feedback", "--json", "--server", str(SERVER_B)]) == 0
    in_b = json.loads(capsys.readouterr().out)
    assert in_b["voted_down"] == [] and [(g["question"], g["server_ids"]) for g in in_b["unanswered"]] == [
        ("What is the capital of France?", [SERVER_B])]
    assert main(["feedback", "--json", "--server", "none"]) == 0  # direct messages (and the REPL)
    outside = json.loads(capsys.readouterr().out)
    assert outside["server"] == "none" and [g["question"] for g in outside["unanswered"]] == [
        "What is the capital of Spain?"]
    assert main(["feedback", "--json"]) == 0  # every server, as before
    everywhere = json.loads(capsys.readouterr().out)
    assert everywhere["server"] is None and len(everywhere["unanswered"]) == 2 and len(everywhere["voted_down"]) == 1
    assert main(["feedback", "--server", str(SERVER_B)]) == 0
    text = capsys.readouterr().out
    assert f"Answers voted down in server {SERVER_B}: 0 questions" in text
    assert f"Not answered by the articles in server {SERVER_B}: 1 question" in text


@pytest.mark.parametrize("bad", ["abc", "-5", "0", str(2 ** 64), "１２"])
def test_feedback_refuses_a_server_that_is_not_an_id_in_one_line(bad, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "data"))
    with pytest.raises(SystemExit) as stopped:
        main(["feedback", "--server", bad])
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "is not a server id" in error and "Traceback" not in error
    assert not (tmp_path / "data" / FILE_NAME).exists()


# The schema a version-1 file was written with (before answers kept their server).
SCHEMA_1 = """
PRAGMA journal_mode = WAL;
CREATE TABLE answers (id TEXT PRIMARY KEY, created TEXT NOT NULL, source TEXT NOT NULL, question TEXT NOT NULL,
    resolved TEXT, normalized TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, mode TEXT NOT NULL,
    status TEXT NOT NULL);
CREATE INDEX answers_by_status ON answers (status, created);
CREATE TABLE votes (answer_id TEXT NOT NULL REFERENCES answers (id), user_id TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)), updated TEXT NOT NULL, PRIMARY KEY (answer_id, user_id));
INSERT INTO answers VALUES ('""" + "a" * 32 + """', '2025-02-01T10:00:00Z', 'discord', 'Who closed the harbour?',
    NULL, 'who closed the harbour', 'The mayor did [1].',
    '[{"n": 1, "doc_id": "harbour", "title": "Harbour closed", "outlet": "Gazette", "date": null,
       "quote": "The mayor closed the harbour.", "start": 0, "end": 29}]', 'extractive', 'answered');
INSERT INTO answers VALUES ('""" + "b" * 32 + """', '2025-02-01T10:05:00Z', 'repl', 'Who won the cup?', NULL,
    'who won the cup', 'No article says.', '[]', 'extractive', 'refused');
INSERT INTO votes VALUES ('""" + "a" * 32 + """', '77', -1, '2025-02-01T10:01:00Z');
PRAGMA user_version = 1;
"""


def test_a_version_1_file_is_upgraded_in_place_keeping_its_answers_and_votes(tmp_path, capsys, monkeypatch):
    home = tmp_path / "data"
    home.mkdir()
    with sqlite3.connect(home / FILE_NAME) as raw:
        raw.executescript(SCHEMA_1)
    raw.close()

    store = FeedbackStore(home / FILE_NAME)
    old = store.answer("a" * 32)  # opening it upgrades it
    assert old is not None and (old.question, old.server_id, old.source) == ("Who closed the harbour?", None, "discord")
    assert old.citations == (Citation(1, "harbour", "Harbour closed", "Gazette", None,
                                      "The mayor closed the harbour.", 0, 29),)
    assert store.votes("a" * 32) == {"77": "down"}
    new = store.record(an_answer("Who opened the bridge?", "refused"), "discord", SERVER_A)
    store.close()

    assert store_rows(home, "PRAGMA user_version") == [(2,)]
    assert [row[1] for row in store_rows(home, "PRAGMA table_info(answers)")][-1] == "server_id"
    assert store_rows(home, "SELECT id, server_id FROM answers ORDER BY created") == [
        ("a" * 32, None), ("b" * 32, None), (new, SERVER_A)]

    again = FeedbackStore(home / FILE_NAME)  # a restart: another store object on the upgraded file
    assert again.answer("a" * 32) == old and again.answer(new).server_id == SERVER_A
    assert again.vote("a" * 32, "78", "down").previous is None
    assert [(g.question, g.down) for g in again.voted_down()] == [("Who closed the harbour?", 2)]
    assert [g.question for g in again.unanswered(server="none")] == ["Who won the cup?"]
    assert [g.question for g in again.unanswered(server=SERVER_A)] == ["Who opened the bridge?"]
    monkeypatch.setenv("DOSSIER_HOME", str(home))
    assert main(["feedback", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["voted_down"][0]["latest_answer"]["server_id"] is None
    assert {g["question"]: g["server_ids"] for g in report["unanswered"]} == {
        "Who won the cup?": [None], "Who opened the bridge?": [SERVER_A]}


def test_a_file_from_a_newer_dossier_is_refused_and_left_alone(tmp_path):
    path = tmp_path / FILE_NAME
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 3")
    raw.close()
    with pytest.raises(FeedbackError, match="written by a newer Dossier"):
        FeedbackStore(path).record(an_answer(), "repl", SERVER_A)
    assert store_rows(tmp_path, "SELECT name FROM sqlite_master") == []
