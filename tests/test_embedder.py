import shutil

import numpy as np
import pytest

from dossier.index.embedder import TOKENIZER_PATH, OnnxMiniLMEmbedding, sha256_of, TOKENIZER_SHA256
from dossier.index.errors import ModelIntegrityError


def test_embeddings_are_unit_vectors_of_384(embedder):
    vectors = embedder.embed(["North Korea ships shells.", "The price of oil."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_meaning_drives_similarity(embedder):
    query = embedder.get_query_embedding("Is North Korea sending artillery ammunition to Russia?")
    related = embedder.get_text_embedding("Pyongyang is covertly supplying shells for Moscow's war.")
    unrelated = embedder.get_text_embedding("The recipe needs two cups of flour and an egg.")
    assert np.dot(query, related) > np.dot(query, unrelated) + 0.3


def test_batching_pads_only_to_the_longest_item_and_changes_nothing(embedder):
    short = "Kirby spoke."
    long = "Kirby said " + "the shipments were monitored closely " * 20
    alone = embedder.embed([short])[0]
    batched = embedder.embed([long, short, "x"])[1]
    assert np.allclose(alone, batched, atol=1e-4)
    encoded = embedder._tokenizer.encode_batch([short, "two words"])
    assert len(encoded[0].ids) == len(encoded[1].ids) < 16  # padded to the batch's longest, not 256


def test_long_text_is_truncated_not_rejected(embedder):
    vector = embedder.embed(["word " * 2000])[0]
    assert np.isfinite(vector).all()


def test_llama_index_batch_api(embedder):
    vectors = embedder.get_text_embedding_batch(["one", "two", "three"])
    assert len(vectors) == 3 and len(vectors[0]) == 384


def test_tokenizer_copy_is_the_published_one():
    assert sha256_of(TOKENIZER_PATH) == TOKENIZER_SHA256


def test_checksum_mismatch_refuses_to_load(tmp_path):
    tampered = tmp_path / "tokenizer.json"
    shutil.copy(TOKENIZER_PATH, tampered)
    with tampered.open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(ModelIntegrityError, match="sha256"):
        OnnxMiniLMEmbedding(tokenizer_path=tampered)
    fake_model = tmp_path / "model.onnx"
    fake_model.write_bytes(b"not a model")
    with pytest.raises(ModelIntegrityError, match="ONNX"):
        OnnxMiniLMEmbedding(model_path=fake_model)
