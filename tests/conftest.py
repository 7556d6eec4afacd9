"""Shared fixtures: the real ONNX embedder (loaded once) and real Chroma stores in temp dirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier.index.embedder import OnnxMiniLMEmbedding
from dossier.index.engine import Engine
from dossier.index.settings import SEEDS_DIR, Settings


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No test reads the developer's .env, keys or data directory."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DOSSIER_HOME", "DOSSIER_CHROMA_HOST", "DOSSIER_MODE",
                 "DOSSIER_EMBEDDINGS", "DOSSIER_COLLECTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOSSIER_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="session")
def embedder() -> OnnxMiniLMEmbedding:
    return OnnxMiniLMEmbedding()


@pytest.fixture(scope="session")
def seeded_engine(embedder, tmp_path_factory) -> Engine:
    """One engine over the five seed articles, shared by read-only tests."""
    home = tmp_path_factory.mktemp("seeded")
    engine = Engine.open(Settings(home=home, _env_file=None), embedder=embedder)
    engine.ingest([SEEDS_DIR])
    return engine


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the seed articles."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, target)
    return target


@pytest.fixture
def fresh_engine(embedder, tmp_path) -> Engine:
    return Engine.open(Settings(home=tmp_path / "store", _env_file=None), embedder=embedder)
