"""The manifest and the revision protocol.

The manifest collection (``<prefix>_documents``) holds one record per committed document
version, and its collection metadata carries the store's state:

* the embedding model id, checked on every open;
* a revision counter, bumped by every ingest that changed something: the BM25 side and
  the manifest cache use it to know when they are stale;
* a dirty flag, set before an ingest's first write and cleared when it finishes: only a
  dirty store can hold uncommitted records, so a clean one skips the scan for them. A
  store written before the flag existed has no key and counts as dirty (scanned once);
* a written flag, set before the first write ever: a store that once held documents (or
  had an ingest start) is never mistaken for a new one (the demo corpus goes only into a
  store that never held anything).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

from ..errors import EmbeddingModelMismatch
from ..jsonfile import dump_json, load_json

META_MODEL = "dossier_embed_model"
META_REVISION = "dossier_revision"
META_DIRTY = "dossier_dirty"
META_WRITTEN = "dossier_written"


def initial_metadata(model_id: str) -> dict:
    # A new store starts its revision at the clock in ms, so a BM25 index saved for an
    # earlier store of the same name (before a reset) can never look current.
    return {META_MODEL: model_id, META_REVISION: int(time.time() * 1000), META_DIRTY: False, META_WRITTEN: False}


def check_model(metadata: dict, model_id: str) -> None:
    stored = metadata.get(META_MODEL)
    if stored and stored != model_id:
        raise EmbeddingModelMismatch(
            f"the store was built with embedding model {stored!r} but Dossier is configured for "
            f"{model_id!r}; re-ingest with `dossier ingest --reset` (or switch DOSSIER_EMBEDDINGS back)")


def revision_of(metadata: dict) -> int:
    return int(metadata.get(META_REVISION, 0))


def is_dirty(metadata: dict) -> bool:
    return bool(metadata.get(META_DIRTY, True))


def was_written(metadata: dict) -> bool:
    return bool(metadata.get(META_WRITTEN, False))


def updated(metadata: dict, model_id: str, revision: Optional[int] = None, dirty: Optional[bool] = None,
            written: Optional[bool] = None) -> dict:
    """The full metadata with some keys changed (Chroma replaces a collection's metadata whole)."""
    out = {META_MODEL: model_id, META_REVISION: revision_of(metadata), META_DIRTY: is_dirty(metadata),
           META_WRITTEN: was_written(metadata)}
    if revision is not None:
        out[META_REVISION] = revision
    if dirty is not None:
        out[META_DIRTY] = dirty
    if written is not None:
        out[META_WRITTEN] = written
    return out


class ManifestCache:
    """The manifest's records, kept per store revision in memory and in a small JSON file.

    A clean store's records only change with its revision, so at 100k chunks (6k documents)
    a cold start saves the ~0.5 s of reading them from Chroma. The key is the collection id
    and the revision: a reset store (new collection) or another ingest never matches."""

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self._memory: Optional[tuple[str, list[dict]]] = None

    def get(self, key: str) -> Optional[list[dict]]:
        if self._memory is not None and self._memory[0] == key:
            return self._memory[1]
        cached = load_json(self.path) if self.path else None
        if isinstance(cached, dict) and cached.get("key") == key and isinstance(cached.get("records"), list):
            self._memory = (key, cached["records"])
            return cached["records"]
        return None

    def put(self, key: str, records: list[dict]) -> None:
        self._memory = (key, records)
        if self.path:
            try:
                dump_json(self.path, {"key": key, "records": records})
            except OSError:
                pass  # a read-only home only loses the cache

    def forget(self) -> None:
        self._memory = None


def cache_key(collection: Any, metadata: dict) -> str:
    return f"{collection.id}:{revision_of(metadata)}"
