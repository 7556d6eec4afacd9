"""The ``dossier`` command line: ingest, ask, sources.

Every user error ends as one line on stderr and a non-zero exit status; the
engine decides, this module only parses arguments and renders.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

EXIT_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dossier",
        description="Answers questions about a corpus of news articles, citing verbatim quotes.",
        epilog="Settings come from DOSSIER_* environment variables or a .env file; see .env.example.")
    parser.add_argument("--version", action="version", version="dossier 0.1.0")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    ingest = commands.add_parser("ingest", help="add or update articles (.txt, .md, web links, feeds) in the store",
                                 description="Add or update articles. Idempotent: unchanged files are skipped, "
                                             "changed files replace their chunks. A link's article is fetched and "
                                             "kept as a text file in the data directory.")
    ingest.add_argument("paths", nargs="*", metavar="PATH|URL",
                        help="files, directories or http(s) links to articles (default: the project's seeds/)")
    ingest.add_argument("--feed", action="append", default=[], metavar="URL",
                        help="an RSS or Atom feed: ingest the articles of its new and changed items (repeatable)")
    ingest.add_argument("--prune", action="store_true", help="remove documents whose files no longer exist")
    ingest.add_argument("--reset", action="store_true",
                        help="build a new store from PATHs beside the old one and swap it in only when the ingest "
                             "succeeded (needed after changing the embedding model; a damaged store's files are "
                             "moved aside, kept)")
    ingest.add_argument("--no-wait", action="store_true",
                        help="fail at once when another ingest is writing to the store, instead of waiting for it")
    ingest.add_argument("--json", action="store_true", help="print the counts as one JSON object")

    ask = commands.add_parser("ask", help="answer a question with cited quotes",
                              description="Answer a question from the ingested articles. Ingests seeds/ first "
                                          "when the store is empty.")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print exactly one JSON object")
    ask.add_argument("-k", "--top-k", type=int, default=None, metavar="N", help="chunks to retrieve (default 6)")
    ask.add_argument("--mode", choices=("extractive", "generated"), default=None,
                     help="answer mode (default: generated when an LLM is configured, else extractive)")

    doctor = commands.add_parser("doctor", help="check the store; --repair moves a damaged one aside",
                                 description="Check that the store opens and reads. With --repair, a damaged "
                                             "embedded store is moved aside (kept as chroma.damaged-<time>) so that "
                                             "the next ingest starts a new one.")
    doctor.add_argument("--repair", action="store_true", help="move a damaged store's files aside")

    sources = commands.add_parser("sources", help="list the ingested articles",
                                  description="List the ingested articles with their metadata.")
    sources.add_argument("--json", action="store_true", help="print a JSON array")

    repl = commands.add_parser("repl", help="ask questions interactively, with follow-ups",
                               description="An interactive session: follow-up questions are read in the context "
                                           "of the conversation, generated answers stream as they arrive. History "
                                           "is kept in the data directory (Ctrl-R searches it); :help lists the "
                                           "commands. Ingests seeds/ first when the store is empty.")
    repl.add_argument("-k", "--top-k", type=int, default=None, metavar="N",
                      help="chunks to retrieve per question (default 6; :k changes it)")
    repl.add_argument("--mode", choices=("extractive", "generated"), default=None,
                      help="answer mode (default: generated when an LLM is configured, else extractive)")
    repl.add_argument("--json", action="store_true", help="print each answer as one JSON object (:json toggles)")

    from dossier.bot.eval_cli import DESCRIPTION, HELP, add_eval_arguments

    add_eval_arguments(commands.add_parser("eval", help=HELP, description=DESCRIPTION))
    from dossier.bot import claims_cli, feedback_cli

    claims_cli.add_parser(commands)
    feedback_cli.add_parser(commands)

    discord = commands.add_parser("discord", help="run the Discord bot (needs DISCORD_TOKEN)",
                                  description="Run Dossier as a Discord bot: /ask, /sources, /about, /claims, /ingest and "
                                              "answers to mentions in threads. Reads DISCORD_TOKEN from the "
                                              "environment or .env; stops cleanly on Ctrl-C or SIGTERM. "
                                              "docs/discord.md says how to create the bot.")
    discord.add_argument("--sync", action="store_true",
                         help="publish the slash commands before running (after an upgrade changed them); "
                              "without it they are published only when none are")
    return parser


def _quiet_libraries() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("chromadb", "httpx", "llama_index", "openai", "bm25s"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _progress_factory(enabled: bool):
    """A rich progress bar on stderr for long ingests; a no-op when not on a terminal."""
    if not enabled:
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.console import Console

    progress = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        TextColumn("{task.description}"), console=Console(stderr=True), transient=True)
    task = progress.add_task("", total=None)

    def update(done: int, total: int, name: str) -> None:
        progress.start()  # a no-op once shown; `_ensure_corpus` shows nothing for a ready store
        progress.update(task, completed=done, total=total, description=name)
    return progress, update


def _ingest(engine, sources: list[str], prune: bool, wait: bool = True, feeds: Sequence[str] = ()):
    from dossier.index.models import IngestReport
    from dossier.index.settings import SEEDS_DIR

    def notify(message: str) -> None:
        print(f"dossier: {message}", file=sys.stderr, flush=True)

    links = [s for s in sources if engine.is_link(s)]
    paths = [Path(s) for s in sources if not engine.is_link(s)] or ([] if links or feeds else [SEEDS_DIR])
    progress, update = _progress_factory(sys.stderr.isatty())
    report = IngestReport()
    with progress if progress is not None else contextlib.nullcontext():
        if links or paths:
            report = engine.ingest_links(links, paths, prune=prune, progress=update, wait=wait, notify=notify)
        for feed in feeds:
            report = report.combined(engine.ingest_feed(feed, progress=update, wait=wait, notify=notify))
    return report


def _check_question_args(args: argparse.Namespace, settings) -> Optional[str]:
    """Refuse bad input to `ask` and `repl` before anything loads (as the REPL's :k and :mode
    would); returns the normalised question of `ask`."""
    if args.top_k is not None and not 1 <= args.top_k <= 50:
        raise ValueError("-k must be between 1 and 50")
    if args.command == "repl" and args.mode == "generated" and not settings.llm_configured:
        raise ValueError("--mode generated needs an LLM: set OPENAI_API_KEY or OPENAI_BASE_URL")
    if args.command == "ask":
        from dossier.index import check_question

        return check_question(args.question, settings)
    return None


def _ensure_corpus(engine) -> None:
    """The demo articles go into a store that never held any (the engine decides); its one-line
    status goes to stderr, so `ask --json` still prints exactly one object."""
    progress, update = _progress_factory(sys.stderr.isatty())
    try:
        status = engine.ensure_corpus(progress=update)
    finally:
        if progress is not None and progress.live.is_started:
            progress.stop()
    if status.message:
        print(status.message, file=sys.stderr)


def _repl(engine, settings, args: argparse.Namespace) -> int:
    """The interactive loop on the real terminal; bot/repl.py holds everything testable."""
    from rich.console import Console

    from dossier.bot.repl import Repl, build_session

    repl = Repl(engine, settings, Console(), build_session(settings), k=args.top_k, mode=args.mode,
                json_output=args.json)
    return repl.run()


def run(args: argparse.Namespace) -> int:
    from dossier.index.settings import Settings

    if args.command == "eval":
        from dossier.bot.eval_cli import run_eval_command

        return run_eval_command(args)  # builds its own isolated store
    settings = Settings()
    if args.command == "feedback":
        from dossier.bot import feedback_cli

        return feedback_cli.run(args, settings)  # reads the feedback database only: no engine
    if args.command == "claims":
        from dossier.bot import claims_cli

        return claims_cli.run(args, settings)
    question = None
    if args.command in ("ask", "repl"):
        question = _check_question_args(args, settings)
        # The store's indexes and the model load in background threads while the engine (and
        # llama-index with it) is imported below; docs/performance.md has the measured effect.
        from dossier.index import warm_start

        warm_start(settings)
    from dossier.bot import render
    from dossier.index.engine import Engine

    if args.command == "discord":
        from dossier.bot.discord_bot import run_discord

        return run_discord(settings, sync=args.sync)  # opens the engine itself, inside the bot's setup
    if args.command == "doctor":
        print(Engine.doctor(settings, repair=args.repair))
        return 0
    engine = Engine.open(settings, reset=args.command == "ingest" and args.reset)
    if args.command == "ingest":
        report = _ingest(engine, args.paths, args.prune, wait=not args.no_wait, feeds=args.feed)
        print(render.ingest_json(report) if args.json else render.ingest_summary(report))
        if report.skipped:  # the counts are printed either way; a script still learns it was partial
            print(f"dossier: error: {len(report.skipped)} path(s) could not be ingested (reasons above)",
                  file=sys.stderr)
            return EXIT_ERROR
        return 0
    if args.command == "repl":
        return _repl(engine, settings, args)
    if args.command == "sources":
        documents, shared = engine.sources(), engine.shared_text()
        print(render.sources_json(documents, shared) if args.json else render.sources_plain(documents, shared))
        return 0
    _ensure_corpus(engine)
    answer = engine.ask(question, k=args.top_k, mode=args.mode)
    if args.json:
        print(render.answer_json(answer))
    elif sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        for item in render.answer_rich(answer):
            console.print(item)
    else:
        print(render.answer_plain(answer))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_libraries()
    from dossier.index.errors import DossierError
    from pydantic import ValidationError

    try:
        return run(args)
    except DossierError as error:
        print(f"dossier: error: {error}", file=sys.stderr)
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        variable = field.upper() if field.upper().startswith(("OPENAI_", "DOSSIER_")) else f"DOSSIER_{field.upper()}"
        print(f"dossier: error: invalid setting {variable}: {first['msg']}", file=sys.stderr)
    except ValueError as error:
        print(f"dossier: error: {error}", file=sys.stderr)
    except OSError as error:  # the data directory or a file outside the engine's checks
        where = f": {error.filename}" if error.filename else ""
        print(f"dossier: error: {error.strerror or error}{where}", file=sys.stderr)
    except KeyboardInterrupt:
        print("dossier: interrupted", file=sys.stderr)
        return 130
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
