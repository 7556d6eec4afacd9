"""Collecting what a writer that is gone left uncommitted.

Only an ingest holding the write lock calls this, so no live writer owns the records it
finds: chunks and sentences whose (document, version) is not the committed one were
written by an ingest that died (or was killed) before its commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

DELETE_PAGE = 5000


def collect_garbage(store: "Store", force: bool = False) -> int:
    """Remove uncommitted chunks and sentences; returns how many. Only a dirty store (an
    ingest started and did not finish) can hold any, so a clean one is not scanned unless
    ``force``."""
    if not force and not store.is_dirty():
        return 0
    committed = store.committed_versions()
    removed = 0
    for collection in (store.chunks, store.sentences):
        orphans = [rid for page in store.pages(collection, ["metadatas"], "scanning for leftovers")
                   for rid, meta in zip(page["ids"], page["metadatas"])
                   if not meta or committed.get(meta.get("document_id")) != meta.get("version")]
        for begin in range(0, len(orphans), DELETE_PAGE):
            batch = orphans[begin:begin + DELETE_PAGE]
            store.call(lambda: collection.delete(ids=batch), "removing leftovers")
        removed += len(orphans)
    return removed
