"""The Discord front end's commands: /ask, /sources, /about, /ingest, and answers to mentions.

Engine work (embedding, Chroma, an LLM call) blocks for tens of milliseconds to
seconds, so it never runs on the event loop: it goes to the cog's executor, one
worker thread, which also serialises engine calls (the engine refreshes shared
caches and is not documented as thread-safe; an ingest must not race an answer).
Slash commands defer first, because Discord drops an interaction that is not
acknowledged within three seconds. Everything sent uses ``AllowedMentions.none()``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
import tempfile
import time
from collections import OrderedDict, deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

import discord
from discord import app_commands
from discord.ext import commands

from dossier.bot import discord_render as render
from dossier.bot import feedback_views
from dossier.bot.guilds import uploads_folder
from dossier.index.conversation import Conversation
from dossier.index.engine import Engine
from dossier.index.errors import DossierError, QuestionError, StoreError
from dossier.index.models import Answer, IngestReport, SharedText
from dossier.index.settings import Settings

if TYPE_CHECKING:
    from dossier.bot.discord_bot import DossierBot

log = logging.getLogger("dossier.discord")
T = TypeVar("T")
NO_PINGS = discord.AllowedMentions.none()
MAX_THREADS = 500
UPLOADS_DIR = "discord-uploads"
TROUBLE = "Something went wrong on my side; please try again later."
EMPTY_STORE = "I have no articles yet; a server manager can add some with /ingest."
NOT_A_MANAGER = "Sorry, only members with the Manage Server permission can add articles."
ONE_SOURCE = "Give one article to add: a file or a url, not both."
Reply = Union[Answer, str]  # an answer, or one short sentence saying why there is none


class RateLimiter:
    """At most ``limit`` questions per user in any ``window`` seconds (a sliding window).

    The clock is injectable so tests need not sleep; users are kept in LRU order and the
    least recently seen are forgotten beyond ``max_users``, so memory stays bounded."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic,
                 max_users: int = 10_000) -> None:
        self.limit, self.window, self.clock, self.max_users = limit, window, clock, max_users
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()

    def retry_after(self, user_id: int) -> float:
        """0 and the question is counted, or the seconds until this user may ask again."""
        now = self.clock()
        stamps = self._seen.pop(user_id, deque())
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        self._seen[user_id] = stamps
        while len(self._seen) > self.max_users:
            self._seen.popitem(last=False)
        if len(stamps) >= self.limit:
            return stamps[0] + self.window - now
        stamps.append(now)
        return 0.0


class Conversations:
    """One Conversation per Discord thread, the ``size`` most recently used kept (LRU)."""

    def __init__(self, size: int = MAX_THREADS) -> None:
        self.size = size
        self._threads: OrderedDict[int, Conversation] = OrderedDict()

    def get(self, thread_id: int) -> Optional[Conversation]:
        conversation = self._threads.get(thread_id)
        if conversation is not None:
            self._threads.move_to_end(thread_id)
        return conversation

    def start(self, thread_id: int) -> Conversation:
        conversation = self._threads[thread_id] = Conversation()
        self._threads.move_to_end(thread_id)
        while len(self._threads) > self.size:
            self._threads.popitem(last=False)
        return conversation

    def __len__(self) -> int:
        return len(self._threads)


def sentence(error: Exception) -> str:
    """An engine error as a user-facing sentence, without the operator's setting names."""
    text = re.sub(r"\s*\((?:DOSSIER|OPENAI)_[A-Z_]+\)", "", str(error)).strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


