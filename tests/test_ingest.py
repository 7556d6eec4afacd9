from pathlib import Path

import pytest

from dossier.index.engine import Engine
from dossier.index.errors import EmbeddingModelMismatch
from dossier.index.settings import Settings
from conftest import assert_verbatim


def snapshot(engine: Engine) -> tuple:
    store = engine.store
    return (sorted(store.chunks.get()["ids"]), sorted(store.sentences.get()["ids"]),
            sorted((m.doc_id, m.sha256) for m in store.manifest().values()))


def test_ingest_counts_and_idempotence(fresh_engine, corpus):
    first = fresh_engine.ingest([corpus])
    assert len(first.added) == 5 and not first.updated and not first.skipped
    before = snapshot(fresh_engine)
    second = fresh_engine.ingest([corpus])
    assert len(second.unchanged) == 5 and not second.added and not second.updated
    assert snapshot(fresh_engine) == before
    assert len(before[0]) == fresh_engine.store.count_chunks() > 5


def test_changed_file_replaces_its_chunks(seeded_copy, corpus):
    engine = seeded_copy  # the five seeds ingested (documents are known by name and content, not folder)
    path = corpus / "004_bd89ee0a79ef3c3c.txt"
    old_ids = {i for i in engine.store.chunks.get()["ids"] if i.startswith(path.stem)}
    assert old_ids
    path.write_text(path.read_text(encoding="utf-8") + "\nKirby later said the zebra convoy was unrelated.\n",
                    encoding="utf-8")
    report = engine.ingest([corpus])
    assert report.updated == (path.stem,) and len(report.unchanged) == 4
    new_ids = {i for i in engine.store.chunks.get()["ids"] if i.startswith(path.stem)}
    assert new_ids and not (new_ids & old_ids)
    answer = engine.ask("What did Kirby say about the zebra convoy?")
    assert not answer.refused and answer.citations[0].doc_id == path.stem
    assert "zebra" in answer.citations[0].quote
    assert_verbatim([c for c in answer.citations if c.doc_id == path.stem], corpus)


def test_prune_removes_documents_whose_files_are_gone(fresh_engine, corpus):
    fresh_engine.ingest([corpus])
    (corpus / "002_4e57d263a0889e77.txt").unlink()
    kept = fresh_engine.ingest([corpus])
    assert "002_4e57d263a0889e77" in fresh_engine.store.manifest() and not kept.pruned
    report = fresh_engine.ingest([corpus], prune=True)
    assert report.pruned == ("002_4e57d263a0889e77",)
    assert "002_4e57d263a0889e77" not in fresh_engine.store.manifest()
    assert not [i for i in fresh_engine.store.chunks.get()["ids"] if i.startswith("002_")]
    answer = fresh_engine.ask("How many missiles did North Korea fire toward the Sea of Japan?")
    assert all(c.doc_id != "002_4e57d263a0889e77" for c in answer.citations)


@pytest.mark.parametrize("name,content,reason", [
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary"),
    ("latin1.txt", "Kirby a dit caf\u00e9".encode("latin-1"), "not UTF-8"),
    ("empty.md", b"", "empty"),
    ("huge.txt", b"Kirby said things. " * 200_000, "too large"),
])
def test_bad_files_are_skipped_and_lose_nothing(fresh_engine, corpus, tmp_path, name, content, reason):
    fresh_engine.ingest([corpus])
    before = snapshot(fresh_engine)
    bad = tmp_path / name
    bad.write_bytes(content)
    report = fresh_engine.ingest([bad])
    assert len(report.skipped) == 1 and reason in report.skipped[0][1]
    assert snapshot(fresh_engine) == before
    # A bad file that replaces a good one keeps the good version in the store.
    (corpus / "000_0dd2a3e0bdc5e534.txt").write_bytes(b"\xff\xfe\x00garbage")
    report = fresh_engine.ingest([corpus])
    assert report.skipped and snapshot(fresh_engine) == before


