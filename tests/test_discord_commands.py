"""Slash-command callbacks called directly with a fake interaction, over the real engine.

The interaction is the only fake: it records ``response.defer`` / ``send_message`` and
``followup.send`` calls (each yields to the loop, as the real network calls do) and an
attachment that "downloads" bytes. Answers come from the real engine (seeded_engine)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

import discord
import pytest

from dossier.bot import discord_render as render
from dossier.bot.cogs.ask import EMPTY_STORE, NOT_A_MANAGER, TROUBLE, AskCog, Conversations, RateLimiter
from dossier.bot.discord_bot import DossierBot
from dossier.index.errors import StoreError
from dossier.index.models import DocumentMeta, SharedText
from dossier.index.settings import Settings
from conftest import verbatim

NONE = discord.AllowedMentions.none().to_dict()
MISSILES = "How many missiles did North Korea fire toward the Sea of Japan?"


class Recorder:
    """``interaction.response`` and ``interaction.followup`` in one, logging (kind, kwargs)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._done = False

    async def defer(self, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        self.calls.append(("defer", kwargs))
        self._done = True

    async def send_message(self, content: Optional[str] = None, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        self.calls.append(("send_message", {"content": content, **kwargs}))
        self._done = True

    async def send(self, content: Optional[str] = None, **kwargs: Any) -> None:
        await asyncio.sleep(0)
        self.calls.append(("followup", {"content": content, **kwargs}))

    def is_done(self) -> bool:
        return self._done


class FakeInteraction:
    def __init__(self, user_id: int = 1, manage_guild: bool = False, guild_id: Optional[int] = None) -> None:
        self.user = SimpleNamespace(id=user_id)
        self.guild_id = guild_id  # None: a direct message
        self.permissions = discord.Permissions(manage_guild=manage_guild)
        self.response = self.followup = Recorder()
        self.command = None

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        return self.response.calls

    def sent(self) -> list[dict[str, Any]]:
        return [kwargs for kind, kwargs in self.calls if kind != "defer"]

    def embeds(self) -> list[discord.Embed]:
        found = []
        for kwargs in self.sent():
            found += kwargs.get("embeds") or ([kwargs["embed"]] if kwargs.get("embed") else [])
        return found

    def text(self) -> str:
        return "\n".join([k["content"] for k in self.sent() if k.get("content")]
                         + [render.messages_text([self.embeds()])])


class FakeAttachment:
    """The network edge of an upload: ``save`` writes the bytes a CDN download would."""

    def __init__(self, filename: str, data: bytes, size: Optional[int] = None) -> None:
        self.filename, self.data = filename, data
        self.size = len(data) if size is None else size
        self.saved = False

    async def save(self, fp: Path) -> int:
        Path(fp).write_bytes(self.data)
        self.saved = True
        return len(self.data)


class InlineAskCog(AskCog):
    """The anti-pattern, for contrast: engine work run directly on the event loop."""

    async def run(self, function, *args, **kwargs):
        return function(*args, **kwargs)


@pytest.fixture
def make_cog(tmp_path):
    cogs: list[AskCog] = []

    def make(engine, cls=AskCog, clock=time.monotonic, **settings: Any) -> AskCog:
        config = Settings(home=tmp_path / "bot", _env_file=None, **settings)
        cog = cls(DossierBot(config, engine=engine, sync_commands=False), engine, config, clock=clock)
        cogs.append(cog)
        return cog

    yield make
    for cog in cogs:
        asyncio.run(cog.cog_unload())


def assert_no_pings(interaction: FakeInteraction) -> None:
    assert interaction.sent()
    for kwargs in interaction.sent():
        assert kwargs["allowed_mentions"].to_dict() == NONE


# ---- /ask ------------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_discord_ask_defers_first_then_sends_the_cited_embed(seeded_engine, make_cog):
    cog, interaction = make_cog(seeded_engine), FakeInteraction()
    await AskCog.ask.callback(cog, interaction, MISSILES)
    kind, kwargs = interaction.calls[0]
    assert (kind, kwargs) == ("defer", {"thinking": True})
    assert [k for k, _ in interaction.calls[1:]] == ["followup"]
    [embed] = interaction.sent()[0]["embeds"]
    expected = seeded_engine.ask(MISSILES)
    assert embed.title == MISSILES and embed.description == expected.answer and "[1]" in embed.description
    assert [f.name for f in embed.fields] == [render.citation_name(c) for c in expected.citations]
    first = expected.citations[0]
    assert first.doc_id == "002_4e57d263a0889e77" and verbatim([first])
    assert embed.fields[0].value == f"“{first.quote}”"
    assert embed.footer.text == "extractive answer"
    assert_no_pings(interaction)


@pytest.mark.asyncio
async def test_discord_ask_refusal_and_too_long_question(seeded_engine, make_cog):
    cog = make_cog(seeded_engine)
    refused = FakeInteraction()
    await AskCog.ask.callback(cog, refused, "What is the capital of France?")
    [embed] = refused.embeds()
    assert embed.title == "Not in the articles" and not embed.fields
    too_long = FakeInteraction()
    await AskCog.ask.callback(cog, too_long, "why " * 300)
    [(kind, kwargs)] = too_long.calls  # refused at once, privately, without deferring
    assert kind == "send_message" and kwargs["ephemeral"] is True
    assert kwargs["content"] == "The question is 1,199 characters long; the limit is 1,000."
    assert_no_pings(too_long)


@pytest.mark.asyncio
async def test_discord_everyone_in_question_pings_nobody(seeded_engine, make_cog):
    cog, interaction = make_cog(seeded_engine), FakeInteraction()
    await AskCog.ask.callback(cog, interaction, "@everyone <@&42> @here " + MISSILES)
    assert_no_pings(interaction)
    text = interaction.text()
    assert "@everyone" not in text and "<@&42>" not in text and "@here" not in text
    assert "@\u200beveryone" in text


@pytest.mark.asyncio
async def test_discord_engine_failure_is_one_sentence_and_logged(seeded_engine, make_cog, caplog):
    class BrokenEngine:
        """The shared engine, except that answering fails (it is not patched: other tests use it)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(seeded_engine, name)

        def ask(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("chroma exploded at /secret/path")

    cog, interaction = make_cog(BrokenEngine()), FakeInteraction()
    with caplog.at_level(logging.ERROR, logger="dossier.discord"):
        await AskCog.ask.callback(cog, interaction, MISSILES)
    assert interaction.sent()[0]["content"] == TROUBLE
    assert "/secret/path" not in interaction.text()
    assert any(r.exc_info and "chroma exploded" in str(r.exc_info[1]) for r in caplog.records)


@pytest.mark.asyncio
async def test_discord_empty_store_explains_itself(fresh_engine, make_cog):
    interaction = FakeInteraction()
    await AskCog.ask.callback(make_cog(fresh_engine), interaction, MISSILES)
    assert interaction.sent()[0]["content"] == EMPTY_STORE


@pytest.mark.asyncio
async def test_discord_sources_and_about(seeded_engine, make_cog):
    cog = make_cog(seeded_engine)
    sources = FakeInteraction()
    await AskCog.sources.callback(cog, sources)
    assert sources.calls[0] == ("defer", {"thinking": True})
    [embed] = sources.embeds()
    assert embed.title == "Sources (5 articles)"
    for document in seeded_engine.sources():
        assert discord.utils.escape_markdown(document.title) in embed.description
    assert "2022-11-02" in embed.description
    about = FakeInteraction()
    await AskCog.about.callback(cog, about)
    assert about.calls[0] == ("defer", {"thinking": True})
    [embed] = about.embeds()
    assert "**5** news articles" in embed.description and embed.fields[0].name == "Answer mode: extractive"
    assert_no_pings(sources), assert_no_pings(about)


@pytest.mark.asyncio
async def test_discord_sources_say_which_articles_share_text(fresh_engine, make_cog, tmp_path, monkeypatch):
    from test_claims import write_corpus  # here: test_claims imports this module

    fresh_engine.ingest(write_corpus(tmp_path / "articles").values())
    [coast] = fresh_engine.shared_text()["wire_coast"]
    cog = make_cog(fresh_engine)
    sources = FakeInteraction()
    await AskCog.sources.callback(cog, sources)
    [embed] = sources.embeds()
    rows = embed.description.split("\n")
    coast_row = next(i for i, row in enumerate(rows) if "Ossery barriers fail" in row)
    # Under the article's own row, as `dossier sources` prints it (markdown escaped for Discord).
    assert rows[coast_row + 1] == discord.utils.escape_markdown(
        f"↳ shares {round(coast.share * 100)} % of its text with wire_valley (Marlow Cross under water)")
    library_row = next(i for i, row in enumerate(rows) if "Tessaly library opens" in row)
    assert library_row == len(rows) - 1 or not rows[library_row + 1].startswith("↳")  # it shares nothing
    assert sum(row.startswith("↳") for row in rows) == 2  # each copy names the other
    assert_no_pings(sources)

    def failing():
        raise StoreError("the Chroma server went away")

    monkeypatch.setattr(fresh_engine, "shared_text", failing)
    without = FakeInteraction()
    await AskCog.sources.callback(cog, without)
    [embed] = without.embeds()
    assert "Ossery barriers fail" in embed.description and "↳" not in embed.description  # the list, still


def test_discord_sources_with_many_shared_lines_stay_within_limits():
    documents = [DocumentMeta(doc_id=f"copy_{i}", title=f"Wire story {i} " + "x" * 200, title_derived=False,
                              outlet="Outlet @everyone", byline=None, date="2024-05-01",
                              path=f"/articles/copy_{i}.txt", sha256="0" * 64) for i in range(40)]
    shared = {d.doc_id: tuple(SharedText(d.doc_id, o.doc_id, o.title, 0.9 - j / 100)
                              for j, o in enumerate(x for x in documents if x is not d)) for d in documents}
    messages = render.sources_messages(documents, shared)
    embeds = [e for message in messages for e in message]
    text = "\n".join(e.description for e in embeds)
    assert all(len(m) <= render.EMBEDS_PER_MESSAGE and sum(len(e) for e in m) <= render.EMBED_TOTAL_CHARS
               for m in messages)
    assert all(len(e.description) <= render.DESCRIPTION_CHARS for e in embeds)
    assert all(f"Wire story {i} " in text for i in range(40))  # every article listed
    entries = text.split("**Wire story ")[1:]
    assert all(len(entry) < render.SOURCE_ENTRY_CHARS for entry in entries)
    assert all("↳ shares 90 % of its text with copy" in entry and entry.rstrip().endswith("more articles")
               for entry in entries)  # the largest share kept, the rest counted
    assert "@everyone" not in text and "copy\\_1" in text


# ---- rate limit ------------------------------------------------------------------------------

def test_discord_rate_limiter_is_a_sliding_window():
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    assert limiter.retry_after(1) == 0 and limiter.retry_after(2) == 0
    now[0] = 30
    assert limiter.retry_after(1) == 0
    assert limiter.retry_after(1) == 30  # the first question leaves the window at t=60
    now[0] = 60.5
    assert limiter.retry_after(1) == 0  # a fixed window would still say no until t=90... or reset all
    assert limiter.retry_after(1) == pytest.approx(29.5)
    small = RateLimiter(1, 60, clock=lambda: now[0], max_users=3)
    for user in range(10):
        small.retry_after(user)
    assert len(small._seen) == 3


@pytest.mark.asyncio
async def test_discord_ask_rate_limit_is_per_user_and_friendly(seeded_engine, make_cog):
    now = [1000.0]
    cog = make_cog(seeded_engine, clock=lambda: now[0], discord_rate_limit=2, discord_rate_window=60)
    for _ in range(2):
        allowed = FakeInteraction(user_id=7)
        await AskCog.ask.callback(cog, allowed, MISSILES)
        assert allowed.calls[0][0] == "defer"
    limited = FakeInteraction(user_id=7)
    await AskCog.ask.callback(cog, limited, MISSILES)
    [(kind, kwargs)] = limited.calls
    assert kind == "send_message" and kwargs["ephemeral"] is True
    assert kwargs["content"] == "You are asking quickly: 2 questions per 60 seconds. Try again in 60 s."
    other = FakeInteraction(user_id=8)
    await AskCog.ask.callback(cog, other, MISSILES)
    assert other.calls[0][0] == "defer"
    now[0] += 61
    again = FakeInteraction(user_id=7)
    await AskCog.ask.callback(cog, again, MISSILES)
    assert again.calls[0][0] == "defer"


def test_discord_thread_conversations_are_bounded():
    conversations = Conversations(size=3)
    first = conversations.start(1)
    conversations.start(2)
    conversations.start(3)
    assert conversations.get(1) is first  # used: now the most recent
    conversations.start(4)  # evicts 2, the least recently used
    assert len(conversations) == 3 and conversations.get(2) is None
    assert conversations.get(1) is first and conversations.get(3) is not None and conversations.get(4) is not None


# ---- /ingest ---------------------------------------------------------------------------------

ARTICLE = ("Harbour closed at Port Elling\n\nPort Elling Gazette\n\n"
           "The harbour authority of Port Elling announced on Monday that @everyone in the old town must leave "
           "before the storm arrives.\n\nThe mayor said the ferries to Skarholm would stop for two days.\n")


@pytest.mark.asyncio
async def test_discord_ingest_is_for_managers_only(fresh_engine, make_cog):
    cog = make_cog(fresh_engine)
    attachment = FakeAttachment("harbour.txt", ARTICLE.encode())
    interaction = FakeInteraction(manage_guild=False)
    await AskCog.ingest.callback(cog, interaction, attachment)
    assert interaction.calls == [("send_message", {"content": NOT_A_MANAGER, "ephemeral": True,
                                                   "allowed_mentions": interaction.sent()[0]["allowed_mentions"]})]
    assert not attachment.saved and fresh_engine.is_empty()


@pytest.mark.asyncio
async def test_discord_ingest_is_idempotent_and_everyone_in_an_article_pings_nobody(fresh_engine, make_cog, tmp_path):
    cog = make_cog(fresh_engine)
    reports = []
    for data in (ARTICLE, ARTICLE, ARTICLE + "\nThe storm passed on Wednesday.\n"):
        interaction = FakeInteraction(manage_guild=True)
        await AskCog.ingest.callback(cog, interaction, FakeAttachment("harbour.txt", data.encode()))
        assert interaction.calls[0] == ("defer", {"thinking": True, "ephemeral": True})
        assert interaction.sent()[0]["ephemeral"] is True
        assert_no_pings(interaction)
        reports.append(interaction.sent()[0]["content"])
    assert reports[0] == "Added 1, updated 0, unchanged 0, skipped 0.\nadded: harbour"
    assert reports[1] == "Added 0, updated 0, unchanged 1, skipped 0.\nunchanged (already up to date): harbour"
    assert reports[2] == "Added 0, updated 1, unchanged 0, skipped 0.\nupdated: harbour"
    [document] = fresh_engine.sources()
    stored = Path(document.path)
    assert document.doc_id == "harbour" and stored.parent == tmp_path / "bot" / "discord-uploads" and stored.exists()
    assert [p.name for p in stored.parent.iterdir()] == ["harbour.txt"]  # no staging leftovers

    question = FakeInteraction()
    await AskCog.ask.callback(cog, question, "What did the harbour authority of Port Elling announce?")
    citation = fresh_engine.ask("What did the harbour authority of Port Elling announce?").citations[0]
    assert "@everyone" in citation.quote and citation.doc_id == "harbour" and verbatim([citation], stored.parent)
    assert_no_pings(question)
    text = question.text()
    assert "@everyone" not in text and "@\u200beveryone in the old town" in text


BAD_FILES = [
    ("binary.txt", b"\x00\x01\x02binary", None, "binary file (contains NUL bytes)"),
    ("latin1.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), None, "not UTF-8 text (invalid byte at offset 3)"),
    ("empty.md", b"", None, "empty file"),
    ("huge.txt", b"x" * 10, 5_000_000, "too large (5,000,000 bytes; the limit is 2,000,000)"),
    ("slides.pdf", b"%PDF-1.4", None, "only .txt and .md files can be added"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name,data,size,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
async def test_discord_ingest_rejects_bad_files_with_the_reason(fresh_engine, make_cog, tmp_path, name, data, size,
                                                                reason):
    interaction = FakeInteraction(manage_guild=True)
    attachment = FakeAttachment(name, data, size)
    await AskCog.ingest.callback(make_cog(fresh_engine), interaction, attachment)
    [kwargs] = interaction.sent()
    assert kwargs["content"] == f"Added 0, updated 0, unchanged 0, skipped 1.\nskipped {name}: {reason}"
    assert kwargs["ephemeral"] is True and fresh_engine.is_empty()
    assert attachment.saved == (size is None and name.endswith((".txt", ".md")))  # size checked before download
    uploads = tmp_path / "bot" / "discord-uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


# ---- load: 20 simultaneous /ask, event loop responsiveness ---------------------------------

LOAD_QUESTIONS = [
    (MISSILES, "002_4e57d263a0889e77", "at least 10 missiles"),
    ("Which Russian diplomat denied the claims at the United Nations?", "002_4e57d263a0889e77", "Nebenzia"),
    ("How did North Korea describe the US arms deal claims?", "003_921e0df82687d6a9", ""),
    ("What did Ned Price say about sanctions?", "000_0dd2a3e0bdc5e534", "Ned Price"),
]


class HeldEngine:
    """The real engine, whose first answer is held until the event loop has run ``TICKS`` times
    while it waits. Engine work that keeps the loop free is released by the loop at once;
    engine work that blocks the loop keeps the loop from ever releasing it, whatever the
    machine's speed: its wait runs out (``timeout``) with no tick counted."""

    TICKS = 5

    def __init__(self, engine, timeout: float) -> None:
        self.engine, self.timeout = engine, timeout
        self.ticks_while_held = 0
        self.released_by_the_loop: Optional[bool] = None  # None: no answer was held yet
        self._holding, self._released = threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        if self.released_by_the_loop is None:
            self._holding.set()
            self.released_by_the_loop = self._released.wait(self.timeout)
            self._holding.clear()
        return self.engine.ask(*args, **kwargs)

    def tick(self) -> None:
        """Called by a task on the event loop, each time the loop runs it."""
        if self._holding.is_set():
            self.ticks_while_held += 1
            if self.ticks_while_held >= self.TICKS:
                self._released.set()


async def worst_lag_during(work, held: HeldEngine) -> float:
    """Run ``work`` while a 10 ms ticker measures how late the event loop wakes it (and
    tells ``held`` each time it runs)."""
    stop, worst = asyncio.Event(), 0.0

    async def ticker() -> None:
        nonlocal worst
        while not stop.is_set():
            held.tick()
            start = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - start - 0.01)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.03)
    try:
        await work
    finally:
        stop.set()
        await task
    return worst


