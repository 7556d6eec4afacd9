"""Claim groups as Discord embeds, one embed per group: pure functions (issue 14).

Each embed stays inside Discord's limits (discord_render's constants): the claim's wording
in the description, then a field per article carrying it, then a field per contradicting
claim. Fields are added while the embed's total stays under the limit; what no longer fits
is summed up in one last field ("… and 4 more articles"), so contradictions are never
dropped for a long list of carriers. Embeds go out in as few messages as ``pack`` allows.
"""

from __future__ import annotations

from typing import Optional, Sequence

import discord

from dossier.bot.discord_render import (EMBED_TOTAL_CHARS, FIELD_NAME_CHARS, FIELD_VALUE_CHARS, FIELDS_PER_EMBED,
                                        INFO_COLOUR, TITLE_CHARS, Messages, citation_name, neutralize, pack,
                                        shorten)
from dossier.index.models import ClaimGroup, Contradiction

CLAIM_COLOUR = discord.Colour.green()
DISPUTED_COLOUR = discord.Colour.red()
STATEMENT_CHARS = 1500  # the claim's wording; leaves most of the 6,000 for its sources
CARRIER_QUOTE_CHARS = 160  # a carrier's quote is the same statement: a glimpse is enough
AGAINST_CHARS = 700
FOOTER_CHARS = 200
ROOM_FOR_MORE = 120  # kept free for the "… and N more" field


def who(group: ClaimGroup) -> str:
    return ", ".join(group.speakers) if group.speakers else "the outlet itself"


def claims_messages(groups: Sequence[ClaimGroup], topic: Optional[str] = None) -> Messages:
    """What to send for ``/claims``: an embed per claim group, packed into messages."""
    if not groups:
        about = f" about “{topic}”" if topic else ""
        return [[discord.Embed(title="No claims", colour=INFO_COLOUR,
                               description=shorten(neutralize(f"The articles make no claims{about}."), 1000))]]
    embeds = [claim_embed(number, group, len(groups), topic) for number, group in enumerate(groups, start=1)]
    return pack(embeds)


def claim_embed(number: int, group: ClaimGroup, total: int, topic: Optional[str] = None) -> discord.Embed:
    title = shorten(neutralize(f"{number}. {who(group)} · {group.carriers}"), TITLE_CHARS)
    embed = discord.Embed(title=title, colour=DISPUTED_COLOUR if group.contradictions else CLAIM_COLOUR,
                          description=shorten(neutralize(group.statement), STATEMENT_CHARS))
    footer = shorten(neutralize(f"claim {number} of {total}" + (f" · about: {topic}" if topic else "")), FOOTER_CHARS)
    embed.set_footer(text=footer)
    carriers = [(citation_name(c.citation), f"“{shorten(neutralize(c.citation.quote), CARRIER_QUOTE_CHARS)}”")
                for c in group.claims]
    against = [_against_field(a) for a in group.contradictions]
    room_for_against = sum(len(n) + len(v) for n, v in against)
    _add_fields(embed, carriers, "article", reserve=room_for_against + ROOM_FOR_MORE)
    _add_fields(embed, against, "contradicting claim", reserve=0)
    return embed


def _against_field(against: Contradiction) -> tuple[str, str]:
    other = against.group
    name = shorten(neutralize(f"✗ Contradicted by {who(other)} ({other.carriers})"), FIELD_NAME_CHARS)
    marks = " ".join(f"[{c.citation.n}] {c.citation.title}" for c in other.claims)
    value = f"{shorten(neutralize(other.statement), AGAINST_CHARS)}\n— {neutralize(marks)}"
    return name, shorten(value, FIELD_VALUE_CHARS)


def _add_fields(embed: discord.Embed, fields: list[tuple[str, str]], noun: str, reserve: int) -> None:
    """Add fields while they fit (count and total), then one field saying how many did not."""
    for index, (name, value) in enumerate(fields):
        fits = len(embed.fields) < FIELDS_PER_EMBED - 1 and \
            len(embed) + len(name) + len(value) + reserve <= EMBED_TOTAL_CHARS - ROOM_FOR_MORE
        if not fits:
            left = len(fields) - index
            embed.add_field(name=f"… and {left} more {noun}{'s' if left != 1 else ''}",
                            value="Use `dossier claims` for the full list.", inline=False)
            return
        embed.add_field(name=name, value=value, inline=False)
