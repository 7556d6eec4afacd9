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

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

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
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("DOSSIER_", "OPENAI_", "DISCORD_"))}
    environment.update({"DOSSIER_HOME": str(home), **(env or {})})
    clock = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True,
                          env=environment, timeout=timeout, cwd=cwd or home.parent)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - clock)


def baseline_seconds(home: Path) -> float:
    """How long an offline `dossier ask` takes on this machine now (start-up, model, search):
    a bound on a networked run is this plus the network budget, whatever the hardware."""
    run = dossier("ask", "--json", "--mode", "extractive", "How many missiles did North Korea fire?", home=home)
    assert run.status == 0, run.stderr
    return run.seconds
