import shutil

import numpy as np
import pytest

from dossier.index.embedder import TOKENIZER_PATH, OnnxMiniLMEmbedding, sha256_of, TOKENIZER_SHA256
from dossier.index.errors import ModelIntegrityError


@pytest.fixture(scope="module")
def embedder(onnx_embedder):
    """The model itself, not the suite's memo (tests/conftest.py ``SessionMiniLM``): these tests are about it."""
    return onnx_embedder


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


def test_word_vectors_are_each_words_meaning_in_its_sentence(embedder):
    (words, vectors), (other, other_vectors) = embedder.word_vectors([
        "Is the grant enough to repave the road?", "The grant is sufficient to repave the road, the mayor said."])
    assert words == ["Is", "the", "grant", "enough", "to", "repave", "the", "road", "?"]  # one row a word
    assert vectors.shape == (len(words), 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors[words.index("enough")] @ other_vectors.T
    assert other[int(similarity.argmax())] == "sufficient"
    assert embedder.word_vectors([]) == []


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


# ---- the protocol every embedder keeps -----------------------------------------------------------


def test_both_embedders_keep_the_protocol(embedder):
    from dossier.index.embedder import LOCAL_MODEL_ID, Embedder, build_embedder, model_id
    from dossier.index.settings import Settings
    from openai_server import FakeOpenAIServer

    assert isinstance(embedder, Embedder) and embedder.model_id == LOCAL_MODEL_ID
    with FakeOpenAIServer() as server:
        settings = Settings(embeddings="openai", openai_base_url=server.url + "/v1", openai_api_key="k",
                            _env_file=None)
        remote = build_embedder(settings)
        assert isinstance(remote, Embedder) and remote.model_id == model_id(settings) == "openai/text-embedding-3-small"
        texts = [f"sentence {i}" for i in range(250)]  # more than one request's batch
        vectors = remote.embed(texts)
        assert vectors.shape == (250, 64) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert np.allclose(remote.embed(["sentence 7"])[0], vectors[7], atol=1e-6)
        assert len([r for r in server.requests if r.path.endswith("/embeddings")]) == 4  # 100 + 100 + 50 + 1
        assert remote.embed([]).shape[0] == 0


def test_openai_embeddings_keep_one_budget_for_all_their_retries():
    import time

    from dossier.index.embedder import build_embedder
    from dossier.index.errors import EmbeddingServiceError
    from dossier.index.settings import Settings
    from openai_server import SilentServer

    with SilentServer() as silent:
        remote = build_embedder(Settings(embeddings="openai", openai_base_url=silent.url + "/v1",
                                         openai_api_key="sk-secret", llm_timeout=0.5, llm_max_retries=5,
                                         _env_file=None))
        clock = time.monotonic()
        with pytest.raises(EmbeddingServiceError) as error:
            remote.embed(["a question"])
    assert time.monotonic() - clock < 0.5 + 1.0  # one budget, not 6 x 0.5 s
    assert "no answer within 0.5s" in str(error.value) and "sk-secret" not in str(error.value)
