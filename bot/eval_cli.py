"""``dossier eval``: the arguments and the command, kept apart so bot/cli.py hooks them in one line.

    eval_parser = commands.add_parser("eval", help=..., description=...)
    add_eval_arguments(eval_parser)
    ...
    if args.command == "eval": return run_eval_command(args)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional

from dossier.index.eval.configs import CONFIG_NAMES
from dossier.index.eval.sets import DEFAULT_SET

HELP = "compare configurations on the evaluation questions"
DESCRIPTION = ("Answer every question of a JSONL question file with each configuration, on a temporary store "
               "built from a folder of articles (seeds/ unless --corpus or --set says otherwise), and print "
               "retrieval, answer, citation, abstention and latency metrics side by side. Tune on the dev "
               "sets, report the heldout ones (docs/eval.md: how to run, metric definitions).")


def add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``dossier eval`` (every one with help text, as the rest of the CLI)."""
    parser.add_argument("--set", dest="question_set", default=None, metavar="NAME",
                        help=f"a question set shipped in eval/, with its corpus, as STORY/dev or STORY/heldout: "
                             f"seeds/heldout, baltimore-bridge/dev... (default: {DEFAULT_SET})")
    parser.add_argument("--questions", type=Path, default=None, metavar="FILE",
                        help=f"JSONL question file (default: eval/{DEFAULT_SET}.jsonl); its sources are "
                             "document ids (file names without .txt) of the corpus")
    parser.add_argument("--corpus", type=Path, default=None, metavar="DIR",
                        help="folder of articles to build the temporary store from (default: seeds/); "
                             "needs --questions written for it")
    parser.add_argument("--configs", default=None, metavar="NAME,...",
                        help=f"comma-separated configurations to run (default: all of {', '.join(CONFIG_NAMES)})")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT",
                        help="also write the metrics and every answer (as `ask --json` prints it) to OUT")
    parser.add_argument("--report", type=Path, default=None, metavar="DIR",
                        help="also write DIR/report.md with a bar chart DIR/metrics.png")
    parser.add_argument("--failures", type=int, default=None, metavar="N",
                        help="failing questions listed per configuration on the terminal (default 10, or 0 for "
                             "a heldout question set, whose failures are not to be read while tuning; 0: none)")
    parser.add_argument("--benchmarks", choices=("dev", "all"), default=None,
                        help="splits of the judge, attribution and stance benchmarks to print: dev, or all "
                             "(dev and heldout); default all for a heldout question set, else dev, so that "
                             "tuning on dev never shows held-out figures")


def run_eval_command(args: argparse.Namespace, embedder=None) -> int:
    """Run ``dossier eval``; a user error is one line on stderr and exit status 1.

    ``embedder`` lets tests reuse a loaded model; the command line never passes it."""
    from dossier.index.errors import DossierError

    try:
        return _run(args, embedder)
    except DossierError as error:
        print(f"dossier: error: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace, embedder) -> int:
    from rich.console import Console

    from dossier.bot import eval_report
    from dossier.index.eval.attribution import report as attribution_report
    from dossier.index.eval.configs import parse_names
    from dossier.index.eval.faithful import report as faithful_report
    from dossier.index.eval.questions import load_questions
    from dossier.index.eval.runner import run_eval
    from dossier.index.eval.stance import report_for as stance_report
    from dossier.index.settings import Settings

    path, corpus = inputs(args)
    questions = load_questions(path)  # before anything slow: a bad file fails at once
    names = parse_names(args.configs)
    settings = Settings()
    with _progress(len(questions) * len(names)) as update:
        result = run_eval(questions, names, settings, path, embedder=embedder, progress=update, corpus=corpus)
    console = Console()
    if not console.is_terminal:
        console = Console(width=240)  # the whole metrics table on one line when piped
    limit = failure_limit(args)
    for item in eval_report.terminal(result, limit):
        console.print(item)
    if limit == 0 and args.failures is None:
        console.print("held-out questions: failing ones are not listed (--failures N lists them)")
    splits = benchmark_splits(args)
    for line in attribution_report(splits):  # who-said-what, on its hand-labelled sentences (not the questions)
        console.print(line)
    for line in faithful_report(embedder, splits):  # the support judge, on its hand-labelled sentence pairs
        console.print(line)
    for line in stance_report(settings, embedder, splits):  # contradictions, on hand-labelled sentence pairs
        console.print(line)
    _write(args.json, lambda: eval_report.write_json(result, args.json))
    _write(args.report, lambda: eval_report.write_report(result, args.report))
    return 0


def failure_limit(args: argparse.Namespace) -> int:
    """How many failing questions to list: as asked, else none for a held-out set (reading its
    failures would spend it) and ten otherwise."""
    if args.failures is not None:
        return max(args.failures, 0)
    return 0 if _heldout(args) else DEFAULT_FAILURES


DEFAULT_FAILURES = 10


def _heldout(args: argparse.Namespace) -> bool:
    return args.question_set is not None and args.question_set.endswith("/heldout")


def benchmark_splits(args: argparse.Namespace) -> tuple[str, ...]:
    """The benchmark splits to print: held-out figures only when asked for (``--benchmarks all``)
    or when the questions themselves are a held-out set."""
    if args.benchmarks is not None:
        return ("dev", "heldout") if args.benchmarks == "all" else ("dev",)
    return ("dev", "heldout") if _heldout(args) else ("dev",)


def inputs(args: argparse.Namespace) -> tuple[Path, Path]:
    """The question file and the corpus folder the options name; a mismatch is a one-line error.

    Questions cite documents by id, so a corpus without its own questions (or a shipped set with
    another corpus) could only fail later, after the store is built."""
    from dossier.index.errors import DossierError
    from dossier.index.eval.sets import find_set
    from dossier.index.settings import SEEDS_DIR

    if args.question_set is not None:
        if args.questions is not None or args.corpus is not None:
            raise DossierError("--set names both the questions and the corpus; drop --questions/--corpus")
        chosen = find_set(args.question_set)
        return chosen.questions, chosen.corpus
    if args.corpus is not None and args.questions is None:
        raise DossierError(f"--corpus {args.corpus} needs --questions FILE written for its articles")
    corpus = args.corpus if args.corpus is not None else SEEDS_DIR
    if not corpus.is_dir():
        raise DossierError(f"corpus folder {corpus} does not exist or is not a folder")
    return args.questions or find_set(DEFAULT_SET).questions, corpus


def _write(target: Optional[Path], write) -> None:
    """Write one output file; a failure is a one-line error naming it."""
    from dossier.index.errors import DossierError

    if target is None:
        return
    try:
        written = write()
    except OSError as exc:
        raise DossierError(f"cannot write {target}: {exc.strerror or exc.__class__.__name__}") from None
    print(f"wrote {written}", file=sys.stderr)


class _progress:
    """A rich progress bar on stderr, advanced once per answered question."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description:<18}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task("building the store", total=total)
        self.seen: dict[str, int] = {}

    def __enter__(self):
        self.progress.__enter__()
        return self.update

    def __exit__(self, *exc) -> None:
        self.progress.__exit__(*exc)

    def update(self, config: str, done: int, total: int) -> None:
        self.seen[config] = done
        self.progress.update(self.task, completed=sum(self.seen.values()), description=config)
