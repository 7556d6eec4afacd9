"""A corpus per server (DOSSIER_DISCORD_CORPUS=per-server), with two fake servers.

Each command runs as discord.py runs it: the bot's command tree checks the interaction
(``ServerTree.interaction_check``: the server's context, its corpus opened off the loop)
and the command's callback follows in the same task. The interaction is the only fake
(test_discord_commands.py's recorder); the engines, their Chroma store and the embedder
are real."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio

from dossier.bot import discord_render as render
from dossier.bot.cogs.ask import EMPTY_STORE, AskCog
from dossier.bot.discord_bot import DossierBot
from dossier.bot.guilds import MAX_COLLECTION_CHARS, OPENING, collection_for
from dossier.index.engine import Engine
from dossier.index.errors import ConfigError
from dossier.index.settings import SEEDS_DIR, Settings
from test_discord_commands import FakeAttachment, FakeInteraction, assert_no_pings
from test_discord_messages import fake_threads

SERVER_A, SERVER_B = 111111111111111111, 222222222222222222
LIBRARY = ("Council funds a new library in Marrowby\n\nMarrowby Courier\n\n"
           "The town council of Marrowby approved 4.2 million euros on Tuesday for a new public library.\n\n"
           "Councillor Ines Vatter said the library would open in the spring of next year.\n")
ORCHARD = ("Frost damages orchards in the Kessel valley\n\nValley Herald\n\n"
           "A late frost destroyed half of the apple blossom in the Kessel valley on Friday night, "
           "the growers' cooperative said.\n\nThe cooperative expects the smallest harvest in ten years.\n")
LIBRARY_QUESTION = "How much did the Marrowby council approve for the library?"
ADDED_ONE = "Added 1, updated 0, unchanged 0, skipped 0."


class ServerInteraction(FakeInteraction):
    def __init__(self, guild_id: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.guild_id = guild_id


async def run_command(bot: DossierBot, name: str, interaction: ServerInteraction, *args) -> bool:
    """What CommandTree._call does: the tree's check, then the callback, in one task of its own
    (discord.py runs each interaction in a new task). False when the check stopped it."""

    async def call() -> bool:
        if not await bot.tree.interaction_check(interaction):
            return False
        await getattr(AskCog, name).callback(bot.get_cog("Dossier"), interaction, *args)
        return True

    return await asyncio.create_task(call())


def per_server_settings(home: Path, seed: bool) -> Settings:
    return Settings(home=home, _env_file=None, discord_corpus="per-server", discord_seed_new_servers=seed)


@pytest_asyncio.fixture
async def make_bot(embedder, tmp_path):
    bots: list[DossierBot] = []

    async def make(seed: bool = False) -> DossierBot:
        config = per_server_settings(tmp_path / "bot", seed)
        shared = Engine.open(config, embedder=embedder)  # the shared corpus: left empty here
        bot = DossierBot(config, engine=shared, sync_commands=False)
        await bot._async_setup_hook()
        await bot.setup_hook()
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.remove_cog("Dossier")


async def ingest(bot: DossierBot, guild_id: int, name: str, text: str) -> str:
    interaction = ServerInteraction(guild_id, manage_guild=True)
    assert await run_command(bot, "ingest", interaction, FakeAttachment(name, text.encode()))
    return interaction.sent()[0]["content"]


async def sources(bot: DossierBot, guild_id: int) -> str:
    interaction = ServerInteraction(guild_id)
    assert await run_command(bot, "sources", interaction)
    return interaction.text()


async def ask(bot: DossierBot, guild_id: int, question: str) -> ServerInteraction:
    interaction = ServerInteraction(guild_id)
    assert await run_command(bot, "ask", interaction, question)
    assert_no_pings(interaction)
    return interaction


@pytest.mark.asyncio
async def test_discord_each_server_answers_from_its_own_articles(make_bot, tmp_path):
    bot = await make_bot(seed=False)
    before = (await ask(bot, SERVER_B, LIBRARY_QUESTION)).text()  # B's corpus: empty so far

    assert await ingest(bot, SERVER_A, "library.txt", LIBRARY) == f"{ADDED_ONE}\nadded: library"
    answered_in_a = (await ask(bot, SERVER_A, LIBRARY_QUESTION)).text()
    assert "4.2 million euros" in answered_in_a
    assert (await ask(bot, SERVER_B, LIBRARY_QUESTION)).text() == before  # A's ingest changed nothing in B
    assert "4.2 million" not in before

    assert await ingest(bot, SERVER_B, "orchard.txt", ORCHARD) == f"{ADDED_ONE}\nadded: orchard"
    in_b = (await ask(bot, SERVER_B, LIBRARY_QUESTION)).text()
    assert "4.2 million" not in in_b and "do not mention Marrowby" in in_b  # B has never heard of it
    assert (await ask(bot, SERVER_A, LIBRARY_QUESTION)).text() == answered_in_a  # and B's changed nothing in A

    listed_a, listed_b = await sources(bot, SERVER_A), await sources(bot, SERVER_B)
    assert "Council funds a new library in Marrowby" in listed_a and "orchards" not in listed_a
    assert "Frost damages orchards in the Kessel valley" in listed_b and "library" not in listed_b
    assert bot.corpora.shared.sources() == []  # nor did either touch the shared corpus

    engine_a = bot.corpora.engine_for(SERVER_A)
    assert engine_a.settings.collection == collection_for(bot.settings, SERVER_A) == f"dossier_g{SERVER_A}"
    assert [d.doc_id for d in engine_a.sources()] == ["library"]
    assert engine_a.embedder is bot.corpora.shared.embedder  # one model in memory for every server
    # Each server's uploads in a folder of its own: the same file name in two servers is two files.
    assert Path(engine_a.sources()[0].path) == tmp_path / "bot" / "discord-uploads" / str(SERVER_A) / "library.txt"


@pytest.mark.asyncio
async def test_discord_new_server_gets_the_demo_articles_when_configured(make_bot):
    bot = await make_bot(seed=True)
    assert await bot.corpora.prepare(SERVER_A, grace=float("inf"))  # the first use: seeded here
    listed = await sources(bot, SERVER_A)
    seeds = sorted(p.stem for p in SEEDS_DIR.glob("*.txt"))
    assert [d.doc_id for d in bot.corpora.engine_for(SERVER_A).sources()] == seeds
    assert all(title in listed for title in (d.title for d in bot.corpora.engine_for(SERVER_A).sources()))
    assert bot.corpora.shared.sources() == []  # copied into the server's corpus, not the shared one


@pytest.mark.asyncio
async def test_discord_new_server_starts_empty_without_seeding(make_bot):
    bot = await make_bot(seed=False)
    interaction = await ask(bot, SERVER_A, "What did the articles report?")
    assert interaction.text().strip() == EMPTY_STORE
    assert bot.metrics.questions == {"answered": 0, "related": 0, "refused": 0, "error": 1}  # for /metrics


@pytest.mark.asyncio
async def test_discord_slow_first_use_is_answered_within_discord_s_deadline(make_bot, monkeypatch):
    bot = await make_bot(seed=False)
    release = threading.Event()
    opening = bot.corpora._open_server

    def slow_open(guild_id: int) -> Engine:  # a first use that takes longer than Discord waits
        if guild_id == SERVER_A:
            release.wait(10)
        return opening(guild_id)

    monkeypatch.setattr(bot.corpora, "_open_server", slow_open)
    monkeypatch.setattr("dossier.bot.guilds.OPENING_GRACE", 0.05)
    interaction = ServerInteraction(SERVER_A)
    assert not await run_command(bot, "sources", interaction)
    assert [kind for kind, _ in interaction.calls] == ["send_message"]
    assert interaction.sent()[0]["content"] == OPENING and interaction.sent()[0]["ephemeral"] is True
    # Meanwhile other servers are served: only this server's first use waits for its corpus.
    monkeypatch.setattr("dossier.bot.guilds.OPENING_GRACE", 5.0)
    other = ServerInteraction(SERVER_B)
    assert await run_command(bot, "sources", other) and other.calls[0] == ("defer", {"thinking": True})
    assert not bot.corpora.is_open(SERVER_A)
    release.set()
    await bot.corpora.prepare(SERVER_A, grace=10)  # the opening went on meanwhile
    assert bot.corpora.is_open(SERVER_A)
    assert await run_command(bot, "sources", ServerInteraction(SERVER_A))


def test_discord_per_server_refuses_a_collection_name_too_long_to_extend(tmp_path):
    long_name = "c" * (MAX_COLLECTION_CHARS + 1)
    with pytest.raises(ConfigError, match="DOSSIER_COLLECTION .* is too long for per-server corpora"):
        DossierBot(Settings(home=tmp_path, _env_file=None, discord_corpus="per-server", collection=long_name))
    DossierBot(Settings(home=tmp_path, _env_file=None, collection=long_name))  # one shared corpus: fine


def test_discord_corpus_setting_is_checked(monkeypatch):
    monkeypatch.setenv("DOSSIER_DISCORD_CORPUS", "per-channel")
    with pytest.raises(ValueError, match="discord_corpus"):
        Settings(_env_file=None)
    monkeypatch.setenv("DOSSIER_DISCORD_CORPUS", "per-server")
    assert Settings(_env_file=None).discord_corpus == "per-server"
    assert Settings(_env_file=None, discord_corpus="shared").discord_seed_new_servers is True


# ---- mentions: dpytest's fake gateway with two servers ------------------------------------------


@pytest_asyncio.fixture
async def two_server_bot(make_bot):
    bot = await make_bot(seed=False)
    bot._connection._intents.members = True  # as test_discord_messages.py: dpytest resolves mentions from members
    bot._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(bot._connection._intents)
    dpytest.configure(bot, guilds=2)
    bot.threads = fake_threads(bot)
    yield bot
    await dpytest.empty_queue()


def answer_text() -> str:
    messages = []
    while not dpytest.sent_queue.empty():
        messages.append(dpytest.get_message())
    embeds = [embed for message in messages for embed in message.embeds]
    return "\n".join([m.content for m in messages if m.content] + [render.messages_text([embeds])])


@pytest.mark.asyncio
async def test_discord_mentions_are_answered_from_their_server_s_articles(two_server_bot, tmp_path):
    bot = two_server_bot
    first, second = dpytest.get_config().guilds
    channel_a = next(c for c in dpytest.get_config().channels if c.guild == first)
    channel_b = next(c for c in dpytest.get_config().channels if c.guild == second)
    await ingest(bot, first.id, "library.txt", LIBRARY)
    shared_copy = tmp_path / "shared" / "library.txt"  # in the shared corpus too: a message answered
    shared_copy.parent.mkdir()                          # outside its server's context would find it
    shared_copy.write_text(LIBRARY, encoding="utf-8")
    bot.corpora.shared.ingest([shared_copy])
    assert not bot.corpora.is_open(second.id)

    await dpytest.message(f"<@{bot.user.id}> {LIBRARY_QUESTION}", channel=channel_a)
    assert "approved 4.2 million euros" in answer_text()

    # The second server's corpus opens on this first message, off the loop; the message waits for it.
    await dpytest.message(f"<@{bot.user.id}> {LIBRARY_QUESTION}", channel=channel_b)
    await asyncio.gather(*bot._waiting)
    await dpytest.run_all_events()
    assert bot.corpora.is_open(second.id)
    assert answer_text().strip() == EMPTY_STORE  # nothing of the first server's articles


@pytest.mark.asyncio
async def test_discord_least_recently_used_server_is_closed_and_reopened_with_its_articles(make_bot):
    bot = await make_bot(seed=False)
    bot.corpora.max_open = 1  # as if this were the 257th server
    await ingest(bot, SERVER_A, "library.txt", LIBRARY)
    await ingest(bot, SERVER_B, "orchard.txt", ORCHARD)
    assert not bot.corpora.is_open(SERVER_A) and bot.corpora.is_open(SERVER_B)
    assert "4.2 million euros" in (await ask(bot, SERVER_A, LIBRARY_QUESTION)).text()  # reopened from the store
    assert [d.doc_id for d in bot.corpora.engine_for(SERVER_A).sources()] == ["library"]
