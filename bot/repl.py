"""``dossier repl``: an interactive session over the engine, one conversation at a time.

The loop is a ``Repl`` object that takes its prompt session and its rich console from
the caller, so tests drive it with real keystrokes through a pipe and read what the
console shows; only ``build_session`` and the CLI touch the real terminal.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Iterator, Optional, Union

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dossier.bot import render
from dossier.bot.feedback_store import FeedbackStore, Vote, vote_text
from dossier.index.conversation import Conversation
from dossier.index.engine import Engine, Mode
from dossier.index.errors import DossierError
from dossier.index.models import Answer
from dossier.index.settings import Settings

PROMPT = "dossier> "
HISTORY_FILE = "repl_history"
MIN_K, MAX_K = 1, 50
MODES: tuple[Mode, ...] = ("extractive", "generated")
REPL_SOURCE = REPL_USER = "repl"  # the local user's id in the feedback database: no account names
POLL_SECONDS = 0.05  # how often the main thread wakes up while waiting, so Ctrl-C is seen at once

HELP = """\
Type a question about the articles; a follow-up ("Did he say why?") is read in the context of the conversation.
  :help                         this list
  :sources                      the ingested articles
  :claims [TOPIC]               who claims what about TOPIC, how widely carried, who contradicts it
  :new                          start a new conversation (forget earlier questions)
  :k N                          chunks to retrieve per question, 1-50 (:k alone shows it)
  :mode extractive|generated    how answers are made (:mode alone shows it)
  :json                         toggle printing each answer as one JSON object
  :good / :bad                  mark the last answer helpful or not (`dossier feedback` reports them)
  :quit                         leave (or Ctrl-D)
