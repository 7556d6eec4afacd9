"""``dossier discord``: the Discord bot process.

``DossierBot`` is a thin ``commands.Bot``: its ``setup_hook`` (run once, after login and
before the gateway connects) opens the engine and loads the cog that holds every
command (bot/cogs/ask.py). ``run_discord`` turns every way of failing to start into one
line on stderr and a non-zero exit status, and stops cleanly on SIGINT/SIGTERM.

Scaling out is Discord's sharding: with DOSSIER_DISCORD_SHARD_COUNT the bot is an
``AutoShardedBot`` running the shards in DOSSIER_DISCORD_SHARD_IDS (all, when unset), so
processes with disjoint shard ids split the servers between them and no event reaches two.
Which corpus a server answers from is bot/guilds.py's; /healthz and /metrics bot/health.py's.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any, Callable, Optional

import aiohttp
import discord
from discord.ext import commands

from dossier.bot import feedback_views
from dossier.bot.feedback_store import FeedbackStore
from dossier.bot.guilds import Corpora, EngineRouter, ServerTree, check_corpus_settings, current_guild
from dossier.bot.health import HealthServer, Metrics, readiness
from dossier.index.engine import Engine
from dossier.index.errors import DossierError
from dossier.index.settings import Settings

log = logging.getLogger("dossier.discord")
EXIT_OK = 0
EXIT_ERROR = 1
EXTENSIONS = ("dossier.bot.cogs.ask", "dossier.bot.cogs.claims")  # claims shares the ask cog's worker: after it
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError, discord.GatewayNotFound,
                  discord.HTTPException)


def build_intents(settings: Settings) -> discord.Intents:
    """As few as possible. ``guilds`` keeps the server, channel and thread cache that commands
    and threads rely on. Message events are only needed to answer mentions and the follow-ups
    in their threads; reading a follow-up that does not mention the bot needs the privileged
    message content intent. /ask, /sources, /about and /ingest need neither."""
    intents = discord.Intents.none()
    intents.guilds = True
    if settings.discord_answer_mentions:
        intents.guild_messages = True
        intents.message_content = True
    return intents


def open_engine(settings: Settings) -> Engine:
    """The engine, with the demo articles in a store that never held any (as `dossier ask` does)."""
    engine = Engine.open(settings)
    status = engine.ensure_corpus()
    if status.message:
        log.warning("%s", status.message)
    return engine


EngineFactory = Callable[[Settings], Engine]


def shard_options(settings: Settings) -> dict[str, Any]:
    return {"shard_count": settings.discord_shard_count, "shard_ids": settings.discord_shard_ids}


class DossierBot(commands.Bot):
    """The bot: slash commands from the cog, no pings, no prefix commands.

    The engine is given, or made by ``open_engine`` (another factory in tests) in ``setup_hook``,
    which puts it behind an ``EngineRouter`` (bot/guilds.py: one corpus, or one per server)."""

    def __init__(self, settings: Settings, engine: Optional[Engine] = None, sync_commands: bool = True,
                 open_engine: EngineFactory = open_engine, force_sync: bool = False) -> None:
        check_corpus_settings(settings)
        sharding = shard_options(settings) if isinstance(self, commands.AutoShardedBot) else {}
        super().__init__(command_prefix=commands.when_mentioned, intents=build_intents(settings),
                         allowed_mentions=discord.AllowedMentions.none(), help_command=None,
                         tree_cls=ServerTree, **sharding)
        self.settings = settings
        self.engine: Any = engine  # the Engine given, then (setup_hook) the EngineRouter over it
        self.sync_commands = sync_commands  # publish the slash commands when none are published
        self.force_sync = force_sync  # `dossier discord --sync`: publish them whatever is published
        self.open_engine = open_engine
        self.feedback = FeedbackStore.at(settings)  # opened on first use: a bad file costs buttons, not the bot
        self.corpora: Optional[Corpora] = None
        self.metrics = Metrics()
        self._waiting: set[asyncio.Task] = set()  # messages held until their server's corpus is open

    async def setup_hook(self) -> None:
        """Open the engine once (off the loop: loading the model takes a while), load the cog and
        publish the slash commands (to one server when DOSSIER_DISCORD_GUILD_ID is set: instant)."""
        if self.engine is None:
            self.engine = await asyncio.to_thread(self.open_engine, self.settings)
        self.corpora = Corpora(self.settings, self.engine)
        self.engine = EngineRouter(self.corpora, self.metrics.observe)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        feedback_views.register(self)  # buttons of answers sent before this start keep working
        if self.sync_commands or self.force_sync:
            await self.sync_tree()

    async def sync_tree(self) -> None:
        """Publish the slash commands with --sync, or when none are published yet. Not on every
        start: each process of a sharded bot starts, and publishing is rate-limited and can
        take an hour to reach every server globally."""
        guild_id = self.settings.discord_guild_id
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        where = f"to server {guild_id}" if guild_id else "globally"
        if not self.force_sync:
            published = await self.tree.fetch_commands(guild=guild)
            if published:
                log.info("%d slash commands are published %s; `dossier discord --sync` publishes changed ones",
                         len(published), where)
                return
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("published %d slash commands %s", len(synced), where)

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions are questions, answered by the cog's listener."""

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A new server's corpus is prepared now, in the background, not on its first question."""
        if self.corpora is not None:
            await self.corpora.prepare(guild.id, grace=0)

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """A message is handled in its server's context (``current_guild``: the tasks its
        listeners run in are created here and inherit it); one arriving before its server's
        corpus is open is handed on once it is, so no listener opens it on the loop."""
        guild = getattr(args[0], "guild", None) if event_name == "message" and args else None
        if guild is None or self.corpora is None:
            super().dispatch(event_name, *args, **kwargs)
            return
        token = current_guild.set(guild.id)
        try:
            if self.corpora.is_open(guild.id):
                super().dispatch(event_name, *args, **kwargs)
            else:
                held = self._dispatch_when_open(guild.id, event_name, args, kwargs)
                task = asyncio.get_running_loop().create_task(held)
                self._waiting.add(task)
                task.add_done_callback(self._waiting.discard)
        finally:
            current_guild.reset(token)

    async def _dispatch_when_open(self, guild_id: int, event_name: str, args: tuple, kwargs: dict) -> None:
        assert self.corpora is not None
        await self.corpora.prepare(guild_id, grace=float("inf"))
        super().dispatch(event_name, *args, **kwargs)


