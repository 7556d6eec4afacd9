"""``dossier claims [TOPIC]``: who claims what about a topic, how many outlets carry it, and
which claims contradict it (issue 14). The engine decides; this module parses and renders."""

from __future__ import annotations

import argparse
import sys

HELP = "who claims what about a topic, how widely it is carried, and who contradicts it"
DESCRIPTION = ("The claims the articles make about TOPIC (retrieved as a question is), each once: who makes it, "
               "the articles carrying it with a verbatim quote each, how many outlets and distinct wire stories "
               "that is, and the claims that contradict it. Without TOPIC, the disputed and most widely carried "
               "claims. Ingests seeds/ first when the store is empty.")


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser("claims", help=HELP, description=DESCRIPTION)
    parser.add_argument("topic", nargs="?", default=None, metavar="TOPIC",
                        help="what the claims are about, e.g. \"arms shipments\" (default: the whole corpus)")
    parser.add_argument("-k", "--top-k", type=int, default=None, metavar="N",
                        help="claim groups to show, 1-50 (default 8)")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    return parser


def run(args: argparse.Namespace, settings) -> int:
    if args.top_k is not None and not 1 <= args.top_k <= 50:
        raise ValueError("-k must be between 1 and 50")
    topic = args.topic
    if topic is not None:
        from dossier.index import check_question

        topic = check_question(topic, settings)  # a bad topic fails before anything loads
    from dossier.bot import claims_render
    from dossier.index.engine import Engine

    engine = Engine.open(settings)
    status = engine.ensure_corpus()
    if status.message:
        print(status.message, file=sys.stderr)
    groups = engine.claims(topic, k=args.top_k)
    if args.json:
        print(claims_render.claims_json(groups, topic))
    elif sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        for item in claims_render.claims_rich(groups, topic):
            console.print(item)
    else:
        print(claims_render.claims_plain(groups, topic))
    return 0
