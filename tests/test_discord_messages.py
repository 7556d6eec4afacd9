"""Mentions and thread follow-ups through dpytest's fake gateway, over the real engine.

dpytest 0.7 cannot create threads: ``Message.create_thread`` reaches its HTTP stub,
which raises NotImplementedError. The tests fill in exactly that network edge: the
stubbed ``start_thread_with_message`` returns the thread Discord would, and feeds the
THREAD_CREATE gateway event to the client state, as Discord does. Messages are then
sent into that thread with dpytest as into any channel. Every payload the bot sends
is recorded at the HTTP edge to check ``allowed_mentions``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio

from dossier.bot import discord_render as render
from dossier.bot.discord_bot import DossierBot
from dossier.index.settings import Settings

NONE = discord.AllowedMentions.none().to_dict()


@pytest_asyncio.fixture
async def discord_bot(seeded_engine, tmp_path):
    bot = DossierBot(Settings(home=tmp_path / "bot", _env_file=None), engine=seeded_engine, sync_commands=False)
    await bot._async_setup_hook()  # dpytest needs the loop-bound parts first with discord.py 2.7
    await bot.setup_hook()  # opens nothing (engine given), loads the cog
    # dpytest resolves <@id> mentions from the member cache, which needs the members intent;
    # real Discord sends the mentioned users in the message, so the bot itself does not ask for it.
    bot._connection._intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(bot._connection._intents)
    dpytest.configure(bot)
    bot.payloads = record_payloads(bot)
    bot.threads = fake_threads(bot)
    yield bot
    await dpytest.empty_queue()
    await bot.remove_cog("Dossier")  # stops its worker; bot.close() trips over dpytest's fake socket


def record_payloads(bot: DossierBot) -> list[dict[str, Any]]:
    payloads: list[dict[str, Any]] = []
    original = bot.http.send_message

    async def send_message(channel_id: int, *, params):
        channel = bot.get_channel(channel_id)  # noqa: F841 -- dpytest's stub reads its caller's `channel`
        payloads.append(params.payload)
        return await original(channel_id, params=params)

    bot.http.send_message = send_message
    return payloads


def fake_threads(bot: DossierBot) -> list[discord.Thread]:
    """What Discord does for POST /channels/{id}/messages/{id}/threads: create, then THREAD_CREATE."""
    created: list[discord.Thread] = []

    async def start_thread_with_message(channel_id, message_id, *, name, auto_archive_duration, **_):
        channel = bot.get_channel(channel_id)
        data = {"id": message_id, "guild_id": channel.guild.id, "parent_id": channel_id, "owner_id": bot.user.id,
                "name": name, "type": discord.ChannelType.public_thread.value, "message_count": 0,
                "member_count": 1, "rate_limit_per_user": 0,
                "thread_metadata": {"archived": False, "auto_archive_duration": auto_archive_duration,
                                    "archive_timestamp": datetime.now(timezone.utc).isoformat(), "locked": False}}
        bot._connection.parse_thread_create(data)
        created.append(channel.guild.get_thread(message_id))
        return data

    bot.http.start_thread_with_message = start_thread_with_message
    return created


def sent_embeds() -> list[discord.Embed]:
    embeds = []
    while not dpytest.sent_queue.empty():
        embeds += dpytest.get_message().embeds
    return embeds


def mention(bot: DossierBot, text: str) -> str:
    return f"<@{bot.user.id}> {text}"


@pytest.mark.asyncio
async def test_discord_mention_answers_in_a_new_thread(discord_bot):
    question = "What did the Japanese transport ministry recommend?"
    await dpytest.message(mention(discord_bot, question))
    [thread] = discord_bot.threads
    assert thread.name == question and thread.parent == dpytest.get_config().channels[0]
    message = dpytest.get_message()
    assert message.channel.id == thread.id
    [embed] = message.embeds
    assert embed.title == question and embed.fields and "[1]" in embed.description
    assert discord_bot.payloads[-1]["allowed_mentions"] == NONE


@pytest.mark.asyncio
async def test_discord_thread_messages_are_followups(discord_bot):
    await dpytest.message(mention(discord_bot, "What did the Japanese transport ministry recommend?"))
    [thread] = discord_bot.threads
    sent_embeds()
    await dpytest.message("Why?", channel=thread)  # no mention needed inside the bot's thread
    [embed] = sent_embeds()
    assert embed.footer.text.startswith("extractive answer · read as: Why?")
    assert any("safety of passengers" in f.value for f in embed.fields)
    assert embed.fields[0].name.startswith("[1] ")
    cog = discord_bot.get_cog("Dossier")
    assert len(cog.conversations.get(thread.id).turns) == 2
    assert all(p["allowed_mentions"] == NONE for p in discord_bot.payloads)


@pytest.mark.asyncio
async def test_discord_messages_not_for_the_bot_are_ignored(discord_bot):
    await dpytest.message("What did the Japanese transport ministry recommend?")
    await dpytest.message("@everyone What did the Japanese transport ministry recommend?")
    assert dpytest.sent_queue.empty() and not discord_bot.threads and not discord_bot.payloads


@pytest.mark.asyncio
async def test_discord_everyone_in_a_mention_pings_nobody(discord_bot):
    await dpytest.message(mention(discord_bot, "@everyone @here How many missiles did North Korea fire?"))
    [thread] = discord_bot.threads
    assert "@everyone" not in thread.name and "@\u200beveryone" in thread.name
    text = render.messages_text([sent_embeds()])
    assert "@everyone" not in text and "@here" not in text
    assert discord_bot.payloads and all(p["allowed_mentions"] == NONE for p in discord_bot.payloads)


@pytest.mark.asyncio
async def test_discord_mention_without_thread_permission_answers_in_the_channel(discord_bot):
    async def forbidden(*args, **kwargs):
        raise discord.Forbidden(_Response(403), "Missing Permissions")

    discord_bot.http.start_thread_with_message = forbidden
    channel = dpytest.get_config().channels[0]
    await dpytest.message(mention(discord_bot, "How many missiles did North Korea fire toward the Sea of Japan?"))
    message = dpytest.get_message()
    assert message.channel.id == channel.id and message.embeds[0].fields


@pytest.mark.asyncio
async def test_discord_empty_mention_and_rate_limit_get_short_replies(discord_bot):
    await dpytest.message(f"<@{discord_bot.user.id}>")
    assert dpytest.get_message().content.startswith("Ask me a question about the articles")
    for _ in range(discord_bot.settings.discord_rate_limit):
        await dpytest.message(mention(discord_bot, "How many missiles did North Korea fire?"))
    sent_embeds()
    await dpytest.message(mention(discord_bot, "How many missiles did North Korea fire?"))
    assert dpytest.get_message().content.startswith("You are asking quickly")


class _Response:
    def __init__(self, status: int) -> None:
        self.status, self.reason = status, "Forbidden"
