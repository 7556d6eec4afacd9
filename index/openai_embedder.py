"""``DOSSIER_EMBEDDINGS=openai``: an OpenAI-compatible ``/embeddings`` endpoint as an ``Embedder``.

Kept apart from ``index/embedder.py`` so the offline path never imports openai.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from llama_index.embeddings.openai import OpenAIEmbedding
from pydantic import PrivateAttr

from .chat import server_name
from .deadline import Budget, Failed, OutOfTime, call_within
from .errors import EmbeddingServiceError
from .llama_embedding import EmbedsThroughArray
from .settings import Settings


class OpenAIEmbedder(EmbedsThroughArray, OpenAIEmbedding):
    """llama-index's OpenAI embedding, its requests made by ``embed`` inside a time budget.

    The openai client's retries and llama-index's retry decorator are both bypassed:
    ``call_within`` retries while the budget lasts, so one request never waits longer
    than ``DOSSIER_LLM_TIMEOUT`` in all."""

    _attempts: int = PrivateAttr(default=1)

    def __init__(self, settings: Settings) -> None:
        super().__init__(model_name=settings.openai_embed_model,
                         api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else "unused",
                         api_base=settings.openai_base_url, timeout=settings.llm_timeout, max_retries=0)
        self._attempts = settings.llm_max_retries + 1

    @property
    def model_id(self) -> str:
        return f"openai/{self.model_name}"

    @classmethod
    def class_name(cls) -> str:
        return "OpenAIEmbedder"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        rows: list[list[float]] = []
        for begin in range(0, len(texts), self.embed_batch_size):
            rows.extend(self._request([t.replace("\n", " ") or " " for t in texts[begin:begin + self.embed_batch_size]]))
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)

    def _request(self, batch: list[str]) -> list[list[float]]:
        import openai

        client = self._get_client()
        budget = Budget(self.timeout)

        def once(seconds: float) -> list[list[float]]:
            data = client.embeddings.create(input=batch, model=self.model_name, timeout=seconds,
                                            **self.additional_kwargs).data
            if len(data) != len(batch):
                raise ValueError(f"{len(data)} vectors for {len(batch)} texts")
            return [d.embedding for d in data]

        def retryable(exc: BaseException) -> bool:
            if isinstance(exc, openai.APIStatusError):
                return exc.status_code == 429 or exc.status_code >= 500
            return isinstance(exc, openai.APIConnectionError)

        try:
            return call_within(budget, self._attempts, once,
                               is_timeout=lambda e: isinstance(e, openai.APITimeoutError), retryable=retryable)
        except OutOfTime:
            raise self._failure(f"no answer within {self.timeout:g}s, DOSSIER_LLM_TIMEOUT") from None
        except Failed as exc:
            status = getattr(exc.cause, "status_code", None)
            raise self._failure(f"HTTP {status}" if status else type(exc.cause).__name__) from None

    def _failure(self, detail: str) -> EmbeddingServiceError:
        """One readable line, never the key."""
        return EmbeddingServiceError(f"the embedding service at {server_name(self.api_base)} failed ({detail}); "
                                     "check OPENAI_BASE_URL / OPENAI_API_KEY or use DOSSIER_EMBEDDINGS=local")
