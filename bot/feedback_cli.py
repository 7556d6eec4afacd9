"""``dossier feedback``: what users marked as not helpful, and what the articles do not answer.

Reads the feedback database that the Discord bot and the REPL write (bot/feedback_store.py);
it needs neither the engine nor the store, so it starts at once and works while a bot runs.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from typing import Optional

from dossier.bot.feedback_store import NO_SERVER, DownVoted, FeedbackStore, ServerChoice, Unanswered
from dossier.index.settings import Settings

HELP = "report answers voted down and questions the articles do not answer"
DESCRIPTION = ("Report what the feedback buttons in Discord and the REPL's :good/:bad recorded: answers voted "
               "down, and questions answered `related` or `refused` (what the articles are missing), each "
               "question once however it was worded, the most frequent first. With a corpus per server, "
               "--server reports one server's.")
MAX_SERVER_ID = 2 ** 63 - 1  # Discord's ids are 64-bit and SQLite's integers signed
QUOTE_CHARS = 160  # a report line shows the start of each quote; --json has them whole


def since_date(text: str) -> datetime:
    """``--since``: a date (midnight UTC) or a date and time; a time without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2025-01-31") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def server_choice(text: str) -> ServerChoice:
    """``--server``: a Discord server's numeric id, or ``none`` for answers given outside any
    server (direct messages, the REPL)."""
    text = text.strip()
    if text.casefold() == NO_SERVER:
        return NO_SERVER
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= MAX_SERVER_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not a server id; give the server's numeric id "
                                         "(Discord: right-click the server, Copy Server ID) or `none`")
    return int(text)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("feedback", help=HELP, description=DESCRIPTION)
    parser.add_argument("--since", type=since_date, default=None, metavar="DATE",
                        help="only votes cast and questions asked on or after DATE (YYYY-MM-DD, UTC)")
    parser.add_argument("--server", type=server_choice, default=None, metavar="ID",
                        help="only answers given in the Discord server with this numeric id "
                             "(`none`: direct messages and the REPL)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, settings: Settings) -> int:
    store = FeedbackStore.at(settings)
    if not store.path.exists():  # reading would create it; an empty report says the same
        down, missing = [], []
    else:
        down, missing = store.voted_down(args.since, args.server), store.unanswered(args.since, args.server)
    print(report_json(down, missing, args.since, args.server) if args.json
          else report_plain(down, missing, args.since, args.server))
    return 0


def down_dict(group: DownVoted) -> dict:
    latest = group.latest
    return {"question": group.question, "down": group.down, "up": group.up, "answers": group.answers,
            "last_vote": group.last_vote,
            "latest_answer": {"id": latest.answer_id, "shown": latest.created, "source": latest.source,
                              "server_id": latest.server_id,
                              "answer": latest.answer, "mode": latest.mode, "status": latest.status,
                              "citations": [c.to_dict() for c in latest.citations]}}


def unanswered_dict(group: Unanswered) -> dict:
    return {"question": group.question, "asked": group.asked, "related": group.related,
            "refused": group.refused, "last_asked": group.last_asked, "server_ids": list(group.servers)}


def report_json(down: list[DownVoted], missing: list[Unanswered], since: Optional[datetime],
                server: ServerChoice = None) -> str:
    return json.dumps({"since": since.isoformat() if since else None, "server": server,
                       "voted_down": [down_dict(g) for g in down],
                       "unanswered": [unanswered_dict(g) for g in missing]}, ensure_ascii=False, indent=2)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _where(server: ServerChoice) -> str:
    if server is None:
        return ""
    return " outside any server" if server == NO_SERVER else f" in server {server}"


def report_plain(down: list[DownVoted], missing: list[Unanswered], since: Optional[datetime],
                 server: ServerChoice = None) -> str:
    after = _where(server) + (f" since {since.isoformat()}" if since else "")
    lines = [f"Answers voted down{after}: {len(down)} question{'' if len(down) == 1 else 's'}"]
    for group in down:
        latest = group.latest
        lines.append(f"  {_plural(group.down, 'down vote')}, {group.up} up  {group.question}")
        given = "" if latest.server_id is None else f", server {latest.server_id}"
        lines.append(f"      last answer ({latest.mode}, {latest.status}{given}): {' '.join(latest.answer.split())}")
        for citation in latest.citations:
            quote = " ".join(citation.quote.split())
            quote = quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS - 1] + "…"
            lines.append(f"      [{citation.n}] {citation.doc_id}: “{quote}”")
    lines.append("")
    lines.append(f"Not answered by the articles{after}: {len(missing)} question{'' if len(missing) == 1 else 's'}")
    for group in missing:
        how = ", ".join(f"{n} {status}" for n, status in ((group.related, "related"), (group.refused, "refused"))
                        if n)
        lines.append(f"  asked {_plural(group.asked, 'time')} ({how})  {group.question}")
    return "\n".join(lines)
