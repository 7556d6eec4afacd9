"""``/claims topic:``: who claims what about a topic, and who contradicts it (issue 14).

Engine work goes through the /ask cog's worker thread when that cog is loaded (one thread
serialises every engine call, see cogs/ask.py) and its per-user rate limit counts these
requests too; on its own the cog keeps a one-thread executor of its own. It defers first,
as /ask does, and sends with no pings.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

import discord
from discord import app_commands
from discord.ext import commands

from dossier.bot import discord_claims
from dossier.bot.cogs.ask import EMPTY_STORE, TROUBLE
from dossier.bot.discord_render import short_message
from dossier.index.engine import Engine
from dossier.index.errors import QuestionError, StoreError
from dossier.index.models import ClaimGroup
from dossier.index.settings import Settings

if TYPE_CHECKING:
    from dossier.bot.cogs.ask import AskCog
    from dossier.bot.discord_bot import DossierBot

log = logging.getLogger("dossier.discord")
T = TypeVar("T")
NO_PINGS = discord.AllowedMentions.none()


class ClaimsCog(commands.Cog, name="Claims"):
    def __init__(self, bot: "DossierBot", engine: Engine, settings: Settings,
                 host: Optional["AskCog"] = None) -> None:
        self.bot, self.engine, self.settings, self.host = bot, engine, settings, host
        self._executor: Optional[ThreadPoolExecutor] = None

    async def cog_unload(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.host is not None:
            return await self.host.run(function, *args, **kwargs)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-claims")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))

    def gate(self, user_id: int, topic: Optional[str]) -> tuple[Optional[str], Optional[str]]:
        """(why not, None when fine; the normalised topic): /ask's checks and rate limit."""
        if self.host is not None and topic is not None:
            return self.host.gate(user_id, topic)
        if self.host is not None:
            problem, _ = self.host.gate(user_id, "claims")  # no topic: only the rate limit applies
            return problem, None
        try:
            return None, self.engine.validate(topic) if topic is not None else None
        except QuestionError as error:
            return str(error), topic

    async def claims_of(self, topic: Optional[str]) -> Union[tuple[ClaimGroup, ...], str]:
        try:
            return await self.run(self.engine.claims, topic)
        except QuestionError as error:
            return str(error)
        except StoreError:
            log.warning("claims asked for while the store is empty or unavailable", exc_info=True)
            return EMPTY_STORE
        except Exception:
            log.exception("claims about %r failed", topic)
            return TROUBLE

    @app_commands.command(name="claims", description="Who claims what about a topic, and who contradicts it")
    @app_commands.describe(topic="What the claims are about (leave empty for the most disputed claims)")
    async def claims(self, interaction: discord.Interaction, topic: Optional[str] = None) -> None:
        problem, topic = self.gate(interaction.user.id, topic)
        if problem:
            await interaction.response.send_message(short_message(problem), ephemeral=True,
                                                    allowed_mentions=NO_PINGS)
            return
        await interaction.response.defer(thinking=True)
        found = await self.claims_of(topic)
        if isinstance(found, str):
            await interaction.followup.send(short_message(found), allowed_mentions=NO_PINGS)
            return
        for embeds in discord_claims.claims_messages(found, topic):
            await interaction.followup.send(embeds=embeds, allowed_mentions=NO_PINGS)


async def setup(bot: "DossierBot") -> None:
    """Extension entry point, loaded after the /ask cog, whose worker and rate limit it shares."""
    await bot.add_cog(ClaimsCog(bot, bot.engine, bot.settings, host=bot.get_cog("Dossier")))