class AskCog(commands.Cog, name="Dossier"):
    """Questions in, cited answers out; one conversation per thread for follow-ups."""

    def __init__(self, bot: "DossierBot", engine: Engine, settings: Settings,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.bot, self.engine, self.settings = bot, engine, settings
        self.limiter = RateLimiter(settings.discord_rate_limit, settings.discord_rate_window, clock)
        self.conversations = Conversations()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-engine")

    async def cog_unload(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking engine work in the worker thread, keeping the event loop free."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))

    # ---- the shared answering path ---------------------------------------------------------

    def gate(self, user_id: int, question: str) -> tuple[Optional[str], str]:
        """(why not, None when fine; the normalised question); cheap, so it runs on the loop."""
        try:
            question = self.engine.validate(question)
        except QuestionError as error:
            return sentence(error), question
        wait = self.limiter.retry_after(user_id)
        if wait > 0:
            return (f"You are asking quickly: {self.settings.discord_rate_limit} questions per "
                    f"{self.settings.discord_rate_window:g} seconds. Try again in {math.ceil(wait)} s."), question
        return None, question

    async def answer(self, question: str, conversation: Optional[Conversation] = None) -> Reply:
        """The engine's answer, or one sentence for the user (the details go to the log)."""
        try:
            return await self.run(self.engine.ask, question, conversation=conversation)
        except QuestionError as error:
            return sentence(error)
        except StoreError:
            log.warning("question asked while the store is empty or unavailable", exc_info=True)
            return EMPTY_STORE
        except Exception:
            log.exception("answering %r failed", question)
            return TROUBLE

    def rendered(self, reply: Reply, server_id: Optional[int] = None) -> list[dict[str, Any]]:
        """Keyword arguments for each message to send (embeds, or one short sentence); an
        answer is recorded (with its server, None in direct messages) and its last message
        carries the feedback buttons."""
        if isinstance(reply, str):
            return [{"content": render.short_message(reply)}]
        messages = [{"embeds": embeds} for embeds in render.answer_messages(reply)]
        return feedback_views.with_buttons(messages, reply, feedback_views.store_of(self.bot), server_id)

    # ---- slash commands --------------------------------------------------------------------

    @app_commands.command(name="ask", description="Answer a question from the articles, quoting them verbatim")
    @app_commands.describe(question="Your question about the articles")
    async def ask(self, interaction: discord.Interaction, question: str) -> None:
        problem, question = self.gate(interaction.user.id, question)
        if problem:
            await interaction.response.send_message(problem, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        await interaction.response.defer(thinking=True)
        for message in self.rendered(await self.answer(question), interaction.guild_id):
            await interaction.followup.send(**message, allowed_mentions=NO_PINGS)

    @app_commands.command(name="sources", description="List the articles I can answer from")
    async def sources(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        documents = await self.run(self.engine.sources)
        for embeds in render.sources_messages(documents, await self.shared_text()):
            await interaction.followup.send(embeds=embeds, allowed_mentions=NO_PINGS)

    async def shared_text(self) -> dict[str, tuple[SharedText, ...]]:
        """Which articles carry much of each other's text; without it the list is still worth
        sending, so a store that fails here costs those lines, not /sources."""
        try:
            return await self.run(self.engine.shared_text)
        except DossierError:
            log.warning("/sources without the shared-text lines", exc_info=True)
            return {}

    @app_commands.command(name="about", description="What I know, how I answer and how to read citations")
    async def about(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        documents = await self.run(self.engine.sources)
        embed = render.about_embed(len(documents), self.settings.answer_mode, self.settings.llm_configured)
        await interaction.followup.send(embed=embed, allowed_mentions=NO_PINGS)

    @app_commands.command(name="ingest",
                          description="Add or update an article from a file (.txt, .md) or a link; Manage Server only")
    @app_commands.describe(file="The article: a UTF-8 .txt or .md file; its name without extension is its id",
                           url="A link to a news article (http or https): its text is fetched and kept")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def ingest(self, interaction: discord.Interaction, file: Optional[discord.Attachment] = None,
                     url: Optional[str] = None) -> None:
        if not interaction.permissions.manage_guild:
            await interaction.response.send_message(NOT_A_MANAGER, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        if (file is None) == (url is None):
            await interaction.response.send_message(ONE_SOURCE, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        if url is not None:
            await self.ingest_link(interaction, url)
            return
        problem = self.engine.upload_problem(file.filename, file.size)
        if problem:
            report = IngestReport(skipped=((file.filename, problem),))
            await interaction.response.send_message(render.ingest_text(report), ephemeral=True,
                                                    allowed_mentions=NO_PINGS)
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        report = await self.ingest_attachment(file)
        await interaction.followup.send(render.ingest_text(report), ephemeral=True, allowed_mentions=NO_PINGS)

    async def ingest_link(self, interaction: discord.Interaction, url: str) -> None:
        """Fetching a page takes seconds: deferred first, and the fetch runs in the worker
        thread like every engine call (the engine refuses local addresses, see index/fetch.py)."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        report = await self.run(self.engine.ingest_links, [url.strip()])
        await interaction.followup.send(render.ingest_text(report), ephemeral=True, allowed_mentions=NO_PINGS)

    async def ingest_attachment(self, attachment: discord.Attachment) -> IngestReport:
        """Download into a staging dir next to the uploads (same file system, so the move is atomic).

        Uploads live in the data directory, not a temp dir: the store records each article's
        path, and ``dossier ingest --prune`` drops articles whose file is gone."""
        uploads = uploads_folder(self.settings, UPLOADS_DIR)
        uploads.mkdir(parents=True, exist_ok=True)
        name = Path(attachment.filename).name
        with tempfile.TemporaryDirectory(prefix=".staging-", dir=uploads) as staging:
            staged = Path(staging) / name
            await attachment.save(staged)
            return await self.run(self.engine.ingest_upload, staged, uploads / name)

    async def cog_app_command_error(self, interaction: discord.Interaction,
                                    error: app_commands.AppCommandError) -> None:
        """Any unexpected failure: the traceback to the log, one sentence to the user."""
        log.error("/%s failed", getattr(interaction.command, "name", "?"), exc_info=error)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(TROUBLE, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(TROUBLE, ephemeral=True, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not tell the user about the failure", exc_info=True)

    # ---- mentions and thread follow-ups ----------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A mention starts a thread; any message in one of those threads is a follow-up."""
        if message.author.bot or not self.settings.discord_answer_mentions or self.bot.user is None:
            return
        conversation = self.conversations.get(message.channel.id)
        if conversation is None and not self.mentions_me(message):
            return
        try:
            await self.handle(message, conversation)
        except Exception:
            log.exception("answering a message failed")
            await self.safely_send(message.channel, {"content": TROUBLE})

    def mentions_me(self, message: discord.Message) -> bool:
        """Mentioned directly, or through the bot's own role (Discord's autocomplete offers both);
        ``@everyone`` is not a question to the bot."""
        me = self.bot.user.id
        return (any(user.id == me for user in message.mentions)
                or any(role.tags is not None and role.tags.bot_id == me for role in message.role_mentions))

    def question_of(self, message: discord.Message) -> str:
        """The message text without the mentions of the bot."""
        ids = [self.bot.user.id] + [r.id for r in message.role_mentions if r.tags and r.tags.bot_id == self.bot.user.id]
        pattern = "|".join(rf"<@[!&]?{i}>" for i in ids)
        return " ".join(re.sub(pattern, " ", message.content).split())

    async def handle(self, message: discord.Message, conversation: Optional[Conversation]) -> None:
        question = self.question_of(message)
        if not question:
            if conversation is None:
                await self.safely_send(message.channel, {"content": "Ask me a question about the articles, "
                                                                    "e.g. “Who denied the claims at the UN?”"})
            return
        problem, question = self.gate(message.author.id, question)
        if problem:
            await self.safely_send(message.channel, {"content": problem})
            return
        if conversation is None:
            target, conversation = await self.open_thread(message, question)
        else:
            target = message.channel
        server_id = message.guild.id if message.guild is not None else None
        for kwargs in self.rendered(await self.answer(question, conversation), server_id):
            await self.safely_send(target, kwargs)

    async def open_thread(self, message: discord.Message,
                          question: str) -> tuple[discord.abc.Messageable, Optional[Conversation]]:
        """A new thread on the question, where follow-ups continue; in a thread already (or
        where threads cannot be made) the answer goes where the question was."""
        if isinstance(message.channel, discord.Thread):
            return message.channel, self.conversations.start(message.channel.id)
        if not isinstance(message.channel, discord.TextChannel):
            return message.channel, None
        try:
            thread = await message.create_thread(name=render.thread_name(question))
        except discord.HTTPException:
            log.warning("could not create a thread in #%s; answering in the channel", message.channel, exc_info=True)
            return message.channel, Conversation()
        return thread, self.conversations.start(thread.id)

    async def safely_send(self, target: discord.abc.Messageable, kwargs: dict[str, Any]) -> None:
        """Send with no pings; a failure to send is logged, never raised into discord.py."""
        try:
            await target.send(**kwargs, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("could not send a message to %s", target, exc_info=True)


async def setup(bot: "DossierBot") -> None:
    """Extension entry point: ``await bot.load_extension("dossier.bot.cogs.ask")``."""
    await bot.add_cog(AskCog(bot, bot.engine, bot.settings))
