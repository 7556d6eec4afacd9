"""The front ends (bot/) see only the engine's public face: they render, the engine decides.

Every import in bot/, at module level or inside a function, is read with ``ast`` (nothing
is imported); an import of any other part of dossier.index, or of the libraries the engine
hides (Chroma, llama-index, the model runtime), fails with the file and line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BOT = PROJECT_ROOT / "bot"

# What a front end may import from the engine, and why it needs it.
ALLOWED = {
    "dossier.index": "the package's public face",
    "dossier.index.engine": "the service API: Engine (ask, sources, ingest, warm start, demo corpus, uploads)",
    "dossier.index.models": "the values the API returns (Answer, Citation, DocumentMeta, IngestReport)",
    "dossier.index.errors": "the errors the API raises, each printed as one line",
    "dossier.index.settings": "the one settings object, passed down explicitly",
    "dossier.index.conversation": "the conversation a front end keeps between questions",
    "dossier.index.eval": "the evaluation harness behind `dossier eval` (a service of its own)",
}
# Libraries the engine wraps: a front end that needs one is doing the engine's work.
HIDDEN = ("chromadb", "llama_index", "onnxruntime", "tokenizers", "bm25s", "Stemmer", "openai")


def imported_modules(source: str, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in ``source``, the file of ``module``
    (a package's ``__init__`` is named ``package.__init__``, so relative imports resolve).

    ``from package import name`` yields ``package.name`` too when that is a module of the
    engine, so ``from dossier.index import parse`` is caught like ``import dossier.index.parse``."""
    package = module.rsplit(".", 1)[0].split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            parent = package[:len(package) - node.level + 1] if node.level else []
            base = ".".join(parent + ([node.module] if node.module else []))
            yield node.lineno, base
            for alias in node.names:
                if is_engine_module(f"{base}.{alias.name}"):
                    yield node.lineno, f"{base}.{alias.name}"


def canonical(name: str) -> str:
    """The installed name: the engine was once importable as top-level ``index``."""
    return "dossier." + name if name == "index" or name.startswith("index.") else name


def is_engine_module(name: str) -> bool:
    parts = canonical(name).split(".")
    if parts[:2] != ["dossier", "index"] or len(parts) == 2:
        return False
    path = PROJECT_ROOT.joinpath("index", *parts[2:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def problem(name: str) -> str | None:
    """Why a front end may not import ``name``, or None."""
    name = canonical(name)
    if name.startswith("dossier.index."):
        if any(name == ok or name.startswith(ok + ".") for ok in ALLOWED if ok != "dossier.index"):
            return None
        return "not part of the engine's API"
    if name.split(".")[0] in HIDDEN:
        return "a library the engine wraps"
    return None


def violations(source: str, module: str) -> list[str]:
    return [f"line {line}: {name} ({why})" for line, name in imported_modules(source, module)
            if (why := problem(name)) is not None]


def bot_files() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def module_name(path: Path) -> str:
    return ".".join(("dossier", *path.relative_to(PROJECT_ROOT).with_suffix("").parts))


@pytest.mark.parametrize("path", bot_files(), ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_front_ends_import_only_the_engine_api(path: Path) -> None:
    problems = violations(path.read_text(encoding="utf-8"), module_name(path))
    assert not problems, f"{path.relative_to(PROJECT_ROOT)} reaches past the engine's API:\n" + "\n".join(problems)


def test_the_walk_sees_every_front_end() -> None:
    names = {p.relative_to(BOT).as_posix() for p in bot_files()}
    assert {"cli.py", "repl.py", "discord_bot.py", "cogs/ask.py"} <= names


@pytest.mark.parametrize("source", [
    "from dossier.index.parse import read_article",
    "import dossier.index.store",
    "from dossier.index import lexical",
    "def f():\n    from dossier.index.minilm import preload\n",
    "from ...index.store import prewarm",
    "import index.parse",
    "import chromadb",
    "from llama_index.core import Settings",
])
def test_reaching_past_the_api_is_caught(source: str) -> None:
    assert violations(source, "dossier.bot.cogs.ask"), source


@pytest.mark.parametrize("source", [
    "from dossier.index.engine import Engine",
    "from dossier.index.models import Answer, IngestReport",
    "from dossier.index.errors import DossierError",
    "import dossier.index.settings",
    "from dossier.index.eval.runner import run_eval",
    "from dossier.index import engine",
    "from dossier.bot import render",
    "import discord",
])
def test_the_api_itself_is_allowed(source: str) -> None:
    assert violations(source, "dossier.bot.cli") == []


def test_warm_start_is_reachable_before_the_engine_loads():
    """A command starts the warm-up, then imports the engine (and llama-index with it, about a
    second) while the warm-up runs: what it imports first must not pull llama-index in."""
    code = ("import sys; from dossier.index import check_question, warm_start; "
            "import dossier.index.store, dossier.index.minilm; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'llama_index', 'openai', 'discord'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"imported before the engine: {done.stdout.strip()}"
