"""Helpers of the fault tests: engines against a given model server, the CLI as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from dossier.index.engine import Engine
from dossier.index.settings import Settings

SECRET_KEY = "sk-fault-matrix-never-print-me"


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


def assert_verbatim(citations, engine: Engine) -> None:
    """Every quote is its article's text[start:end] (tests/conftest.py's check, for the engine's own
    files: the fault tests ingest articles of their own; a conftest's helpers cannot be imported
    from a sub-folder that has a conftest of its own)."""
    paths = {m.doc_id: m.path for m in engine.sources()}
    for citation in citations:
        text = Path(paths[citation.doc_id]).read_text(encoding="utf-8")
        assert text[citation.start:citation.end] == citation.quote, citation
