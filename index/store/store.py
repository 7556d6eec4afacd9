"""Dossier's view of Chroma: write whole documents, read committed ones.

Three collections share a name prefix:

* ``<prefix>_chunks``    sentence-aware chunks, the retrieval unit (llama-index nodes);
* ``<prefix>_sentences`` every sentence with its exact span, for extraction and citing;
* ``<prefix>_documents`` the manifest: one record per committed document version.

Writing a document adds its chunks and sentences first and its manifest record last.
Readers only trust chunks whose ``(doc_id, version)`` is in the manifest, so a run
interrupted half-way leaves nothing visible; the next ingest (holding the write lock, so
the writer of those records is gone) collects them (``garbage.py``).

``--reset`` builds a new store beside the old one (``<prefix>_reset_*``) and swaps it in
by renaming only when its ingest succeeded (``promote``); until then the old store is
untouched, and a failed reset leaves it as it was (``discard``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import numpy as np

from ..errors import StoreError
from ..models import RetrievalHit, SentenceRecord
from ..settings import Settings
from . import layout, revision
from .client import Connection, connect, forget_clients, store_path
from .damage import move_aside
from .lock import FileWriteLock, LeaseWriteLock, WriteLock
from .records import PendingDocument, document_rows

GET_PAGE = 5000
DOCUMENTS_PER_READ = 50  # documents whose sentences one read returns (claims.py), a few thousand records
QUERY_BATCH = 256  # query vectors per round trip (claims.py asks for every new claim's neighbours)
KINDS = ("chunks", "sentences", "documents")
STAGING_SUFFIX = "reset"


class Store:
    """Dossier's store: reads of committed documents, batched writes, the revision protocol."""

    def __init__(self, connection: Connection, prefix: str, embed_model_id: str,
                 cache: Optional[Any] = None, lock: Optional[WriteLock] = None,
                 final_prefix: Optional[str] = None) -> None:
        self.connection = connection
        self.client = connection.client
        self.prefix = prefix
        self.final_prefix = final_prefix  # set while this store is a reset being built beside the old one
        self.embed_model_id = embed_model_id
        self.lock = lock
        self.manifest_cache = revision.ManifestCache(cache)
        self._max_batch: Optional[int] = None
        self._bind()

    @classmethod
    def open(cls, settings: Settings, embed_model_id: str, reset: bool = False) -> "Store":
        """Open (creating if needed) the collections.

        ``reset`` opens a new, empty store beside the old one instead: its ingest fills it
        and swaps it in (an embedded store whose files are damaged is moved aside first)."""
        connection = _connect_for_reset(settings) if reset else connect(settings)
        cache = settings.home / "cache" / f"{settings.collection}_manifest.json"
        lock = _write_lock(settings, connection)
        if reset:
            return cls(connection, f"{settings.collection}_{STAGING_SUFFIX}", embed_model_id, cache, lock,
                       final_prefix=settings.collection)
        return cls(connection, settings.collection, embed_model_id, cache, lock)

    def _bind(self) -> None:
        self.documents = self._collection("documents")
        if not self.staging:  # a reset's collections are made afresh under the lock (begin_reset)
            revision.check_model(self.documents.metadata or {}, self.embed_model_id)
        self.chunks = self._collection("chunks")
        self.sentences = self._collection("sentences")
        self.chunk_store = self._vector_store()
        self.manifest_cache.forget()

    def _vector_store(self) -> Any:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        return ChromaVectorStore(chroma_collection=self.chunks)

    def _collection(self, kind: str) -> Any:
        metadata = revision.initial_metadata(self.embed_model_id)
        return self.call(lambda: self.client.get_or_create_collection(
            f"{self.prefix}_{kind}", metadata=metadata, configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None), "opening collections")

    def call(self, action: Any, what: str) -> Any:
        return self.connection.call(action, what)

    # ---- the revision protocol ---------------------------------------------------------------

    def _metadata(self) -> dict:
        name = f"{self.prefix}_documents"
        # Read afresh: another process may have changed it since this collection was opened,
        # or swapped a whole new store in (a reset), whose collections this one must follow.
        current = self.call(lambda: _while_swapping(lambda: self.client.get_collection(name, embedding_function=None)),
                            "reading the store revision")
        if current.id != self.documents.id:
            self._bind()
        return dict(current.metadata or {})

    def revision(self) -> int:
        return revision.revision_of(self._metadata())

    def is_dirty(self) -> bool:
        """Whether an ingest may have left uncommitted records (it started and did not finish)."""
        return revision.is_dirty(self._metadata())

    def has_history(self) -> bool:
        """Whether anything was ever written here (an ingest started, or records exist), or a
        damaged store was moved aside from here (the user's articles were in it)."""
        if revision.was_written(self._metadata()):
            return True
        path = self.connection.path
        if path is not None and any(path.parent.glob(f"{path.name}.damaged-*")):
            return True
        return any(self.call(collection.count, "counting records") for collection in
                   (self.documents, self.chunks, self.sentences))

    def _set_metadata(self, **changes: Any) -> None:
        self.manifest_cache.forget()
        metadata = revision.updated(self._metadata(), self.embed_model_id, **changes)
        self.call(lambda: self.documents.modify(metadata=metadata), "updating the store revision")

    def mark_dirty(self) -> None:
        """Called once before an ingest's first write."""
        self._set_metadata(dirty=True, written=True)

    def mark_clean(self) -> None:
        """Called when an ingest finished without changing anything visible."""
        self._set_metadata(dirty=False)

    def bump_revision(self) -> int:
        """Publish a finished ingest: a new revision, and the store marked clean."""
        new = self.revision() + 1
        self._set_metadata(revision=new, dirty=False)
        return new

    # ---- the manifest ------------------------------------------------------------------------

    def _document_records(self) -> list[dict]:
        """The manifest's records: from the cache for a clean store, else read afresh (an ingest
        is running or died, so they may change at any time)."""
        metadata = self._metadata()
        key = revision.cache_key(self.documents, metadata)
        clean = not revision.is_dirty(metadata)
        if clean:
            cached = self.manifest_cache.get(key)
            if cached is not None:
                return cached
        found = self.call(lambda: self.documents.get(include=["metadatas"]), "reading documents")
        records = [dict(r) for r in found["metadatas"] or [] if r and "doc_id" in r]
        if clean:
            self.manifest_cache.put(key, records)
        return records

    def manifest(self) -> dict[str, Any]:
        """Committed documents by id (``DocumentMeta``)."""
        return {meta["doc_id"]: layout.meta_from_record(meta) for meta in self._document_records()}

    def speakers(self) -> set[str]:
        """Every person the committed articles attribute a sentence to."""
        return {name for m in self._document_records() for name in (m.get("speakers") or "").split(",") if name}

    def committed_versions(self) -> dict[str, str]:
        return {m["doc_id"]: m["version"] for m in self._document_records()}

    # ---- reading -----------------------------------------------------------------------------

    def count_chunks(self) -> int:
        return self.call(self.chunks.count, "counting chunks")

    def iter_chunks(self) -> Iterable[tuple[str, str, str, str]]:
        """All chunks as (chunk_id, doc_id, version, text), page by page."""
        for page in self.pages(self.chunks, ["documents", "metadatas"], "reading chunks"):
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                if meta and "document_id" in meta:
                    yield cid, meta["document_id"], meta["version"], text

    def pages(self, collection: Any, include: list[str], what: str) -> Iterable[dict]:
        """A whole collection, GET_PAGE records at a time: memory stays bounded at any size."""
        offset = 0
        while True:
            page = self.call(lambda: collection.get(include=include, limit=GET_PAGE, offset=offset), what)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def query_chunks(self, embedding: np.ndarray, k: int) -> list[RetrievalHit]:
        """Dense top-k through llama-index's ChromaVectorStore (the records are in its layout)."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        query = VectorStoreQuery(query_embedding=np.asarray(embedding, dtype=np.float32).tolist(),
                                 similarity_top_k=k)
        result = self.call(lambda: self.chunk_store.query(query), "querying chunks")
        hits = []
        for node, similarity in zip(result.nodes, result.similarities):
            # ChromaVectorStore reports exp(-distance); recover cosine = 1 - distance.
            cosine = 1.0 + float(np.log(max(similarity, 1e-12)))
            hits.append(RetrievalHit(chunk_id=node.node_id, doc_id=node.ref_doc_id or "", text=node.get_content(),
                                     sentence_ids=tuple(node.metadata["sentence_ids"].split(",")), dense=cosine))
        return hits

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, RetrievalHit]:
        if not chunk_ids:
            return {}
        page = self.call(lambda: self.chunks.get(ids=chunk_ids, include=["documents", "metadatas"]), "reading chunks")
        return {cid: layout.chunk_hit(cid, text, meta)
                for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]) if meta}

    def get_sentences(self, sentence_ids: list[str]) -> list[SentenceRecord]:
        if not sentence_ids:
            return []
        page = self.call(lambda: self.sentences.get(ids=sentence_ids, include=["documents", "metadatas", "embeddings"]),
                         "reading sentences")
        by_id = {sid: layout.sentence_from_record(sid, text, meta, emb)
                 for sid, text, meta, emb in zip(page["ids"], page["documents"], page["metadatas"], page["embeddings"])}
        return [record for record in (by_id.get(s) for s in sentence_ids) if record is not None]

    def similar_sentences(self, embedding: np.ndarray, k: int) -> list[tuple[SentenceRecord, float]]:
        result = self.call(lambda: self.sentences.query(query_embeddings=[embedding.tolist()], n_results=k,
                                                        include=["documents", "metadatas", "embeddings", "distances"]),
                           "querying sentences")
        out = []
        for sid, text, meta, emb, dist in zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                                              result["embeddings"][0], result["distances"][0]):
            record = layout.sentence_from_record(sid, text, meta, emb)
            if record is not None:
                out.append((record, 1.0 - float(dist)))
        return out

    def documents_sentences(self, versions: dict[str, str]) -> dict[str, list[SentenceRecord]]:
        """The sentences of the given document versions, with their vectors, each document's in
        article order (claims.py); a few documents per round trip."""
        found: dict[str, list[SentenceRecord]] = {doc_id: [] for doc_id in versions}
        doc_ids = sorted(versions)
        for begin in range(0, len(doc_ids), DOCUMENTS_PER_READ):
            where = {"document_id": {"$in": doc_ids[begin:begin + DOCUMENTS_PER_READ]}}
            page = self.call(lambda: self.sentences.get(where=where, include=["documents", "metadatas", "embeddings"]),
                             "reading sentences")
            for sid, text, meta, emb in zip(page["ids"], page["documents"], page["metadatas"], page["embeddings"]):
                record = layout.sentence_from_record(sid, text, meta, emb)
                if record is not None and versions.get(record.doc_id) == layout.version_of(sid):
                    found[record.doc_id].append(record)
        return {doc_id: sorted(records, key=lambda r: r.start) for doc_id, records in found.items()}

    def sentence_neighbours(self, vectors: list[np.ndarray], k: int) -> list[list[tuple[str, float]]]:
        """For each vector, the ids and cosines of its ``k`` nearest sentences, in a few round trips."""
        k = min(k, self.call(self.sentences.count, "counting sentences"))
        out: list[list[tuple[str, float]]] = []
        for begin in range(0, len(vectors) if k else 0, QUERY_BATCH):
            part = [np.asarray(v, dtype=np.float32).tolist() for v in vectors[begin:begin + QUERY_BATCH]]
            result = self.call(lambda: self.sentences.query(query_embeddings=part, n_results=k, include=["distances"]),
                               "querying sentences")
            out += [[(sid, 1.0 - float(d)) for sid, d in zip(ids, distances)]
                    for ids, distances in zip(result["ids"], result["distances"])]
        return out if k else [[] for _ in vectors]

    # ---- writing -----------------------------------------------------------------------------

    def write_documents(self, items: list[PendingDocument], fresh: bool = False,
                        checkpoint: Optional[Callable[[str], None]] = None) -> None:
        """Write several documents with a handful of round trips, keeping commit-last.

        All their sentences and chunks go first (in slices of the server's maximum batch
        size), then one upsert of their manifest records commits them together, then the
        old versions of replaced documents are removed. ``fresh`` says uncommitted leftovers
        were just collected, so plain adds suffice (cheaper than upserts)."""
        if not items:
            return
        self.manifest_cache.forget()
        rows = document_rows(items)
        self._write(self.sentences, rows.sentences, "writing sentences", add=fresh)
        self._write(self.chunks, rows.chunks, "writing chunks", add=fresh)
        if checkpoint:
            checkpoint("uncommitted")
        self._write(self.documents, rows.records, "committing a document", add=False)
        if checkpoint:
            checkpoint("committed")
        for item in items:
            if item.replaces:
                self._delete_where({"$and": [{"document_id": item.doc.meta.doc_id}, {"version": {"$ne": item.version}}]})

    def max_batch(self) -> int:
        if self._max_batch is None:
            try:
                self._max_batch = int(self.call(self.client.get_max_batch_size, "reading the batch size"))
            except Exception:
                self._max_batch = 1000
        return max(1, self._max_batch)

    def _write(self, collection: Any, rows: dict[str, list], what: str, add: bool) -> None:
        size = self.max_batch()
        for begin in range(0, len(rows["ids"]), size):
            part = {key: values[begin:begin + size] for key, values in rows.items()}
            self.call(lambda: (collection.add if add else collection.upsert)(**part), what)

    def delete_document(self, doc_id: str) -> None:
        self.manifest_cache.forget()
        self.call(lambda: self.documents.delete(ids=[doc_id]), "deleting a document")
        self._delete_where({"document_id": doc_id})

    def _delete_where(self, where: dict) -> None:
        for collection in (self.sentences, self.chunks):
            self.call(lambda: collection.delete(where=where), "removing old chunks")

    def collect_garbage(self, force: bool = False) -> int:
        """Remove chunks and sentences of versions that were never committed (call it holding
        the write lock). Returns how many."""
        from .garbage import collect_garbage

        return collect_garbage(self, force)

    # ---- reset: a new store built beside the old one -----------------------------------------

    @property
    def staging(self) -> bool:
        return self.final_prefix is not None

    def begin_reset(self) -> None:
        """Start the new store afresh (under the write lock: a reset that died left its half)."""
        drop_collections(self, self.prefix)
        self._bind()

    def promote(self) -> None:
        """Swap the new store in: the old collections are renamed away, the new ones take their
        names, then the old ones are dropped. Renames only; no record is copied."""
        assert self.final_prefix is not None, "only a reset store is promoted"
        final, old = self.final_prefix, f"{self.final_prefix}_replaced"
        drop_collections(self, old)
        existing = _names(self)
        for kind in KINDS:
            if f"{final}_{kind}" in existing:
                self.call(lambda: self.client.get_collection(f"{final}_{kind}", embedding_function=None)
                          .modify(name=f"{old}_{kind}"), "setting the old store aside")
        for kind in KINDS:
            self._rename_in(getattr(self, kind), f"{final}_{kind}")
        drop_collections(self, old)
        self.prefix, self.final_prefix = final, None
        self._bind()

    def _rename_in(self, collection: Any, name: str) -> None:
        """Give ``collection`` the final name. A reader that opened the store in the instant
        between the renames created an empty collection of that name: it is dropped first."""
        try:
            self.call(lambda: collection.modify(name=name), "swapping the new store in")
        except StoreError:
            intruder = self.call(lambda: self.client.get_collection(name, embedding_function=None),
                                 "swapping the new store in")
            if self.call(intruder.count, "swapping the new store in"):
                raise
            self.call(lambda: self.client.delete_collection(name), "swapping the new store in")
            self.call(lambda: collection.modify(name=name), "swapping the new store in")

    def discard(self) -> None:
        """Drop a reset store that failed; the old store was never touched."""
        if self.staging:
            drop_collections(self, self.prefix)


def _while_swapping(action: Callable[[], Any]) -> Any:
    """``action`` retried for a moment when the collection is missing: a reset swaps a new
    store in by renames, and a reader may look in the instant between two of them."""
    from chromadb.errors import NotFoundError
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

    for attempt in Retrying(stop=stop_after_attempt(5), wait=wait_fixed(0.1), reraise=True,
                            retry=retry_if_exception_type(NotFoundError)):
        with attempt:
            return action()
    raise AssertionError("unreachable")


def _names(store: Store) -> set[str]:
    return {getattr(c, "name", c) for c in store.call(store.client.list_collections, "listing collections")}


def drop_collections(store: Store, prefix: str) -> None:
    existing = _names(store)
    for kind in KINDS:
        if f"{prefix}_{kind}" in existing:
            store.call(lambda: store.client.delete_collection(f"{prefix}_{kind}"), "dropping collections")


def _write_lock(settings: Settings, connection: Connection) -> WriteLock:
    if connection.embedded:
        return FileWriteLock(settings.home / "ingest.lock", connection.where)
    return LeaseWriteLock(connection, f"{settings.collection}_lock", settings.chroma_lease_seconds)


def _connect_for_reset(settings: Settings) -> Connection:
    """A reset starts even from a damaged embedded store: its files are moved aside, kept.

    The full integrity check runs here (a reset is rare and rebuilds everything anyway), so
    damage deep in the file is found before the new store is written next to it."""
    from ..errors import StoreDamaged
    from .damage import diagnose

    try:
        if not settings.chroma_host:
            problem = diagnose(store_path(settings))
            if problem is not None:
                raise problem
        return connect(settings)
    except StoreDamaged:
        _move_damaged_aside(settings)
        return connect(settings)


def _move_damaged_aside(settings: Settings) -> Optional[Path]:
    path = store_path(settings)
    lock = FileWriteLock(settings.home / "ingest.lock", f"the store at {path}")
    lock.acquire(wait=True)
    try:
        target = move_aside(path)
    finally:
        lock.release()
    forget_clients()
    return target


def repair(settings: Settings) -> Optional[str]:
    """``dossier doctor --repair``: move a damaged embedded store aside (kept, renamed). Returns
    what was done, or None when the store's files are sound (or it lives on a server)."""
    from ..errors import StoreDamaged
    from .damage import diagnose, inspect_files

    path = store_path(settings)
    if settings.chroma_host or not path.exists():
        return None
    try:
        inspect_files(path)
        if diagnose(path) is None:
            _read_everything_once(connect(settings))
            return None
    except StoreDamaged:
        pass
    target = _move_damaged_aside(settings)
    return (f"moved the damaged store {path} aside to {target}; "
            "ingest your articles again with `dossier ingest PATH`")


def _read_everything_once(connection: Connection) -> None:
    """Open every collection and read a record of each: what a question would touch first."""
    client = connection.client
    for name in [getattr(c, "name", c) for c in connection.call(client.list_collections, "listing collections")]:
        collection = connection.call(lambda: client.get_collection(name, embedding_function=None), "opening collections")
        connection.call(lambda: collection.get(limit=1, include=["metadatas"]), "reading records")
