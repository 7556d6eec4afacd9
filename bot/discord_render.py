"""Answers, sources and ingest reports as Discord embeds and messages: pure functions.

Discord rejects a message that breaks any of its limits, so every function here
returns values that fit them (see the constants). Long text is shortened at a
line, sentence or word boundary with "…"; a citation is never split across
fields or embeds: when an embed is full, the next citation starts a new one, and
since the 6,000-character total counts every embed of a message, a full embed
travels in a message of its own. Text that could ping (``@everyone``, ``@here``,
``<@id>``, ``<@&id>``) gets a zero-width space after the ``@``; sending with
``AllowedMentions.none()`` is what actually guarantees that nobody is pinged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import discord

from dossier.bot.render import RELATED_TITLE, related_parts, shared_lines
from dossier.index.models import Answer, Citation, DocumentMeta, IngestReport, SharedText

MESSAGE_CHARS = 2000
TITLE_CHARS = 256
DESCRIPTION_CHARS = 4096
FIELD_NAME_CHARS = 256
FIELD_VALUE_CHARS = 1024
MAX_LINK_CHARS = 300  # a citation's link (article from a URL) is shown under its quote when it is no longer
FIELDS_PER_EMBED = 25
FOOTER_CHARS = 2048
EMBED_TOTAL_CHARS = 6000  # summed over all embeds of one message
EMBEDS_PER_MESSAGE = 10
THREAD_NAME_CHARS = 100

# Kept well under FOOTER_CHARS so title + description + footer always fit in 6,000.
FOOTER_BUDGET = 1024
ANSWER_COLOUR = discord.Colour.green()
REFUSAL_COLOUR = discord.Colour.orange()
RELATED_COLOUR = discord.Colour.dark_gold()  # neither an answer (green) nor a refusal (orange)
INFO_COLOUR = discord.Colour.blurple()
ELLIPSIS = "…"
ZWSP = "\u200b"

_PING = re.compile(r"@(?=everyone\b|here\b)|(?<=<)@")
_LINE_END = re.compile(r"\n")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s)")
_SPACE = re.compile(r"\s")

Messages = list[list[discord.Embed]]


def neutralize(text: str) -> str:
    """Break every mention-like token with a zero-width space so it cannot ping."""
    return _PING.sub("@" + ZWSP, text)


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits, else cut at the last line, sentence or word boundary, plus "…".

    A boundary is only used when it keeps at least half of the room; otherwise the next
    kind is tried, and as a last resort the text is cut mid-word."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    window = text[:room + 1]  # one more: a boundary right at the limit still counts
    for pattern in (_LINE_END, _SENTENCE_END, _SPACE):
        ends = [m.end() if pattern is _SENTENCE_END else m.start() for m in pattern.finditer(window)]
        ends = [e for e in ends if room // 2 <= e <= room]
        if ends:
            return text[:ends[-1]].rstrip() + ELLIPSIS
    return text[:room] + ELLIPSIS


def short_message(text: str) -> str:
    """A plain message that fits Discord's 2,000 characters and pings nobody."""
    return shorten(neutralize(text), MESSAGE_CHARS)


