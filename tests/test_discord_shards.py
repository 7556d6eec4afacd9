"""Scaling out with Discord's sharding, and publishing slash commands only when asked.

discord.py's real HTTP client logs in against a local server that answers as Discord's REST
API does for the few routes involved (GET /users/@me, GET /oauth2/applications/@me, GET and
PUT /applications/{id}/commands); the test records what the bot asked for. No gateway is
opened: ``Client.login`` runs ``setup_hook``, which is where commands are published."""

from __future__ import annotations

import json
from typing import Any, Optional

import discord
import pytest
import pytest_asyncio
from aiohttp import web
from discord.ext import commands

from dossier.bot.discord_bot import DossierBot, ShardedDossierBot, build_bot
from dossier.index.errors import ConfigError
from dossier.index.settings import Settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.secret-token-value-do-not-print"
APP_ID = "424242424242424242"
USER = {"id": APP_ID, "username": "dossier", "discriminator": "0", "global_name": None, "avatar": None, "bot": True}


class FakeDiscordRest:
    """Discord's REST API for login and application commands; ``published`` is what Discord
    holds (global, or per server id), ``requests`` each (method, path) the bot sent."""

    def __init__(self) -> None:
        self.published: dict[Optional[str], list[dict[str, Any]]] = {}
        self.requests: list[tuple[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v10/users/@me", self.get_user)
        app.router.add_get("/api/v10/oauth2/applications/@me", self.get_application)
        for path in (f"/api/v10/applications/{APP_ID}/commands",
                     f"/api/v10/applications/{APP_ID}/guilds/{{guild}}/commands"):
            app.router.add_get(path, self.get_commands)
            app.router.add_put(path, self.put_commands)
        return app

    def reply(self, request: web.Request, body: Any) -> web.Response:
        self.requests.append((request.method, request.path))
        # Exactly Discord's header: discord.py parses JSON only for "application/json" alone.
        return web.Response(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    async def get_user(self, request: web.Request) -> web.Response:
        return self.reply(request, USER)

    async def get_application(self, request: web.Request) -> web.Response:
        return self.reply(request, {"id": APP_ID, "name": "dossier", "description": "", "icon": None,
                                    "bot_public": True, "bot_require_code_grant": False, "owner": USER,
                                    "verify_key": "0" * 64, "flags": 0})

    async def get_commands(self, request: web.Request) -> web.Response:
        return self.reply(request, self.published.get(request.match_info.get("guild"), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        commands = [dict(c, id=str(1000 + i), application_id=APP_ID, version="1")
                    for i, c in enumerate(json.loads(await request.read()))]
        self.published[request.match_info.get("guild")] = commands
        return self.reply(request, commands)


@pytest_asyncio.fixture
async def discord_rest(monkeypatch):
    fake = FakeDiscordRest()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    yield fake
    await runner.cleanup()


def settings(tmp_path, **extra) -> Settings:
    return Settings(home=tmp_path / "bot", _env_file=None, DISCORD_TOKEN=TOKEN, **extra)


async def log_in(bot: DossierBot) -> None:
    """The REST half of starting: login, then setup_hook (engine, cog, publishing)."""
    try:
        await bot.login(TOKEN)
    finally:
        await bot.remove_cog("Dossier")
        await bot.http.close()


def publishes(fake: FakeDiscordRest) -> list[str]:
    return [path for method, path in fake.requests if method == "PUT"]


# ---- sharding ---------------------------------------------------------------------------------


def test_discord_shard_settings_make_an_auto_sharded_bot_for_those_shards(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DOSSIER_DISCORD_SHARD_IDS", "0,1")
    bot = build_bot(Settings(home=tmp_path, _env_file=None), sync_commands=False)
    assert isinstance(bot, ShardedDossierBot) and isinstance(bot, commands.AutoShardedBot)
    assert (bot.shard_count, bot.shard_ids) == (4, [0, 1])
    assert isinstance(bot, DossierBot) and bot.allowed_mentions.to_dict() == discord.AllowedMentions.none().to_dict()

    # Another process runs the other half: together they cover every shard, none twice.
    monkeypatch.setenv("DOSSIER_DISCORD_SHARD_IDS", "2,3")
    other = build_bot(Settings(home=tmp_path, _env_file=None), sync_commands=False)
    assert set(bot.shard_ids).isdisjoint(other.shard_ids) and sorted(bot.shard_ids + other.shard_ids) == [0, 1, 2, 3]


def test_discord_shard_count_alone_runs_every_shard_and_no_setting_runs_one_connection(tmp_path):
    every = build_bot(Settings(home=tmp_path, _env_file=None, discord_shard_count=2), sync_commands=False)
    assert isinstance(every, commands.AutoShardedBot) and (every.shard_count, every.shard_ids) == (2, None)
    plain = build_bot(Settings(home=tmp_path, _env_file=None), sync_commands=False)
    assert type(plain) is DossierBot and not isinstance(plain, discord.AutoShardedClient)


@pytest.mark.parametrize("env,message", [
    ({"DOSSIER_DISCORD_SHARD_IDS": "0,1"}, "DOSSIER_DISCORD_SHARD_IDS needs DOSSIER_DISCORD_SHARD_COUNT"),
    ({"DOSSIER_DISCORD_SHARD_IDS": "1,4", "DOSSIER_DISCORD_SHARD_COUNT": "4"},
     r"DOSSIER_DISCORD_SHARD_IDS \[1, 4\] must be below DOSSIER_DISCORD_SHARD_COUNT 4"),
], ids=["ids-without-count", "id-out-of-range"])
def test_discord_inconsistent_shard_settings_are_one_clear_error(monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        Settings(_env_file=None)


def test_discord_shard_ids_that_are_not_numbers_are_refused(monkeypatch):
    monkeypatch.setenv("DOSSIER_DISCORD_SHARD_COUNT", "2")
    monkeypatch.setenv("DOSSIER_DISCORD_SHARD_IDS", "first")
    with pytest.raises(ValueError, match="expected shard numbers separated by commas, like 0,1"):
        Settings(_env_file=None)


# ---- publishing slash commands -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_discord_first_start_publishes_when_nothing_is_published(discord_rest, seeded_engine, tmp_path):
    await log_in(build_bot(settings(tmp_path), engine=seeded_engine))
    assert discord_rest.requests[-2:] == [("GET", f"/api/v10/applications/{APP_ID}/commands"),
                                          ("PUT", f"/api/v10/applications/{APP_ID}/commands")]
    assert sorted(c["name"] for c in discord_rest.published[None]) == ["about", "ask", "claims", "ingest", "sources"]


@pytest.mark.asyncio
async def test_discord_later_starts_and_other_shards_do_not_publish_again(discord_rest, seeded_engine, tmp_path):
    await log_in(build_bot(settings(tmp_path), engine=seeded_engine))
    assert len(publishes(discord_rest)) == 1
    for shard_ids in ("0", "1"):  # a restart, then each process of a sharded bot
        config = settings(tmp_path, discord_shard_count=2, discord_shard_ids=shard_ids)
        await log_in(build_bot(config, engine=seeded_engine))
    assert len(publishes(discord_rest)) == 1  # still the first start's
    assert discord_rest.requests.count(("GET", f"/api/v10/applications/{APP_ID}/commands")) == 3


@pytest.mark.asyncio
async def test_discord_sync_option_publishes_even_when_commands_are_published(discord_rest, seeded_engine, tmp_path):
    discord_rest.published[None] = [{"id": "1", "application_id": APP_ID, "name": "ask", "description": "old",
                                     "type": 1, "version": "1"}]
    await log_in(build_bot(settings(tmp_path), engine=seeded_engine, force_sync=True))
    assert publishes(discord_rest) == [f"/api/v10/applications/{APP_ID}/commands"]
    assert not any(method == "GET" and path.endswith("/commands") for method, path in discord_rest.requests)
    assert sorted(c["name"] for c in discord_rest.published[None]) == ["about", "ask", "claims", "ingest", "sources"]


@pytest.mark.asyncio
async def test_discord_test_server_commands_are_checked_and_published_there(discord_rest, seeded_engine, tmp_path):
    config = settings(tmp_path, discord_guild_id=1234)
    await log_in(build_bot(config, engine=seeded_engine))
    await log_in(build_bot(config, engine=seeded_engine))
    assert publishes(discord_rest) == [f"/api/v10/applications/{APP_ID}/guilds/1234/commands"]
    assert None not in discord_rest.published  # nothing published globally


@pytest.mark.parametrize("argv,sync", [(["discord"], False), (["discord", "--sync"], True)])
def test_discord_cli_sync_option_reaches_the_bot(monkeypatch, argv, sync):
    import dossier.bot.discord_bot as discord_bot
    from dossier.bot.cli import main

    calls = []
    monkeypatch.setattr(discord_bot, "run_discord", lambda settings, sync=False: calls.append(sync) or 0)
    assert main(argv) == 0 and calls == [sync]