def twenty_asks(cog: AskCog) -> tuple[list[FakeInteraction], list[tuple[str, str, str]], Any]:
    """20 interactions, their (question, article, phrase), and the gather that answers them all."""
    interactions = [FakeInteraction(user_id=i) for i in range(20)]
    questions = [LOAD_QUESTIONS[i % len(LOAD_QUESTIONS)] for i in range(20)]
    work = asyncio.gather(*(AskCog.ask.callback(cog, it, q) for it, (q, _, _) in zip(interactions, questions)))
    return interactions, questions, work


def assert_correct(engine, interactions: list[FakeInteraction], questions: list[tuple[str, str, str]]) -> None:
    """Each answer cites the expected article first, verbatim (checked after the timing)."""
    for interaction, (question, doc_id, phrase) in zip(interactions, questions):
        assert interaction.calls[0] == ("defer", {"thinking": True})
        [embed] = interaction.embeds()
        assert embed.title == question and embed.fields, question
        expected = engine.ask(question).citations[0]
        assert expected.doc_id == doc_id and phrase in expected.quote
        assert embed.fields[0].name == render.citation_name(expected)
        assert embed.fields[0].value == f"“{expected.quote}”"
        assert verbatim([expected])


@pytest.mark.asyncio
async def test_discord_twenty_simultaneous_asks_keep_the_loop_responsive(seeded_engine, make_cog):
    seeded_engine.ask(MISSILES)  # warm caches so both runs do the same work
    held = HeldEngine(seeded_engine, timeout=60)  # only a blocked loop would wait this long
    interactions, questions, work = twenty_asks(make_cog(held))
    off_loop = await worst_lag_during(work, held)
    assert_correct(seeded_engine, interactions, questions)
    # While the first answer was held in the worker, the loop went on running (it released it).
    assert held.released_by_the_loop is True and held.ticks_while_held >= HeldEngine.TICKS

    held_inline = HeldEngine(seeded_engine, timeout=0.5)
    interactions, questions, work = twenty_asks(make_cog(held_inline, cls=InlineAskCog))
    inline = await worst_lag_during(work, held_inline)
    assert_correct(seeded_engine, interactions, questions)
    print(f"\nworst event-loop lag: off the loop {off_loop * 1000:.1f} ms, inline {inline * 1000:.1f} ms")
    assert off_loop < 0.5
    # Inline, the held answer blocks the loop itself: the loop cannot run once while it waits,
    # so nothing releases it and its wait runs out. This holds on any hardware.
    assert held_inline.released_by_the_loop is False and held_inline.ticks_while_held == 0
