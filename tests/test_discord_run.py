"""``run_discord``: one clear line and a non-zero status for every startup failure, the token
never shown; minimal intents; slash commands registered; clean stop on SIGINT/SIGTERM.

Only the network edge is faked: discord.py's real HTTP client talks to a closed local
port or to a local server that answers 401, and where a failure needs a live Discord
(gateway, privileged intents) ``Client.login`` raises discord.py's own exception types."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import discord
import pytest
from discord.ext import commands

from dossier.bot.discord_bot import DossierBot, build_intents, run_discord
from dossier.index.errors import StoreError
from dossier.index.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.secret-token-value-do-not-print"
INVITE_PERMISSIONS = 309237729280


def settings(**extra) -> Settings:
    return Settings(_env_file=None, DISCORD_TOKEN=TOKEN, **extra)


def run_and_capture(capsys, caplog, config: Settings, **kwargs) -> tuple[int, str]:
    with caplog.at_level(logging.DEBUG):
        status = run_discord(config, **kwargs)
    captured = capsys.readouterr()
    logged = "\n".join(r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") for r in caplog.records)
    assert TOKEN not in captured.err and TOKEN not in captured.out and TOKEN not in logged
    assert "Traceback" not in captured.err
    return status, captured.err


def test_discord_without_a_token_says_how_to_set_one(capsys, caplog):
    status, err = run_and_capture(capsys, caplog, Settings(_env_file=None))
    assert status == 1
    assert err == "dossier: error: no Discord bot token; set DISCORD_TOKEN (see the README's Discord bot section)\n"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_discord_unreachable_is_one_line(capsys, caplog, monkeypatch):
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{closed_port()}/api/v10")
    status, err = run_and_capture(capsys, caplog, settings())
    assert status == 1 and err.count("\n") == 1
    assert err.startswith("dossier: error: cannot reach Discord (ClientConnectorError: "
                          "Cannot connect to host 127.0.0.1")
    assert err.endswith("check the network and try again\n")


class Unauthorized(BaseHTTPRequestHandler):
    """Discord's answer to a bad token on GET /users/@me."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 -- http.server's naming
        Unauthorized.seen.append(self.headers.get("Authorization", ""))
        body = json.dumps({"message": "401: Unauthorized", "code": 0}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_discord_rejected_token_is_one_line(capsys, caplog, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unauthorized)
    # shutdown() below waits up to one poll interval (serve_forever's default is 0.5 s).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{server.server_address[1]}/api/v10")
    try:
        status, err = run_and_capture(capsys, caplog, settings())
    finally:
        server.shutdown()
        server.server_close()
    assert Unauthorized.seen == [f"Bot {TOKEN}"]  # the real request carried the token...
    assert status == 1  # ...and it is printed nowhere
    assert err == ("dossier: error: Discord rejected the bot token; copy a new one from the developer portal "
                   "(Bot > Reset Token) into DISCORD_TOKEN\n")


def _response(status: int) -> SimpleNamespace:
    return SimpleNamespace(status=status, reason="Service Unavailable")


@pytest.mark.parametrize("error,expected", [
    (discord.GatewayNotFound(),
     "cannot reach Discord (GatewayNotFound: The gateway to connect to discord was not found."),
    (discord.HTTPException(_response(503), {"message": "upstream connect error", "code": 0}),
     "cannot reach Discord (HTTPException: 503 Service Unavailable (error code: 0): upstream connect error)"),
    (discord.PrivilegedIntentsRequired(None), "the Message Content intent is not enabled for this bot"),
    (OSError(101, "Network is unreachable"), "cannot reach Discord (OSError: [Errno 101] Network is unreachable)"),
], ids=["gateway", "http", "intents", "oserror"])
def test_discord_startup_failures_are_one_line(capsys, caplog, monkeypatch, error, expected):
    async def login(self, token: str) -> None:
        raise error

    monkeypatch.setattr(discord.Client, "login", login)
    status, err = run_and_capture(capsys, caplog, settings())
    assert status == 1 and err.startswith(f"dossier: error: {expected}") and err.count("\n") == 1


def test_discord_engine_failure_at_startup_is_one_line(capsys, caplog, monkeypatch):
    def broken(config):
        raise StoreError("cannot reach the Chroma server at db:8000; is it running?")

    async def login(self, token: str) -> None:
        await self.setup_hook()

    monkeypatch.setattr(discord.Client, "login", login)
    status, err = run_and_capture(capsys, caplog, settings(), open_engine=broken)
    assert (status, err) == (1, "dossier: error: cannot reach the Chroma server at db:8000; is it running?\n")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_discord_signal_stops_the_bot_gracefully(capsys, caplog, monkeypatch, seeded_engine, signum):
    events: list[str] = []
    bots: list[DossierBot] = []
    cogs: list = []

    async def login(self, token: str) -> None:  # the network part of login, then the real setup_hook
        await self.setup_hook()

    async def connect(self, *, reconnect: bool = True) -> None:  # "connected" until closed
        events.append("connected")
        bots.append(self)
        cogs.append(self.get_cog("Dossier"))
        signal.raise_signal(signum)
        while not self.is_closed():
            await asyncio.sleep(0.01)
        events.append("closed")

    async def sync_tree(self) -> None:
        events.append(f"synced {sorted(c.name for c in self.tree.get_commands())}")

    monkeypatch.setattr(discord.Client, "login", login)
    monkeypatch.setattr(discord.Client, "connect", connect)
    monkeypatch.setattr(DossierBot, "sync_tree", sync_tree)
    status, err = run_and_capture(capsys, caplog, settings(), open_engine=lambda config: seeded_engine)
    assert (status, err) == (0, "")
    assert events == ["synced ['about', 'ask', 'claims', 'ingest', 'sources']", "connected", "closed"]
    assert bots[0].is_closed() and bots[0].get_cog("Dossier") is None
    assert cogs[0]._executor._shutdown  # close() removed the cog, which stopped the engine worker
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)