Ctrl-C cancels an answer in progress or clears the line; Ctrl-R searches earlier questions."""


def history_path(settings: Settings) -> Path:
    return settings.home / HISTORY_FILE


def build_session(settings: Settings, input: Optional[Input] = None,
                  output: Optional[Output] = None) -> PromptSession:
    """The prompt: history kept in the data directory, emacs keys so Ctrl-R is reverse search.

    ``input``/``output`` default to the terminal; tests pass a pipe and a dummy output."""
    path = history_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    return PromptSession(history=FileHistory(str(path)), editing_mode=EditingMode.EMACS,
                         auto_suggest=AutoSuggestFromHistory(), input=input, output=output)


class Repl:
    """One interactive session: its conversation, its k, its answer mode and its output format.

    ``handle_line`` runs one line (a question or a ``:command``) and returns False to quit;
    ``run`` is the prompt loop around it."""

    def __init__(self, engine: Engine, settings: Settings, console: Console, session: PromptSession,
                 k: Optional[int] = None, mode: Optional[Mode] = None, json_output: bool = False) -> None:
        self.engine = engine
        self.settings = settings
        self.console = console
        self.session = session
        self.conversation = Conversation()
        self.k = k
        self.mode: Mode = mode or settings.answer_mode
        self.json_output = json_output
        # One worker: an abandoned (cancelled) answer finishes before the next one starts,
        # so the engine is never used by two questions at once.
        self._worker: Optional[ThreadPoolExecutor] = None
        self._pending: Optional[Future] = None
        self._commands: dict[str, Callable[[str], bool]] = {
            "help": self._help, "sources": self._sources, "new": self._new, "k": self._set_k,
            "mode": self._set_mode, "json": self._toggle_json, "quit": self._quit, "q": self._quit,
            "exit": self._quit, "claims": self._claims}
        self.feedback = FeedbackStore.at(settings)
        self._last: Optional[tuple[Answer, Optional[str]]] = None  # the answer shown last, and its feedback id
        self._commands.update(good=lambda _: self._vote("up"), bad=lambda _: self._vote("down"))

    # ---- the loop ----------------------------------------------------------------------------

    def run(self) -> int:
        """Prompt until Ctrl-D or :quit; Ctrl-C at the prompt only clears the line. Returns 0."""
        self.ensure_ingested()
        self.console.print(Text(f"Dossier: {len(self.engine.sources())} articles, {self.mode} answers. "
                                "Type :help for commands, Ctrl-D to leave.", style="dim"))
        try:
            while True:
                try:
                    line = self.session.prompt(PROMPT)
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    return 0
                if not self.handle_line(line):
                    return 0
        finally:
            if self._worker is not None:
                self._worker.shutdown(wait=False, cancel_futures=True)
                self._worker = None

    def handle_line(self, line: str) -> bool:
        """Run one line; False means quit. A user error is one line, never a traceback."""
        line = line.strip()
        if not line:
            return True
        try:
            if line.startswith(":"):
                return self._command(line[1:])
            self.ask(line)
        except DossierError as error:
            self.console.print(Text(f"error: {error}", style="red"))
        return True

    def ensure_ingested(self) -> None:
        """A first run has nothing to search: the engine ingests the demo articles into a store
        that never held any (with a progress bar here), as `ask` does; its status line is shown."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        progress = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.description}"), console=self.console, transient=True)
        task = progress.add_task("", total=None)

        def update(done: int, total: int, name: str) -> None:
            progress.start()  # only once an ingest runs: a ready store shows no bar (no-op when shown)
            progress.update(task, completed=done, total=total, description=name)
        try:
            status = self.engine.ensure_corpus(progress=update)
        finally:
            if progress.live.is_started:
                progress.stop()
        if status.message:
            self.console.print(Text(status.message, style="dim"))
        if status.report is not None:
            self.console.print(Text(render.ingest_summary(status.report), style="dim"))

    # ---- questions ---------------------------------------------------------------------------

    def ask(self, question: str) -> None:
        """Answer one question; Ctrl-C while it runs cancels it and leaves the conversation as it was.

        The engine works on a copy of the conversation, committed only when the answer is
        shown, so a cancelled answer (which may still finish in the background) never
        becomes the context of the next follow-up."""
        question = self.engine.validate(question)
        scratch = copy.deepcopy(self.conversation)
        try:
            if self.mode == "generated":
                answer = self._streamed(question, scratch)
            else:
                answer = self._in_worker(question, scratch)
        except KeyboardInterrupt:
            self.console.print()
            self.console.print(Text("(cancelled)", style="yellow"))
            return
        self.conversation.add(answer)
        self._show(answer)
        self._remember(answer)

    def _streamed(self, question: str, scratch: Conversation) -> Answer:
        """Print the model's text as it arrives (provisional), and return the checked answer."""
        self._settle()
        stream: Iterator[Union[str, Answer]] = self.engine.ask_stream(question, k=self.k, mode=self.mode,
                                                                      conversation=scratch)
        printed = False
        try:
            for item in stream:
                if isinstance(item, Answer):
                    if printed:
                        self.console.print()
                    return item
                if not self.json_output:
                    self.console.print(Text(item, style="dim"), end="", soft_wrap=True)
                    printed = True
        finally:
            stream.close()  # on Ctrl-C: stop the model's stream now, not when garbage-collected
        raise DossierError("the engine ended without an answer")

    def _in_worker(self, question: str, scratch: Conversation) -> Answer:
        """``engine.ask`` off the main thread: Ctrl-C cannot stop ONNX or Chroma mid-call, but it
        can stop the waiting, and the abandoned answer finishes (unseen) in the background."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-answer")
        self._pending = self._worker.submit(self.engine.ask, question, k=self.k, mode=self.mode,
                                            conversation=scratch)
        return self._wait(self._pending)

    def _settle(self) -> None:
        """Let a cancelled answer still running in the worker finish: its result and errors no
        longer matter, but the engine should not serve two questions at once."""
        while self._pending is not None and not self._pending.done():
            time.sleep(POLL_SECONDS)

    @staticmethod
    def _wait(future: Future) -> Answer:
        """The future's result, waking often so that Ctrl-C is seen at once."""
        while True:
            try:
                return future.result(timeout=POLL_SECONDS)
            except FutureTimeout:
                continue

    def _show(self, answer: Answer) -> None:
        if self.json_output:
            self.console.print(render.answer_json(answer), markup=False, highlight=False, soft_wrap=True)
            return
        if answer.resolved:
            self.console.print(Text(f"(understood as: {answer.resolved})", style="dim"))
        for item in render.answer_rich(answer):
            self.console.print(item)

    # ---- commands ----------------------------------------------------------------------------

    def _command(self, text: str) -> bool:
        name, _, argument = text.strip().partition(" ")
        handler = self._commands.get(name.lower())
        if handler is None:
            self._say(f"Unknown command :{name}; type :help for the list.")
            return True
        return handler(argument.strip())

    def _say(self, message: str) -> None:
        self.console.print(Text(message))

    def _help(self, _: str) -> bool:
        self._say(HELP)
        return True

    def _sources(self, _: str) -> bool:
        documents = self.engine.sources()
        if not documents:
            self._say(render.sources_plain(documents))
            return True
        shared = self.engine.shared_text()
        table = Table("id", "date", "outlet", "title", title=f"{len(documents)} articles")
        for d in documents:
            title = d.title + (" (title derived from first sentence)" if d.title_derived else "")
            copies = "".join(f"\n[dim]{escape(line)}[/dim]"
                             for line in render.shared_lines(shared.get(d.doc_id, ())))
            table.add_row(d.doc_id, d.date or "undated", escape(d.outlet or d.byline or "unknown outlet"),
                          escape(title) + copies)
        for column in table.columns[:3]:
            column.no_wrap = True
        self.console.print(table)
        return True

    def _claims(self, topic: str) -> bool:
        """:claims TOPIC: the claim groups about a topic (issue 14), as the CLI shows them."""
        from dossier.bot import claims_render

        topic = self.engine.validate(topic) if topic else None
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-answer")
        self._settle()  # in the answers' worker, one engine call at a time; Ctrl-C stops the wait
        self._pending = self._worker.submit(self.engine.claims, topic)
        try:
            groups = self._wait(self._pending)
        except KeyboardInterrupt:
            self.console.print(Text("(cancelled)", style="yellow"))
            return True
        if self.json_output:
            self.console.print(claims_render.claims_json(groups, topic), markup=False, highlight=False,
                               soft_wrap=True)
            return True
        for item in claims_render.claims_rich(groups, topic):
            self.console.print(item)
        return True

    def _new(self, _: str) -> bool:
        self.conversation.clear()
        self._say("New conversation: earlier questions are forgotten.")
        return True

    def _set_k(self, argument: str) -> bool:
        if not argument:
            self._say(f"k = {self.k or self.settings.top_k} chunks per question.")
            return True
        try:
            k = int(argument)
        except ValueError:
            k = 0
        if not MIN_K <= k <= MAX_K:
            self._say(f":k needs a whole number from {MIN_K} to {MAX_K}, e.g. :k 8")
            return True
        self.k = k
        self._say(f"k = {k} chunks per question.")
        return True

    def _set_mode(self, argument: str) -> bool:
        mode = argument.lower()
        if not mode:
            self._say(f"mode = {self.mode}")
        elif mode not in MODES:
            self._say(f":mode takes {' or '.join(MODES)}")
        elif mode == "generated" and not self.settings.llm_configured:
            self._say("Generated answers need an LLM: set OPENAI_API_KEY or OPENAI_BASE_URL and restart.")
        else:
            self.mode = mode  # type: ignore[assignment]  # checked against MODES just above
            self._say(f"mode = {self.mode}")
        return True

    def _toggle_json(self, _: str) -> bool:
        self.json_output = not self.json_output
        self._say(f"JSON output {'on' if self.json_output else 'off'}.")
        return True

    def _quit(self, _: str) -> bool:
        return False

    # ---- feedback (bot/feedback_store.py) ----------------------------------------------------

    def _remember(self, answer: Answer) -> None:
        """Record the answer shown, so that :good/:bad can rate it and a question the articles
        do not answer reaches `dossier feedback`. A database that cannot be written costs only
        that: :good/:bad try again and say why."""
        self._last = (answer, None)
        try:
            self._last = (answer, self.feedback.record(answer, REPL_SOURCE))
        except DossierError:
            pass

    def _vote(self, vote: Vote) -> bool:
        if self._last is None:
            self._say("No answer to rate yet: ask a question first.")
            return True
        answer, answer_id = self._last
        if answer_id is None:
            answer_id = self.feedback.record(answer, REPL_SOURCE)  # a FeedbackError is one line
            self._last = (answer, answer_id)
        result = self.feedback.vote(answer_id, REPL_USER, vote)
        self._say(vote_text(result) if result else "That answer is no longer in the feedback database.")
        return True
