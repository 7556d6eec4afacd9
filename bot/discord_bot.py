"""``dossier discord``: the Discord bot process.

``DossierBot`` is a thin ``commands.Bot``: its ``setup_hook`` (run once, after login and
before the gateway connects) opens the engine and loads the cog that holds every
command (bot/cogs/ask.py). ``run_discord`` turns every way of failing to start into one
line on stderr and a non-zero exit status, and stops cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Callable, Optional

import aiohttp
import discord
from discord.ext import commands

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


class DossierBot(commands.Bot):
    """The bot: one shared engine, slash commands from the cog, no pings, no prefix commands.

    The engine is given, or made by ``open_engine`` (another factory in tests) in ``setup_hook``."""

    def __init__(self, settings: Settings, engine: Optional[Engine] = None, sync_commands: bool = True,
                 open_engine: EngineFactory = open_engine) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=build_intents(settings),
                         allowed_mentions=discord.AllowedMentions.none(), help_command=None)
        self.settings = settings
        self.engine = engine
        self.sync_commands = sync_commands
        self.open_engine = open_engine

    async def setup_hook(self) -> None:
        """Open the engine once (off the loop: loading the model takes a while), load the cog and
        publish the slash commands (to one server when DOSSIER_DISCORD_GUILD_ID is set: instant)."""
        if self.engine is None:
            self.engine = await asyncio.to_thread(self.open_engine, self.settings)
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.sync_commands:
            await self.sync_tree()

    async def sync_tree(self) -> None:
        guild_id = self.settings.discord_guild_id
        if guild_id is None:
            synced = await self.tree.sync()
        else:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        log.info("published %d slash commands %s", len(synced), f"to server {guild_id}" if guild_id else "globally")

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions are questions, answered by the cog's listener."""


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


async def serve(settings: Settings, token: str, open_engine: EngineFactory = open_engine) -> None:
    """Log in, connect and run until closed; SIGINT/SIGTERM close the bot gracefully."""
    bot = DossierBot(settings, open_engine=open_engine)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task] = []  # a reference, so the task is not garbage-collected mid-way
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, lambda: closing.append(loop.create_task(bot.close())))
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            pass
    async with bot:
        await bot.start(token)


def run_discord(settings: Settings, open_engine: EngineFactory = open_engine) -> int:
    """Run the bot until it is stopped: 0 after a clean stop, 1 with one line on stderr otherwise."""
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        print("dossier: error: no Discord bot token; set DISCORD_TOKEN (see the README's Discord bot section)", file=sys.stderr)
        return EXIT_ERROR
    Engine.warm_start(settings)  # the indexes and the model load while the bot logs in
    try:
        asyncio.run(serve(settings, token, open_engine))
    except (discord.LoginFailure, discord.PrivilegedIntentsRequired, discord.ConnectionClosed, DossierError,
            *NETWORK_ERRORS) as error:
        log.debug("the Discord bot stopped: %s", type(error).__name__)
        print(f"dossier: error: {failure_message(error, token)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:  # only where signal handlers cannot be installed
        pass
    return EXIT_OK