def test_interrupted_ingest_leaves_nothing_visible_and_is_repaired(fresh_engine, corpus, monkeypatch):
    fresh_engine.ingest([corpus])
    target = corpus / "001_50707cac18e41cab.txt"
    target.write_text(target.read_text(encoding="utf-8") + "\nThe walrus briefing was cancelled.\n", encoding="utf-8")
    documents = fresh_engine.store.documents
    real_upsert = documents.upsert

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies between writing chunks and committing

    monkeypatch.setattr(documents, "upsert", crash)
    with pytest.raises(KeyboardInterrupt):
        fresh_engine.ingest([corpus])
    monkeypatch.setattr(documents, "upsert", real_upsert)
    # New-version chunks exist on disk but are not committed, so nobody sees them.
    assert any("walrus" in t for t in fresh_engine.store.chunks.get()["documents"])
    answer = fresh_engine.ask("What happened to the walrus briefing?")
    assert all("walrus" not in c.quote for c in answer.citations)
    report = fresh_engine.ingest([corpus])
    assert report.updated == (target.stem,) and report.repaired
    ids = fresh_engine.store.chunks.get()["ids"]
    versions = {i.rsplit(":", 2)[1] for i in ids if i.startswith(target.stem)}
    assert len(versions) == 1  # the old version was collected
    answer = fresh_engine.ask("What happened to the walrus briefing?")
    assert any("walrus" in c.quote for c in answer.citations)


def test_bm25_side_matches_the_collection_after_every_ingest(fresh_engine, corpus):
    for expected_docs in (5, 4):
        fresh_engine.ingest([corpus], prune=True)
        assert len(fresh_engine.store.manifest()) == expected_docs
        committed = fresh_engine.store.committed_versions()
        chroma_ids = {i for i in fresh_engine.store.chunks.get()["ids"]
                      if committed.get(i.rsplit(":", 2)[0]) == i.rsplit(":", 2)[1]}
        assert set(fresh_engine.lexical._ids) == chroma_ids
        assert fresh_engine.lexical.revision == fresh_engine.store.revision()
        (corpus / "003_921e0df82687d6a9.txt").unlink(missing_ok=True)


def test_reader_in_another_engine_sees_new_revision(fresh_engine, corpus, embedder, tmp_path):
    fresh_engine.ingest([corpus])
    reader = Engine.open(fresh_engine.settings, embedder=embedder)
    assert len(reader.sources()) == 5
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "okapi.txt").write_text("Okapi report\n\nThe okapi envoy said the talks had collapsed.\n",
                                     encoding="utf-8")
    fresh_engine.ingest([extra])
    answer = reader.ask("What did the okapi envoy say about the talks?")
    assert answer.citations and answer.citations[0].doc_id == "okapi"


def test_embedding_model_mismatch_is_a_clear_error(fresh_engine, corpus, embedder):
    fresh_engine.ingest([corpus])
    other = Settings(home=fresh_engine.settings.home, embeddings="openai", openai_base_url="http://127.0.0.1:9/v1",
                     _env_file=None)
    with pytest.raises(EmbeddingModelMismatch, match="dossier ingest --reset"):
        Engine.open(other, embedder=embedder)


def test_missing_path_is_reported(fresh_engine, tmp_path):
    report = fresh_engine.ingest([tmp_path / "nowhere"])
    assert report.skipped == ((str(tmp_path / "nowhere"), "no such file or directory"),)


def test_reset_rebuilds_a_store_made_with_another_model(fresh_engine, corpus, embedder):
    fresh_engine.ingest([corpus])
    other = Settings(home=fresh_engine.settings.home, embeddings="openai", openai_base_url="http://127.0.0.1:9/v1",
                     _env_file=None)
    # The local embedder stands in for the other model here: only the stored model id matters.
    engine = Engine.open(other, embedder=embedder, reset=True)
    assert engine.sources() == []
    engine.ingest([corpus])
    assert len(engine.sources()) == 5
    with pytest.raises(EmbeddingModelMismatch):
        Engine.open(fresh_engine.settings, embedder=embedder)


def test_the_engine_is_assembled_from_the_collaborators_passed_in(seeded_store, embedder):
    from dossier.index.catalogue import Catalogue
    from dossier.index.embedder import model_id
    from dossier.index.store import Store

    settings = Settings(home=seeded_store, _env_file=None)
    store = Store.open(settings, model_id(settings))
    catalogue = Catalogue.for_store(store, settings)
    engine = Engine.open(settings, embedder=embedder, store=store, catalogue=catalogue)
    assert engine.store is store and engine.catalogue is catalogue and engine.embedder is embedder
    assert len(engine.sources()) == 5 and set(catalogue.manifest) == {m.doc_id for m in engine.sources()}
    assert catalogue.versions == store.committed_versions() and catalogue.speakers
    assert catalogue.idf("missil") > 0  # the BM25 side came with it
