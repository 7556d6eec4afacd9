"""Which corpus a Discord server answers from (DOSSIER_DISCORD_CORPUS), and the bot's one door to it.

The cogs are written against one engine, ``bot.engine``. In the bot that engine is an
``EngineRouter``: each call goes to the engine of the server the current interaction or
message came from, which the bot keeps in the context variable ``current_guild``. It is set
at the start of the task that handles an event (the command tree's ``interaction_check`` for
slash commands, the bot's ``dispatch`` for messages), so every await in that task sees it. The
router reads it when the cog looks up an engine method, on the loop inside that task; the
method then runs wherever the cog runs it (its worker thread), for the server captured at
lookup. A component's callback (a button of a view) runs in a task of its own: a view that
needs its server's engine sets ``current_guild`` in its own ``interaction_check``.

``shared``: every server maps to the one engine. ``per-server``: each server has its own
collections, ``<DOSSIER_COLLECTION>_g<server id>`` (the BM25 index, and a Chroma server's
ingest lease, follow the collection name), opened on first use, sharing the embedder and the LLM client;
direct messages, which belong to no server, use the shared corpus.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections import OrderedDict
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Callable, Optional

import discord
from discord import app_commands

from dossier.index.engine import Engine
from dossier.index.errors import ConfigError
from dossier.index.models import Answer
from dossier.index.settings import Settings

log = logging.getLogger("dossier.discord")

current_guild: ContextVar[Optional[int]] = ContextVar("dossier_current_guild", default=None)

# Open engines kept per process (least recently used closed first): each holds its server's
# BM25 index and catalogue in memory; reopening one costs a few store reads, not an ingest.
MAX_OPEN = 256
# Chroma names are 3-63 characters; a store adds at most "_g<20 digits>" here and
# "_replaced_sentences" (a reset being swapped in) to the prefix.
MAX_COLLECTION_CHARS = 63 - len("_g18446744073709551615") - len("_replaced_sentences")

# A slash command must be acknowledged within 3 s: a server's corpus still opening (its first
# use, with the demo articles going in) after this long gets a "try again" instead.
OPENING_GRACE = 2.0
OPENING = "I am setting up this server's articles (its first question); please ask again in a few seconds."

# Engine methods that read only the settings, which every server's engine shares: the shared
# engine answers them, so these calls (made on the event loop) never open a server's corpus.
SETTINGS_ONLY = frozenset({"validate", "upload_problem"})

Observer = Callable[[Optional[Answer], float, bool], None]  # (answer or None on failure, seconds, fallback)


def collection_for(settings: Settings, guild_id: int) -> str:
    """The collection prefix of one server's corpus."""
    return f"{settings.collection}_g{guild_id}"


def check_corpus_settings(settings: Settings) -> None:
    """Refuse a prefix too long to name every server's collections, before anything connects."""
    if settings.discord_corpus == "per-server" and len(settings.collection) > MAX_COLLECTION_CHARS:
        raise ConfigError(f"DOSSIER_COLLECTION {settings.collection!r} is too long for per-server corpora "
                          f"(at most {MAX_COLLECTION_CHARS} characters)")


def uploads_folder(settings: Settings, name: str) -> Path:
    """Where the current server's uploaded articles are kept. Per-server corpora keep their files
    apart too: one server's upload must not replace the file another's article was read from."""
    guild_id = current_guild.get()
    if settings.discord_corpus == "per-server" and guild_id is not None:
        return settings.home / name / str(guild_id)
    return settings.home / name


