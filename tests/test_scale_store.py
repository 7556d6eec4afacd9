"""Scaling behaviour of the store that needs no timing: batched writes, the dirty marker."""

from dossier.index.ingest import ingest as run_ingest


def test_clean_store_skips_the_garbage_scan(fresh_engine, corpus, monkeypatch):
    fresh_engine.ingest([corpus])
    store = fresh_engine.store
    assert not store.is_dirty()
    scans = []
    for collection in (store.chunks, store.sentences):
        real_get = collection.get
        monkeypatch.setattr(collection, "get", lambda *a, _real=real_get, **k: scans.append(k) or _real(*a, **k))
    assert store.collect_garbage() == 0 and not scans
    assert store.collect_garbage(force=True) == 0 and scans  # forcing still scans, and finds nothing


def test_batched_ingest_writes_in_few_round_trips(fresh_engine, corpus, monkeypatch):
    store = fresh_engine.store
    calls = []
    for collection in (store.chunks, store.sentences):
        for name in ("add", "upsert"):
            real = getattr(collection, name)
            monkeypatch.setattr(collection, name, lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    report = run_ingest(store, fresh_engine.embedder, fresh_engine.lexical, [corpus], 2_000_000)
    assert len(report.added) == 5
    assert len(calls) == 2  # one write per collection for all five documents
    assert not store.is_dirty()
    # Small batches still give the same documents.
    other = run_ingest(store, fresh_engine.embedder, fresh_engine.lexical, [corpus], 2_000_000, batch_sentences=1)
    assert len(other.unchanged) == 5


def test_a_file_named_twice_in_one_batch_is_written_once(fresh_engine, corpus):
    report = fresh_engine.ingest([corpus, corpus / "000_0dd2a3e0bdc5e534.txt"])
    assert report.added.count("000_0dd2a3e0bdc5e534") == 2  # reported as before batching
    assert len(fresh_engine.store.manifest()) == 5
    ids = fresh_engine.store.chunks.get()["ids"]
    assert len(ids) == len(set(ids)) == fresh_engine.store.count_chunks()
