"""DOSSIER_EMBEDDINGS=openai through the real openai client against a local server."""

import pytest

from dossier.index.engine import Engine
from dossier.index.errors import EmbeddingModelMismatch, EmbeddingServiceError
from dossier.index.settings import SEEDS_DIR, Settings
from conftest import assert_verbatim
from openai_server import FakeOpenAIServer


@pytest.fixture
def server():
    with FakeOpenAIServer() as running:
        yield running


def openai_settings(home, url: str) -> Settings:
    return Settings(home=home, embeddings="openai", openai_base_url=f"{url}/v1", openai_api_key="sk-test-secret",
                    llm_max_retries=0, llm_timeout=5, mode="extractive", _env_file=None)


def test_ingest_and_ask_with_openai_embeddings(server, tmp_path, embedder):
    engine = Engine.open(openai_settings(tmp_path, server.url))
    report = engine.ingest([SEEDS_DIR])
    assert len(report.added) == 5
    embedding_calls = [r for r in server.requests if r.path.endswith("/embeddings")]
    assert embedding_calls and embedding_calls[0].body["model"] == "text-embedding-3-small"
    assert embedding_calls[0].headers.get("Authorization") == "Bearer sk-test-secret"
    assert engine.store.documents.metadata["dossier_embed_model"] == "openai/text-embedding-3-small"
    answer = engine.ask("How many missiles did North Korea fire toward the Sea of Japan?")
    assert_verbatim(answer.citations)  # the fake vectors carry no meaning; the contract still holds
    # The store now belongs to that model: the local embedder may not query it.
    with pytest.raises(EmbeddingModelMismatch, match="openai/text-embedding-3-small"):
        Engine.open(Settings(home=tmp_path, _env_file=None), embedder=embedder)


def test_unreachable_embedding_service_is_one_clear_error(tmp_path):
    with FakeOpenAIServer() as gone:
        url = gone.url
    engine = Engine.open(openai_settings(tmp_path, url))
    with pytest.raises(EmbeddingServiceError) as error:
        engine.ingest([SEEDS_DIR])
    assert "sk-test-secret" not in str(error.value) and "\n" not in str(error.value)
    assert engine.sources() == []  # nothing half-written