class ShardedDossierBot(DossierBot, commands.AutoShardedBot):
    """The same bot over a group of Discord's shards (DOSSIER_DISCORD_SHARD_COUNT, _SHARD_IDS)."""


def build_bot(settings: Settings, **options: Any) -> DossierBot:
    """The bot these settings ask for: sharded when DOSSIER_DISCORD_SHARD_COUNT is set."""
    cls = ShardedDossierBot if settings.discord_shard_count is not None else DossierBot
    return cls(settings, **options)


def _one_line(error: BaseException, token: str) -> str:
    """The exception as one short line, with the token cut out should it ever appear."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text.replace(token, "[token]")[:300] if token else text[:300]


def failure_message(error: BaseException, token: str) -> str:
    """The line printed for a bot that could not start or stay connected."""
    rejected = isinstance(error, discord.ConnectionClosed) and error.code == 4004  # authentication failed
    if isinstance(error, discord.LoginFailure) or rejected:
        return ("Discord rejected the bot token; copy a new one from the developer portal (Bot > Reset Token) "
                "into DISCORD_TOKEN")
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return ("the Message Content intent is not enabled for this bot: enable it in the developer portal "
                "(Bot > Privileged Gateway Intents) or set DOSSIER_DISCORD_ANSWER_MENTIONS=false")
    if isinstance(error, discord.ConnectionClosed):
        return f"Discord closed the connection (code {error.code}); check the bot's settings in the developer portal"
    if isinstance(error, DossierError):
        return str(error)
    return f"cannot reach Discord ({type(error).__name__}: {_one_line(error, token)}); check the network and try again"


async def serve(settings: Settings, token: str, open_engine: EngineFactory = open_engine,
                sync: bool = False) -> None:
    """Log in, connect and run until closed; SIGINT/SIGTERM close the bot gracefully."""
    bot = build_bot(settings, open_engine=open_engine, force_sync=sync)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task] = []  # a reference, so the task is not garbage-collected mid-way
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, lambda: closing.append(loop.create_task(bot.close())))
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            pass
    health = None
    if settings.health_port is not None:
        health = HealthServer(bot.metrics, readiness(bot), settings.health_host, settings.health_port)
        await health.start()
    try:
        async with bot:
            await bot.start(token)
    finally:
        if health is not None:
            await health.stop()


def run_discord(settings: Settings, open_engine: EngineFactory = open_engine, sync: bool = False) -> int:
    """Run the bot until it is stopped: 0 after a clean stop, 1 with one line on stderr otherwise."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        print("dossier: error: no Discord bot token; set DISCORD_TOKEN (see the README's Discord bot section)", file=sys.stderr)
        return EXIT_ERROR
    Engine.warm_start(settings)  # the indexes and the model load while the bot logs in
    try:
        asyncio.run(serve(settings, token, open_engine, sync))
    except (discord.LoginFailure, discord.PrivilegedIntentsRequired, discord.ConnectionClosed, DossierError,
            *NETWORK_ERRORS) as error:
        log.debug("the Discord bot stopped: %s", type(error).__name__)
        print(f"dossier: error: {failure_message(error, token)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # only where signal handlers cannot be installed
        pass
    return EXIT_OK