class Corpora:
    """The engines the bot answers from: the shared one, and in per-server mode one per server.

    Thread-safe: the cog's worker thread, the health check and ``prepare`` all ask for engines."""

    def __init__(self, settings: Settings, shared: Engine, max_open: int = MAX_OPEN) -> None:
        self.settings, self.shared, self.max_open = settings, shared, max_open
        self.per_server = settings.discord_corpus == "per-server"
        self._open: OrderedDict[int, Engine] = OrderedDict()
        self._lock = threading.Lock()  # guards the two dicts; held for moments only
        self._opening: dict[int, threading.Lock] = {}  # one per server being opened
        self._pending: dict[int, asyncio.Future] = {}

    def engine_for(self, guild_id: Optional[int]) -> Engine:
        """The engine answering in ``guild_id`` (None: a direct message), opened on first use.

        Blocks while this server's corpus is opened (and seeded): call it off the event loop.
        Only callers for the same server wait for each other; ``self._lock`` is never held
        while opening, so other servers, and ``is_open`` on the loop, go on meanwhile."""
        if not self.per_server or guild_id is None:
            return self.shared
        with self._lock:
            engine = self._cached(guild_id)
            if engine is not None:
                return engine
            opening = self._opening.setdefault(guild_id, threading.Lock())
        with opening:
            with self._lock:
                engine = self._cached(guild_id)  # opened by another thread while this one waited
            if engine is None:
                engine = self._open_server(guild_id)
                with self._lock:
                    self._open[guild_id] = engine
                    while len(self._open) > self.max_open:
                        self._open.popitem(last=False)
        with self._lock:
            self._opening.pop(guild_id, None)
        return engine

    def _cached(self, guild_id: int) -> Optional[Engine]:
        engine = self._open.get(guild_id)
        if engine is not None:
            self._open.move_to_end(guild_id)
        return engine

    def is_open(self, guild_id: Optional[int]) -> bool:
        with self._lock:
            return not self.per_server or guild_id is None or guild_id in self._open

    def _open_server(self, guild_id: int) -> Engine:
        settings = self.settings.model_copy(update={"collection": collection_for(self.settings, guild_id)})
        engine = Engine.open(settings, embedder=self.shared.embedder, chat=self.shared.chat)
        if self.settings.discord_seed_new_servers:
            status = engine.ensure_corpus()
            if status.action == "seeded":
                log.info("server %d: a new corpus, with the demo articles copied in", guild_id)
            elif status.message:
                log.warning("server %d: %s", guild_id, status.message)
        return engine

    async def prepare(self, guild_id: Optional[int], grace: float) -> bool:
        """Open the server's engine off the loop; False when it is still opening after ``grace``
        seconds (it goes on opening, and the next call finds it ready). A failure to open is
        logged and left for the command itself to meet and report."""
        if self.is_open(guild_id):
            return True
        assert guild_id is not None
        future = self._pending.get(guild_id)
        if future is None:
            future = self._pending[guild_id] = asyncio.ensure_future(asyncio.to_thread(self.engine_for, guild_id))
            future.add_done_callback(lambda done: self._finished(guild_id, done))
        done, _ = await asyncio.wait({future}, timeout=grace)
        return bool(done)

    def _finished(self, guild_id: int, future: asyncio.Future) -> None:
        self._pending.pop(guild_id, None)
        if not future.cancelled() and future.exception() is not None:
            log.warning("server %d: its corpus could not be opened: %s", guild_id, future.exception())


class EngineRouter:
    """What the cogs hold as their engine: each lookup goes to the current server's engine.

    Engine methods are looked up now (the server is read here, on the loop) and resolved to
    an engine when called (possibly in a worker thread, where opening may block). Questions
    through ``ask`` are reported to ``observe`` (the /metrics counters)."""

    def __init__(self, corpora: Corpora, observe: Optional[Observer] = None) -> None:
        self.corpora = corpora
        self.observe = observe

    def __getattr__(self, name: str) -> Any:
        guild_id = current_guild.get()
        if name == "ask":
            return functools.partial(self._ask, guild_id)
        if name in SETTINGS_ONLY:
            return getattr(self.corpora.shared, name)
        if callable(getattr(Engine, name, None)):
            return functools.partial(self._call, guild_id, name)
        return getattr(self.corpora.engine_for(guild_id), name)

    def _call(self, guild_id: Optional[int], name: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.corpora.engine_for(guild_id), name)(*args, **kwargs)

    def _ask(self, guild_id: Optional[int], question: str, *args: Any, **kwargs: Any) -> Answer:
        engine = self.corpora.engine_for(guild_id)
        started = time.perf_counter()
        try:
            answer = engine.ask(question, *args, **kwargs)
        except Exception:
            self._report(None, started, False)
            raise
        asked = kwargs.get("mode") or engine.settings.answer_mode
        # The engine falls back to an extractive answer when a generated one could not be used.
        fallback = asked == "generated" and answer.status == "answered" and answer.mode == "extractive"
        self._report(answer, started, fallback)
        return answer

    def _report(self, answer: Optional[Answer], started: float, fallback: bool) -> None:
        if self.observe is not None:
            self.observe(answer, time.perf_counter() - started, fallback)


class ServerTree(app_commands.CommandTree):
    """Runs each slash command in its server's context (``current_guild``) and, in per-server
    mode, with that server's corpus open first (off the loop)."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        current_guild.set(interaction.guild_id)  # the command runs next, in this same task
        corpora: Optional[Corpora] = getattr(self.client, "corpora", None)
        if corpora is None or await corpora.prepare(interaction.guild_id, OPENING_GRACE):
            return True
        await interaction.response.send_message(OPENING, ephemeral=True,
                                                allowed_mentions=discord.AllowedMentions.none())
        return False
