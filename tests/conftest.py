"""Shared fixtures and checks: the real ONNX embedder (loaded once) and real Chroma stores in temp dirs.

The five seed articles are ingested once per session, into a template store that nothing
opens again (``seeded_home``). Tests read a copy of it through ``seeded_engine``, or take a
private, writable copy of their own (``seeded_store`` as a data directory, ``seeded_copy``
as an engine): a directory copy costs milliseconds where an ingest costs seconds. A test
that is about ingest itself starts from ``fresh_engine`` and ingests.
"""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence, Union

import numpy as np
import pytest
from pydantic import PrivateAttr

from dossier.index.embedder import OnnxMiniLMEmbedding
from dossier.index.engine import Engine
from dossier.index.models import Citation
from dossier.index.settings import SEEDS_DIR, Settings
from openai_server import FakeOpenAIServer


def _users_settings() -> list[str]:
    return [name for name in os.environ if name.startswith(("DOSSIER_", "OPENAI_", "DISCORD_"))]


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No test reads the developer's .env, keys, settings or data directory."""
    for name in _users_settings():
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "home"))


@contextmanager
def _without_users_settings():
    """The same for session fixtures, which are built before any test's own isolation."""
    with pytest.MonkeyPatch.context() as patch:
        for name in _users_settings():
            patch.delenv(name)
        yield


class SessionMiniLM(OnnxMiniLMEmbedding):
    """The real ONNX MiniLM, each distinct text embedded once per session.

    The suite asks the model for the same texts again and again: the five seeds' sentences at
    every fresh ingest, the judge's 684 labelled pairs at every ``dossier eval`` run, the same
    questions in module after module. A vector depends on its text only (the model sorts and
    batches texts by length, so a repeat differs at most by the rounding of other batch
    neighbours), so a repeat computation could only give the first one's vector again. Every
    vector still comes from the model; tests about the model's batching itself use
    ``onnx_embedder``, which keeps nothing."""

    _vectors: dict = PrivateAttr(default_factory=dict)
    _vectors_lock: Any = PrivateAttr(default_factory=threading.Lock)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return super().embed(texts)
        with self._vectors_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
            if missing:
                self._vectors.update(zip(missing, super().embed(missing)))
            return np.stack([self._vectors[t] for t in texts])


@pytest.fixture(scope="session")
def onnx_embedder() -> OnnxMiniLMEmbedding:
    """The model as the product loads it, nothing remembered between calls."""
    return OnnxMiniLMEmbedding()


@pytest.fixture(scope="session")
def embedder() -> OnnxMiniLMEmbedding:
    """The model shared by the suite (``SessionMiniLM``)."""
    return SessionMiniLM()


# ---- stores ------------------------------------------------------------------------------------


def copy_store(source: Path, target: Path) -> Path:
    """A data directory copied whole (the embedded Chroma, the BM25 side, the caches): an
    independent store with the same records. ``source`` must not be written meanwhile."""
    shutil.copytree(source, target)
    return target


@pytest.fixture(scope="session")
def seeded_home(embedder, tmp_path_factory) -> Path:
    """The template data directory with the five seeds ingested; copy it, never open it."""
    home = tmp_path_factory.mktemp("seeded-template") / "home"
    with _without_users_settings():
        engine = Engine.open(Settings(home=home, _env_file=None), embedder=embedder)
        engine.ingest([SEEDS_DIR])
        # One question builds what the engine caches beside the store per revision (the BM25
        # state, the vocabulary's word vectors, the manifest cache): every copy starts warm.
        engine.ask("What did the articles report?")
    return home


@pytest.fixture(scope="session")
def seeded_engine(embedder, seeded_home, tmp_path_factory) -> Engine:
    """One engine over the five seed articles, shared by read-only tests."""
    home = copy_store(seeded_home, tmp_path_factory.mktemp("seeded") / "home")
    with _without_users_settings():
        return Engine.open(Settings(home=home, _env_file=None), embedder=embedder)


@pytest.fixture
def seeded_store(seeded_home, tmp_path) -> Path:
    """A private, writable data directory holding the five seeds (pass it as ``home``)."""
    return copy_store(seeded_home, tmp_path / "seeded")


@pytest.fixture
def seeded_copy(embedder, seeded_store) -> Engine:
    """An engine over a private, writable copy of the seeded store."""
    return Engine.open(Settings(home=seeded_store, _env_file=None), embedder=embedder)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[int]:
    """One real `chroma run` for the session, its port; each test keeps to collections of its
    own (``DOSSIER_COLLECTION``), so tests never see each other's records."""
    from bench.common import start_chroma

    process, port = start_chroma(tmp_path_factory.mktemp("chroma-server"), timeout=60)
    yield port
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[FakeOpenAIServer]:
    """A scripted OpenAI-compatible server (tests/openai_server.py) shared by a module's tests;
    a module that needs a fresh one per test defines its own."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, target)
    return target


@pytest.fixture
def fresh_engine(embedder, tmp_path) -> Engine:
    return Engine.open(Settings(home=tmp_path / "store", _env_file=None), embedder=embedder)


# ---- the verbatim promise ------------------------------------------------------------------------

Texts = Union[Engine, Path]  # where the articles are: an engine's sources, or a folder of <doc_id>.txt


def article_text(doc_id: str, texts: Texts = SEEDS_DIR) -> str:
    if isinstance(texts, Path):
        return (texts / f"{doc_id}.txt").read_text(encoding="utf-8")
    paths = {m.doc_id: m.path for m in texts.sources()}
    return Path(paths[doc_id]).read_text(encoding="utf-8")


def _fields(citation: Union[Citation, Mapping[str, Any]]) -> tuple[str, int, int, str]:
    if isinstance(citation, Mapping):  # a citation as printed by --json
        return citation["doc_id"], citation["start"], citation["end"], citation["quote"]
    return citation.doc_id, citation.start, citation.end, citation.quote


def verbatim(citations: Iterable[Union[Citation, Mapping[str, Any]]], texts: Texts = SEEDS_DIR) -> bool:
    """Every quote is exactly its article's ``text[start:end]``, the promise every answer makes."""
    return all(article_text(doc_id, texts)[start:end] == quote
               for doc_id, start, end, quote in map(_fields, citations))


def assert_verbatim(citations: Iterable[Union[Citation, Mapping[str, Any]]], texts: Texts = SEEDS_DIR) -> None:
    """``verbatim``, failing on the first quote that is not, with what the article says there."""
    for doc_id, start, end, quote in map(_fields, citations):
        actual = article_text(doc_id, texts)[start:end]
        assert actual == quote, f"{doc_id}[{start}:{end}] is {actual!r}, cited as {quote!r}"