def test_discord_intents_are_minimal():
    with_mentions = build_intents(Settings(_env_file=None))
    assert with_mentions == discord.Intents(guilds=True, guild_messages=True, message_content=True)
    assert not with_mentions.members and not with_mentions.presences and not with_mentions.dm_messages
    assert build_intents(Settings(_env_file=None, discord_answer_mentions=False)) == discord.Intents(guilds=True)


@pytest.mark.asyncio
async def test_discord_bot_registers_commands_and_pings_nobody(seeded_engine):
    bot = DossierBot(Settings(_env_file=None, discord_guild_id=1234), engine=seeded_engine)
    assert isinstance(bot, commands.Bot)
    assert bot.allowed_mentions.to_dict() == discord.AllowedMentions.none().to_dict()
    synced = []

    async def sync(*, guild=None):  # the network edge of CommandTree.sync
        synced.append(guild.id if guild else None)
        return bot.tree.get_commands(guild=guild)

    async def fetch_commands(*, guild=None):  # the network edge of CommandTree.fetch_commands
        return []  # a new bot: nothing published yet, so the first start publishes

    bot.tree.sync = sync
    bot.tree.fetch_commands = fetch_commands
    await bot._async_setup_hook()
    await bot.setup_hook()
    try:
        assert synced == [1234]  # DOSSIER_DISCORD_GUILD_ID: copied to that server, instant
        ingest = bot.tree.get_command("ingest")
        assert ingest.default_permissions == discord.Permissions(manage_guild=True) and ingest.guild_only
        assert [p.name for p in bot.tree.get_command("ask").parameters] == ["question"]
    finally:
        await bot.remove_cog("Dossier")


def test_discord_invite_permissions_integer_is_documented():
    needed = discord.Permissions(send_messages=True, send_messages_in_threads=True, create_public_threads=True,
                                 embed_links=True, read_message_history=True)
    assert needed.value == INVITE_PERMISSIONS
    doc = Path(PROJECT_ROOT / "docs" / "discord.md").read_text(encoding="utf-8")  # where the bot's setup is
    assert f"scope=bot+applications.commands&permissions={INVITE_PERMISSIONS}" in doc