def split_message(text: str, limit: int = MESSAGE_CHARS) -> list[str]:
    """``text`` as consecutive messages of at most ``limit`` characters, split between lines."""
    chunks: list[str] = []
    current = ""
    for line in neutralize(text).split("\n"):
        line = shorten(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    chunks.append(current)
    return chunks


# ---- answers -----------------------------------------------------------------------------------

def citation_name(citation: Citation) -> str:
    """``[n] title — outlet, date``; a long title is shortened, never the ``[n]`` header."""
    header = f"[{citation.n}] "
    tail = neutralize(" — " + ", ".join(x for x in (citation.outlet, citation.date or "undated") if x))
    title = neutralize(citation.title)
    room = FIELD_NAME_CHARS - len(header) - len(tail)
    if room >= 40:
        return header + shorten(title, room) + tail
    return header + shorten(title + tail, FIELD_NAME_CHARS - len(header))


def citation_value(citation: Citation) -> str:
    """The verbatim quote in quotation marks, shortened at a sentence or word boundary; then the
    article's link, when it was fetched from one."""
    link = f"\n{citation.url}" if citation.url and len(citation.url) <= MAX_LINK_CHARS else ""
    return f"“{shorten(neutralize(citation.quote), FIELD_VALUE_CHARS - 2 - len(link))}”{link}"


def answer_footer(answer: Answer) -> str:
    """The answer mode, how a follow-up was read, and any notice (e.g. an LLM fallback)."""
    parts = [f"{answer.mode} answer"]
    if answer.resolved:
        parts.append(f"read as: {answer.resolved}")
    if answer.notice:
        parts.append(answer.notice)
    return shorten(neutralize(" · ".join(parts)), FOOTER_BUDGET)


def answer_embeds(answer: Answer) -> list[discord.Embed]:
    """The answer embed, then continuation embeds for citations that did not fit in it."""
    footer = answer_footer(answer)
    if answer.refused:
        embed = discord.Embed(title="Not in the articles", colour=REFUSAL_COLOUR,
                              description=shorten(neutralize(answer.answer), DESCRIPTION_CHARS))
        return [embed.set_footer(text=footer)]
    if answer.status == "related":
        head = related_embed(answer)
    else:
        head = discord.Embed(title=shorten(neutralize(answer.question), TITLE_CHARS), colour=ANSWER_COLOUR,
                             description=shorten(neutralize(answer.answer), DESCRIPTION_CHARS))
    embeds = [head]
    for citation in answer.citations:
        name, value = citation_name(citation), citation_value(citation)
        current = embeds[-1]
        size = len(current) + len(name) + len(value) + len(footer)
        if len(current.fields) >= FIELDS_PER_EMBED or size > EMBED_TOTAL_CHARS:
            current = discord.Embed(title="Sources (continued)", colour=head.colour)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    embeds[-1].set_footer(text=footer)
    return embeds


def related_embed(answer: Answer) -> discord.Embed:
    """A "related" answer: titled as not stated, the lead in bold, the closest statements
    quoted under it so that they never read as the answer."""
    lead, statements = related_parts(answer)
    quoted = "\n".join(f"> {line}" for line in neutralize(statements).split("\n") if line)
    description = f"**{lead}**\n{quoted}"
    return discord.Embed(title=shorten(neutralize(f"{RELATED_TITLE}: {answer.question}"), TITLE_CHARS),
                         colour=RELATED_COLOUR, description=shorten(description, DESCRIPTION_CHARS))


def pack(embeds: Sequence[discord.Embed]) -> Messages:
    """Group embeds into messages within 10 embeds and 6,000 characters each, keeping order."""
    messages: Messages = []
    for embed in embeds:
        last = messages[-1] if messages else None
        if last and len(last) < EMBEDS_PER_MESSAGE and sum(map(len, last)) + len(embed) <= EMBED_TOTAL_CHARS:
            last.append(embed)
        else:
            messages.append([embed])
    return messages


def answer_messages(answer: Answer) -> Messages:
    """What to send for an answer: one message in the usual case, more for many long quotes."""
    return pack(answer_embeds(answer))


# ---- sources, about, ingest ----------------------------------------------------------------------

SOURCE_ROW_CHARS = 400
# An article's row and the lines of the articles that carry its text, together: a wire story
# copied by dozens of outlets ends in "and N more", so one article never fills the list.
SOURCE_ENTRY_CHARS = 1000
SHARED_LINE_CHARS = 200
MORE_RESERVE = 40  # room kept for the "↳ and N more articles" line


def source_row(document: DocumentMeta, shared: Sequence[SharedText] = ()) -> str:
    """Title, outlet and date; then a "↳ shares 62 % of its text with …" line per article that
    carries much of its text (issue 14), the largest share first."""
    who = document.outlet or document.byline or "unknown outlet"
    title = discord.utils.escape_markdown(document.title)
    row = shorten(neutralize(f"**{title}** — {who}, {document.date or 'undated'}"), SOURCE_ROW_CHARS)
    lines = [shorten(neutralize(f"↳ {discord.utils.escape_markdown(line)}"), SHARED_LINE_CHARS)
             for line in shared_lines(shared)]
    kept: list[str] = []
    used = len(row)
    for line in lines:
        if used + 1 + len(line) + MORE_RESERVE > SOURCE_ENTRY_CHARS:
            left = len(lines) - len(kept)
            kept.append(f"↳ and {left} more article{'s' if left != 1 else ''}")
            break
        kept.append(line)
        used += 1 + len(line)
    return "\n".join([row, *kept])


def sources_messages(documents: Iterable[DocumentMeta],
                     shared: Mapping[str, Sequence[SharedText]] = {}) -> Messages:
    """Title, outlet and date of every article (and which articles carry much of its text),
    as many embeds as the list needs."""
    rows = [source_row(d, shared.get(d.doc_id, ())) for d in documents]
    if not rows:
        return [[discord.Embed(title="Sources", colour=INFO_COLOUR,
                               description="No articles yet; a server manager can add some with /ingest.")]]
    pages: list[str] = []
    for row in rows:
        if pages and len(pages[-1]) + 1 + len(row) <= DESCRIPTION_CHARS:
            pages[-1] += "\n" + row
        else:
            pages.append(row)
    title = f"Sources ({len(rows)} article{'s' if len(rows) != 1 else ''})"
    embeds = [discord.Embed(title=title if i == 0 else f"{title}, continued", colour=INFO_COLOUR, description=page)
              for i, page in enumerate(pages)]
    return pack(embeds)


def about_embed(documents: int, mode: str, llm_configured: bool) -> discord.Embed:
    """What the bot knows, how it answers and how to read its citations."""
    how = ("sentences quoted from the articles, chosen to answer the question" if mode == "extractive" else
           "written by a language model from the articles, then checked: sentences the quotes do not "
           "support are removed, and if the model fails you get an extractive answer instead")
    embed = discord.Embed(title="About Dossier", colour=INFO_COLOUR, description=(
        f"I answer questions about **{documents}** news article{'s' if documents != 1 else ''} and nothing "
        "else: when the articles do not answer a question, I say so instead of guessing."))
    embed.add_field(name=f"Answer mode: {mode}", value=how[0].upper() + how[1:] + ".", inline=False)
    embed.add_field(name="Reading citations", inline=False, value=(
        "Each [n] in an answer points to the source field [n] below it: the article's title, outlet and date, "
        "then the exact words quoted from it. Quotes are verbatim, so you can find them in the article."))
    embed.add_field(name="Commands", inline=False, value=(
        "/ask — a question · /sources — the articles · /claims — who claims what about a topic, and who "
        "contradicts it · mention me with a question to start a thread where follow-ups keep the context · "
        "/ingest — add an article from a file or a link (Manage Server)"))
    if mode == "extractive" and llm_configured:
        embed.set_footer(text="An LLM is configured, but extractive mode was chosen.")
    return embed


def ingest_text(report: IngestReport) -> str:
    """Counts, then one line per article, named by file name (the upload's temp path means nothing)."""
    counts = (f"Added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
              f"skipped {len(report.skipped)}.")
    lines = [counts]
    lines += [f"added: {d}" for d in report.added]
    lines += [f"updated: {d}" for d in report.updated]
    lines += [f"unchanged (already up to date): {d}" for d in report.unchanged]
    lines += [f"skipped {_skipped_name(path)}: {reason}" for path, reason in report.skipped]
    return short_message("\n".join(lines))


def _skipped_name(source: str) -> str:
    """A link as it was given, in <> so that Discord shows no preview of it; a file by its name."""
    return f"<{source}>" if "://" in source else Path(source).name


def thread_name(question: str) -> str:
    """A thread title from the question (Discord allows 100 characters)."""
    return shorten(neutralize(" ".join(question.split())), THREAD_NAME_CHARS) or "Question"


def messages_text(messages: Messages) -> str:
    """All visible text of rendered messages, for logs and tests."""
    parts: list[str] = []
    for message in messages:
        for embed in message:
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{f.name}\n{f.value}" for f in embed.fields]
            parts.append(embed.footer.text or "")
    return "\n".join(p for p in parts if p)
