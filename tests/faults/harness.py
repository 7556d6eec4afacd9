"""What the fault tests share: misbehaving servers as fixtures, engines against a given model
server, and the CLI run as a user runs it.

Convention (scripts/reliability_table.py builds docs/reliability.md from it): each module's
docstring opens with "Area: ...", each test's docstring opens with
"<fault> -> <what the user sees>".

There is deliberately no tests/faults/conftest.py: a second module named ``conftest`` would
shadow tests/conftest.py for every ``from conftest import ...`` in the suite. A test module
imports the fixtures it uses from here (``from harness import llm``).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

from dossier.index.engine import Engine
from dossier.index.settings import Settings
from openai_server import FakeOpenAIServer, SilentServer

SECRET_KEY = "sk-fault-matrix-never-print-me"


@pytest.fixture()
def llm() -> Iterator[FakeOpenAIServer]:
    """The scripted OpenAI-compatible server."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture()
def silent() -> Iterator[SilentServer]:
    """A port that accepts connections and never answers."""
    with SilentServer() as server:
        yield server


def generated_settings(home: Path, base_url: str, timeout: float = 3, retries: int = 0, **extra) -> Settings:
    return Settings(home=home, openai_base_url=base_url, openai_api_key=SECRET_KEY, llm_timeout=timeout,
                    llm_max_retries=retries, mode="generated", _env_file=None, **extra)


def generated_engine(home: Path, embedder, base_url: str, timeout: float = 3, retries: int = 0,
                     **extra) -> Engine:
    return Engine.open(generated_settings(home, base_url, timeout, retries, **extra), embedder=embedder)


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str
    seconds: float


def dossier(*args: str, home: Path, env: Optional[dict[str, str]] = None, timeout: float = 240,
            cwd: Optional[Path] = None) -> Run:
    """``dossier ARGS`` as a user runs it: a new process, its own environment, its wall time."""
    return dossier_started(*args, home=home, env=env, timeout=timeout, cwd=cwd)()


def dossier_started(*args: str, home: Path, env: Optional[dict[str, str]] = None, timeout: float = 240,
                    cwd: Optional[Path] = None) -> Callable[[], Run]:
    """``dossier`` started now, its result taken later (call what this returns): the process has
    its environment before this returns, so the caller may change its own meanwhile, and its
    wall time is its own, however late the result is taken."""
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DOSSIER_", "OPENAI_", "DISCORD_"))}
    environment.update({"DOSSIER_HOME": str(home), **(env or {})})
    clock = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "dossier", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment, cwd=cwd or home.parent)
    done: dict = {}

    def wait() -> None:
        try:
            done["out"] = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            process.kill()
            process.communicate()
            done["error"] = error
        done["seconds"] = time.monotonic() - clock

    waiter = threading.Thread(target=wait, name="dossier-wait", daemon=True)
    waiter.start()

    def result() -> Run:
        waiter.join()
        if "error" in done:
            raise done["error"]
        return Run(process.returncode, *done["out"], done["seconds"])

    return result


def dossier_here(*args: str, home: Path, env: Optional[dict[str, str]] = None, timeout: float = 240,
                 cwd: Optional[Path] = None) -> Run:
    """``dossier ARGS`` through ``bot.cli.main`` in this process, with the same environment, folder
    and result as ``dossier``, without a new interpreter's imports (a second or two each).

    It shows the command's status, output and error line. What only a new process shows
    (nothing else reaches stderr: log records, import-time output, threads at exit) is for a
    ``dossier`` run of the same failure, which a test using this keeps beside it. A command that
    hangs fails the test after ``timeout`` (its thread is left behind, as a killed process would be)."""
    from dossier.bot.cli import main

    out, err = io.StringIO(), io.StringIO()
    result: dict = {}

    def run() -> None:
        try:
            result["status"] = main(list(args))
        except BaseException as error:  # reported below, in the test's thread
            result["error"] = error

    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith(("DOSSIER_", "OPENAI_", "DISCORD_"))]:
            patch.delenv(name)
        for name, value in {"DOSSIER_HOME": str(home), **(env or {})}.items():
            patch.setenv(name, value)
        patch.chdir(cwd or home.parent)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            clock = time.monotonic()
            thread = threading.Thread(target=run, name="dossier-here", daemon=True)
            thread.start()
            thread.join(timeout)
            seconds = time.monotonic() - clock
    assert not thread.is_alive(), f"dossier {' '.join(args)} did not finish within {timeout} s"
    if "error" in result:
        raise result["error"]
    return Run(result["status"], out.getvalue(), err.getvalue(), seconds)


def baseline_seconds(home: Path) -> float:
    """How long an offline `dossier ask` takes on this machine now (start-up, model, search):
    a bound on a networked run is this plus the network budget, whatever the hardware."""
    run = dossier("ask", "--json", "--mode", "extractive", "How many missiles did North Korea fire?", home=home)
    assert run.status == 0, run.stderr
    return run.seconds
