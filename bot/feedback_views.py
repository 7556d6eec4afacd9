"""The buttons under every answer in Discord: helpful, not helpful, and show sources.

They must work on an answer sent before the bot last restarted, when nothing of the view
that sent them is left in memory. So each button is a ``DynamicItem``: its ``custom_id``
carries the action and the answer's id (``dossier:vote:up:<id>``, ``dossier:sources:<id>``),
the classes are registered once in ``setup_hook`` (``register``), and discord.py rebuilds
the button from any click whose ``custom_id`` matches, whichever process sent the message.
The answer itself (its text, citations, mode, status) is read back from the feedback store
(bot/feedback_store.py), where it was recorded when it was shown.

Every reply to a click is ephemeral: a vote or the sources are nobody else's business.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Optional, Sequence

import discord

from dossier.bot import discord_render as render
from dossier.bot.feedback_store import FeedbackError, FeedbackStore, Vote, vote_text
from dossier.index.models import Answer, Citation

log = logging.getLogger("dossier.discord")
NO_PINGS = discord.AllowedMentions.none()
ANSWER_ID = r"(?P<answer_id>[0-9a-f]{32})"
SOURCE = "discord"
LABELS: dict[Vote, tuple[str, str]] = {"up": ("Helpful", "\N{THUMBS UP SIGN}"),
                                       "down": ("Not helpful", "\N{THUMBS DOWN SIGN}")}
FORGOTTEN = "I no longer have a record of this answer; ask the question again."
UNAVAILABLE = "Feedback cannot be recorded right now; the answers themselves are not affected."
NO_SOURCES = "This answer quotes no articles."


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"dossier:vote:(?P<vote>up|down):{ANSWER_ID}"):
    """Helpful / not helpful: one vote per user per answer; clicking the other one changes it."""

    def __init__(self, vote: Vote, answer_id: str) -> None:
        label, emoji = LABELS[vote]
        super().__init__(discord.ui.Button(label=label, emoji=emoji, style=discord.ButtonStyle.secondary,
                                           custom_id=f"dossier:vote:{vote}:{answer_id}"))
        self.vote: Vote = vote
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> "VoteButton":
        return cls(match["vote"], match["answer_id"])  # type: ignore[arg-type]  # the template allows no other

    async def callback(self, interaction: discord.Interaction) -> None:
        store = store_of(interaction.client)
        try:
            result = None if store is None else store.vote(self.answer_id, str(interaction.user.id), self.vote)
            text = FORGOTTEN if result is None else vote_text(result)
        except FeedbackError as error:
            log.warning("a vote was not recorded: %s", error)
            text = UNAVAILABLE
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"dossier:sources:{ANSWER_ID}"):
    """The answer's quotes, each in full (as far as Discord allows) under its source, privately."""

    def __init__(self, answer_id: str) -> None:
        super().__init__(discord.ui.Button(label="Show sources", emoji="\N{OPEN BOOK}",
                                           style=discord.ButtonStyle.secondary,
                                           custom_id=f"dossier:sources:{answer_id}"))
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str], /) -> "SourcesButton":
        return cls(match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        store = store_of(interaction.client)
        try:
            recorded = None if store is None else store.answer(self.answer_id)
        except FeedbackError as error:
            log.warning("sources could not be read back: %s", error)
            messages: list[dict[str, Any]] = [{"content": UNAVAILABLE}]
        else:
            messages = ([{"content": FORGOTTEN}] if recorded is None
                        else [{"embeds": embeds} for embeds in sources_messages(recorded.citations)])
        await interaction.response.send_message(**messages[0], ephemeral=True, allowed_mentions=NO_PINGS)
        for message in messages[1:]:
            await interaction.followup.send(**message, ephemeral=True, allowed_mentions=NO_PINGS)


def register(bot: discord.Client) -> None:
    """Listen for the buttons of every answer ever sent (call from ``setup_hook``)."""
    bot.add_dynamic_items(VoteButton, SourcesButton)


def store_of(client: discord.Client) -> Optional[FeedbackStore]:
    return getattr(client, "feedback", None)


def buttons(answer_id: str, with_sources: bool = True) -> discord.ui.View:
    """The view under an answer; ``timeout=None`` and fixed custom_ids make it persistent."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", answer_id))
    view.add_item(VoteButton("down", answer_id))
    if with_sources:
        view.add_item(SourcesButton(answer_id))
    return view


def with_buttons(messages: list[dict[str, Any]], answer: Answer, store: Optional[FeedbackStore],
                 server_id: Optional[int] = None) -> list[dict[str, Any]]:
    """The messages of an answer, the last one carrying the buttons, once the answer is recorded
    (with the server it is given in; None in direct messages).

    A feedback database that cannot be written costs the buttons, never the answer."""
    if store is None or not messages:
        return messages
    try:
        answer_id = store.record(answer, SOURCE, server_id)
    except FeedbackError as error:
        log.warning("answer shown without feedback buttons: %s", error)
        return messages
    return [*messages[:-1], {**messages[-1], "view": buttons(answer_id, with_sources=bool(answer.citations))}]


# ---- "show sources": pure rendering ------------------------------------------------------------

def source_embed(citation: Citation) -> discord.Embed:
    """One source: its heading as in the answer, the whole quote as the description (4,096
    characters, where a field under the answer has 1,024), so a long quote is seen in full."""
    quote = render.shorten(render.neutralize(citation.quote), render.DESCRIPTION_CHARS - 2)
    return discord.Embed(title=render.citation_name(citation), description=f"“{quote}”",
                         colour=render.INFO_COLOUR)


def sources_messages(citations: Sequence[Citation]) -> render.Messages:
    """The quotes of an answer as embeds packed into messages within Discord's limits."""
    if not citations:
        return [[discord.Embed(title="Sources", description=NO_SOURCES, colour=render.INFO_COLOUR)]]
    return render.pack([source_embed(c) for c in citations])
