"""Cold-start machinery: the manifest cache, the background index warm-up and model preload.

Each is an optimisation that must never change what a reader sees; these tests check
both that it takes effect and that it stays correct when the store changes under it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.index import minilm
from dossier.index.embedder import OnnxMiniLMEmbedding
from dossier.index.engine import Engine
from dossier.index.errors import ModelIntegrityError
from dossier.index.settings import SEEDS_DIR, Settings
from dossier.index.store import Store, prewarm


def _settings(home: Path) -> Settings:
    return Settings(home=home, _env_file=None)


def _seeded(embedder, home: Path, names: tuple[str, ...]) -> Engine:
    """A store holding only ``names`` of the seeds (the full five: the ``seeded_store`` fixture)."""
    corpus = home.parent / f"{home.name}-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        if path.name in names:
            shutil.copy(path, corpus / path.name)
    engine = Engine.open(_settings(home), embedder=embedder)
    engine.ingest([corpus])
    return engine


def _forbid_document_reads(store: Store, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the manifest was read from Chroma")
    monkeypatch.setattr(store.documents, "get", refuse)


def test_a_clean_store_serves_its_manifest_from_the_cache(embedder, seeded_store, monkeypatch) -> None:
    home = seeded_store
    expected = Engine.open(_settings(home), embedder=embedder).sources()
    cache = home / "cache" / "dossier_manifest.json"
    assert json.loads(cache.read_text())["records"], "the cache holds the records"
    reader = Engine.open(_settings(home), embedder=embedder)
    _forbid_document_reads(reader.store, monkeypatch)
    assert reader.sources() == expected
    assert reader.ask("What did John Kirby say about the shipments?").citations


def test_the_cache_follows_the_revision_when_another_process_ingests(embedder, tmp_path) -> None:
    home = tmp_path / "store"
    first = sorted(SEEDS_DIR.glob("*.txt"))[0].name
    reader = _seeded(embedder, home, names=(first,))
    assert [m.doc_id for m in reader.sources()] == [Path(first).stem]
    writer = Engine.open(_settings(home), embedder=embedder)
    writer.ingest([SEEDS_DIR])
    assert len(reader.sources()) == 5
    # A fresh process sees the new manifest too, not the cached one of the old revision.
    assert len(Engine.open(_settings(home), embedder=embedder).sources()) == 5


def test_a_dirty_store_is_never_served_from_the_cache(embedder, seeded_store, monkeypatch) -> None:
    home = seeded_store
    store = Engine.open(_settings(home), embedder=embedder).store
    store.mark_dirty()  # an ingest is running (or died): the records may change at any time
    calls = []
    original = store.documents.get
    monkeypatch.setattr(store.documents, "get", lambda *a, **k: calls.append(1) or original(*a, **k))
    store.manifest()
    store.manifest()
    assert len(calls) == 2


@pytest.mark.parametrize("content", ["{not json", '{"key": "x", "records": 3}', '{"key": "stale", "records": []}'])
def test_a_damaged_or_foreign_cache_is_ignored(embedder, seeded_store, content) -> None:
    home = seeded_store
    expected = Engine.open(_settings(home), embedder=embedder).sources()
    (home / "cache" / "dossier_manifest.json").write_text(content)
    assert Engine.open(_settings(home), embedder=embedder).sources() == expected


def test_prewarm_loads_both_vector_indexes_of_an_embedded_store(seeded_store) -> None:
    home = seeded_store
    thread = prewarm(_settings(home))
    assert thread is not None
    thread.join(60)
    assert thread.warmed == ["chunks", "sentences"]
    assert prewarm(_settings(home)) is None, "once per store per process"


def test_prewarm_has_nothing_to_do_without_a_store_or_with_a_server(tmp_path) -> None:
    assert prewarm(_settings(tmp_path / "nothing-here")) is None
    assert not (tmp_path / "nothing-here").exists(), "warming must not create a store"
    assert prewarm(Settings(home=tmp_path, chroma_host="127.0.0.1", _env_file=None)) is None


def test_a_preloaded_model_is_taken_once_and_embeds_like_a_new_one(embedder) -> None:
    pending = minilm.preload()
    first = OnnxMiniLMEmbedding()
    assert first._model is pending.model and minilm._preloaded is None
    second = OnnxMiniLMEmbedding()
    assert first._model is not second._model
    text = "Kirby said the shells were being funnelled through the Middle East."
    assert (first.embed([text]) == embedder.embed([text])).all()


def test_a_preload_that_fails_the_integrity_check_fails_where_the_model_is_taken() -> None:
    pending = minilm.Preload(model_sha256="0" * 64)  # the load runs to its end in the background...
    pending.thread.join(60)
    assert pending.error is not None
    with pytest.raises(ModelIntegrityError, match="sha256"):  # ...and its failure surfaces here
        pending.take()


def test_ask_answers_from_a_warm_started_process(embedder, seeded_store) -> None:
    """The CLI path with warm-up and preload both running: same answer as an in-process engine."""
    home = seeded_store
    engine = Engine.open(_settings(home), embedder=embedder)
    question = "How did North Korea respond to the accusation?"
    expected = engine.ask(question)
    done = subprocess.run([sys.executable, "-m", "dossier", "ask", "--json", question],
                          env={"DOSSIER_HOME": str(home), "PATH": "/usr/bin:/bin", "ANONYMIZED_TELEMETRY": "False"},
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["answer"] == expected.answer
    assert [c["quote"] for c in answer["citations"]] == [c.quote for c in expected.citations]
