"""The Chroma side of Dossier: one code path for the embedded store and a server.

Three collections share a name prefix:

* ``<prefix>_chunks``    sentence-aware chunks, the retrieval unit (llama-index nodes);
* ``<prefix>_sentences`` every sentence with its exact span, for extraction and citing;
* ``<prefix>_documents`` the manifest: one record per committed document version.

Writing a document adds its chunks and sentences first and its manifest record
last. Readers only trust chunks whose ``(doc_id, version)`` is in the manifest,
so a run interrupted half-way leaves nothing visible; the next ingest finds the
orphans and removes them. The manifest collection's metadata carries the
embedding model id (checked on every open) and a revision counter that the BM25
side uses to know when it is stale.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, TypeVar

import numpy as np

from .errors import EmbeddingModelMismatch, StoreError
from .models import DocumentMeta, ParsedDocument
from .settings import Settings

T = TypeVar("T")
GET_PAGE = 5000
META_MODEL = "dossier_embed_model"
META_REVISION = "dossier_revision"
# Set before an ingest writes anything and cleared when it finishes: a clean store has no
# uncommitted leftovers, so the next ingest can skip the full scan for them. A store written
# before the marker existed has no key and counts as dirty (scanned once, then clean).
META_DIRTY = "dossier_dirty"


@dataclass(frozen=True)
class ChunkHit:
    chunk_id: str
    doc_id: str
    score: float
    text: str
    sentence_ids: tuple[str, ...]


@dataclass(frozen=True)
class SentenceRecord:
    sentence_id: str
    doc_id: str
    text: str
    start: int
    end: int
    speaker: str
    quoted: bool
    quote: str  # the original slice, verbatim: file_text[start:end]
    embedding: np.ndarray
    paragraph: int = 0


def make_client(settings: Settings) -> Any:
    """PersistentClient under DOSSIER_HOME, or HttpClient when DOSSIER_CHROMA_HOST is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       ssl=settings.chroma_ssl, settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain ValueError/ConnectionError here
            raise StoreError(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({type(exc).__name__}); start it with `chroma run` or unset DOSSIER_CHROMA_HOST") from None
    path = settings.home / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the data directory {path} ({exc.strerror}); set DOSSIER_HOME") from None
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


_PREWARMED: set[Path] = set()


class Prewarm(threading.Thread):
    """The background load started by ``prewarm``; ``warmed`` names the collections it loaded."""

    def __init__(self, client: Any, prefix: str) -> None:
        super().__init__(name="dossier-prewarm", daemon=True)
        self.client, self.prefix = client, prefix
        self.warmed: list[str] = []

    def run(self) -> None:
        for kind in ("chunks", "sentences"):
            try:
                collection = self.client.get_collection(f"{self.prefix}_{kind}", embedding_function=None)
                sample = collection.peek(1)
                if not len(sample["ids"]):
                    return
                collection.query(query_embeddings=[sample["embeddings"][0]], n_results=1, include=[])
            except Exception:
                return  # best effort: the real query reports any failure
            self.warmed.append(kind)


def prewarm(settings: Settings) -> Optional[Prewarm]:
    """Start loading an embedded store's vector indexes in a background thread.

    Chroma reads a collection's HNSW index from disk on its first query (about 0.5 s per
    collection at 100k chunks) and its Rust core releases the GIL meanwhile, so a command
    about to answer a question overlaps that with importing llama-index and loading the
    model (README "Performance" has the measured effect on `dossier ask`).
    Best effort: any failure here is left for the real query to report. A server keeps its
    indexes loaded, so there is nothing to warm in server mode. Once per store per process."""
    path = settings.home / "chroma"
    if settings.chroma_host or path in _PREWARMED or not (path / "chroma.sqlite3").is_file():
        return None
    _PREWARMED.add(path)
    try:
        client = make_client(settings)
    except Exception:
        return None
    thread = Prewarm(client, settings.collection)
    thread.start()
    return thread


def _retrying(action: Callable[[], T], what: str, attempts: int = 3, delay: float = 0.2) -> T:
    """Bounded retries with backoff for transient server failures."""
    for attempt in range(attempts):
        try:
            return action()
        except (StoreError, EmbeddingModelMismatch):
            raise
        except Exception as exc:
            if attempt == attempts - 1 or not _transient(exc):
                raise StoreError(f"Chroma failed while {what}: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}".rstrip(": ")) from None
            time.sleep(delay * (2 ** attempt))
    raise AssertionError("unreachable")


def _transient(exc: Exception) -> bool:
    name = type(exc).__name__
    return any(key in name for key in ("Connect", "Timeout", "Remote", "Protocol")) or isinstance(exc, OSError)


class Store:
    """Dossier's view of Chroma: write whole documents, read committed ones."""

    def __init__(self, client: Any, prefix: str, embed_model_id: str, cache: Optional[Path] = None) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.cache = cache
        self.client = client
        self.prefix = prefix
        self.embed_model_id = embed_model_id
        self.documents = self._collection("documents")
        self._check_model()
        self.chunks = self._collection("chunks")
        self.sentences = self._collection("sentences")
        self.chunk_store = ChromaVectorStore(chroma_collection=self.chunks)
        self._max_batch: Optional[int] = None
        self._records: Optional[tuple[int, list[dict]]] = None

    @classmethod
    def open(cls, settings: Settings, embed_model_id: str, reset: bool = False) -> "Store":
        """Open (creating if needed) the collections; ``reset`` drops them first."""
        client = _retrying(lambda: make_client(settings), "connecting")
        if reset:
            _retrying(lambda: drop_collections(client, settings.collection), "dropping collections")
        cache = settings.home / "cache" / f"{settings.collection}_manifest.json"
        return _retrying(lambda: cls(client, settings.collection, embed_model_id, cache), "opening collections")

    def _collection(self, kind: str) -> Any:
        # A new store starts its revision at the clock in ms, so a BM25 index saved for an
        # earlier store of the same name (before a reset) can never look current.
        return self.client.get_or_create_collection(
            f"{self.prefix}_{kind}",
            metadata={META_MODEL: self.embed_model_id, META_REVISION: int(time.time() * 1000), META_DIRTY: False},
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def _check_model(self) -> None:
        stored = (self.documents.metadata or {}).get(META_MODEL)
        if stored and stored != self.embed_model_id:
            raise EmbeddingModelMismatch(
                f"the store was built with embedding model {stored!r} but Dossier is configured for "
                f"{self.embed_model_id!r}; re-ingest with `dossier ingest --reset` "
                "(or switch DOSSIER_EMBEDDINGS back)")

    # ---- reading -------------------------------------------------------------------------

    def _metadata(self) -> dict:
        def read() -> dict:
            collection = self.client.get_collection(f"{self.prefix}_documents", embedding_function=None)
            return dict(collection.metadata or {})
        return _retrying(read, "reading the store revision")

    def revision(self) -> int:
        return int(self._metadata().get(META_REVISION, 0))

    def is_dirty(self) -> bool:
        """Whether an ingest may have left uncommitted records (it started and did not finish)."""
        return bool(self._metadata().get(META_DIRTY, True))

    def _set_metadata(self, revision: int, dirty: bool) -> None:
        self._records = None
        metadata = {META_MODEL: self.embed_model_id, META_REVISION: revision, META_DIRTY: dirty}
        _retrying(lambda: self.documents.modify(metadata=metadata), "updating the store revision")

    def mark_dirty(self) -> None:
        """Called once before an ingest's first write."""
        self._set_metadata(self.revision(), True)

    def mark_clean(self) -> None:
        """Called when an ingest finished without changing anything visible."""
        self._set_metadata(self.revision(), False)

    def _document_records(self) -> list[dict]:
        """The manifest's metadata records, read from Chroma once per store revision.

        A clean store's records only change with its revision (every ingest that changes
        anything bumps it), so they are kept in memory and in a small JSON file keyed by
        the collection id and revision: at 100k chunks (6k documents) reading them from
        Chroma costs ~0.5 s of every cold start. While the store is dirty (an ingest is
        running or died) they are always read afresh."""
        metadata = self._metadata()
        revision, dirty = int(metadata.get(META_REVISION, 0)), bool(metadata.get(META_DIRTY, True))
        key = f"{self.documents.id}:{revision}"
        if not dirty:
            if self._records is not None and self._records[0] == key:
                return self._records[1]
            cached = load_json(self.cache) if self.cache else None
            if isinstance(cached, dict) and cached.get("key") == key and isinstance(cached.get("records"), list):
                self._records = (key, cached["records"])
                return cached["records"]
        records = _retrying(lambda: self.documents.get(include=["metadatas"]), "reading documents")["metadatas"] or []
        records = [dict(r) for r in records]
        if not dirty:
            self._records = (key, records)
            if self.cache:
                try:
                    dump_json(self.cache, {"key": key, "records": records})
                except OSError:
                    pass  # a read-only home only loses the cache
        return records

    def manifest(self) -> dict[str, DocumentMeta]:
        """Committed documents by id."""
        out: dict[str, DocumentMeta] = {}
        for meta in self._document_records():
            out[meta["doc_id"]] = _meta_from_record(meta)
        return out

    def speakers(self) -> set[str]:
        """Every person the committed articles attribute a sentence to."""
        return {name for m in self._document_records() for name in (m.get("speakers") or "").split(",")
                if name}

    def committed_versions(self) -> dict[str, str]:
        return {m["doc_id"]: m["version"] for m in self._document_records()}

    def count_chunks(self) -> int:
        return _retrying(self.chunks.count, "counting chunks")

    def iter_chunks(self) -> Iterable[tuple[str, str, str, str]]:
        """All chunks as (chunk_id, doc_id, version, text), page by page."""
        for page in self._pages(self.chunks, ["documents", "metadatas"], "reading chunks"):
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield cid, meta["document_id"], meta["version"], text

    @staticmethod
    def _pages(collection: Any, include: list[str], what: str) -> Iterable[dict]:
        """A whole collection, GET_PAGE records at a time: memory stays bounded at any size."""
        offset = 0
        while True:
            page = _retrying(lambda: collection.get(include=include, limit=GET_PAGE, offset=offset), what)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def query_chunks(self, embedding: np.ndarray, k: int) -> list[ChunkHit]:
        """Dense top-k through llama-index's ChromaVectorStore (the records are in its layout)."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        query = VectorStoreQuery(query_embedding=np.asarray(embedding, dtype=np.float32).tolist(),
                                 similarity_top_k=k)
        result = _retrying(lambda: self.chunk_store.query(query), "querying chunks")
        hits = []
        for node, similarity in zip(result.nodes, result.similarities):
            # ChromaVectorStore reports exp(-distance); recover cosine = 1 - distance.
            cosine = 1.0 + float(np.log(max(similarity, 1e-12)))
            hits.append(ChunkHit(chunk_id=node.node_id, doc_id=node.ref_doc_id or "", score=cosine,
                                 text=node.get_content(), sentence_ids=tuple(node.metadata["sentence_ids"].split(","))))
        return hits

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, ChunkHit]:
        if not chunk_ids:
            return {}
        page = _retrying(lambda: self.chunks.get(ids=chunk_ids, include=["documents", "metadatas"]), "reading chunks")
        return {cid: ChunkHit(chunk_id=cid, doc_id=meta["document_id"], score=0.0, text=text,
                              sentence_ids=tuple(meta["sentence_ids"].split(",")))
                for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"])}

    def get_sentences(self, sentence_ids: list[str]) -> list[SentenceRecord]:
        if not sentence_ids:
            return []
        page = _retrying(lambda: self.sentences.get(ids=sentence_ids, include=["documents", "metadatas", "embeddings"]),
                         "reading sentences")
        by_id = {sid: _sentence(sid, text, meta, emb)
                 for sid, text, meta, emb in zip(page["ids"], page["documents"], page["metadatas"], page["embeddings"])}
        return [by_id[s] for s in sentence_ids if s in by_id]

    def similar_sentences(self, embedding: np.ndarray, k: int) -> list[tuple[SentenceRecord, float]]:
        result = _retrying(lambda: self.sentences.query(query_embeddings=[embedding.tolist()], n_results=k,
                                                        include=["documents", "metadatas", "embeddings", "distances"]),
                           "querying sentences")
        return [(_sentence(sid, text, meta, emb), 1.0 - float(dist))
                for sid, text, meta, emb, dist in zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                                                      result["embeddings"][0], result["distances"][0])]

    # ---- writing -------------------------------------------------------------------------

    def write_documents(self, items: list["PendingDocument"], fresh: bool = False) -> None:
        """Write several documents with a handful of round trips, keeping commit-last.

        All their sentences and chunks go first (upserts in slices of the server's maximum
        batch size), then one upsert of their manifest records commits them together, then
        the old versions of documents that were replaced are removed. An interruption before
        the manifest upsert leaves only uncommitted records, which nobody reads and the next
        ingest collects (the store is marked dirty while an ingest runs).

        ``fresh`` says uncommitted leftovers were just collected, so plain adds suffice
        (cheaper than upserts); otherwise records are upserted over any leftovers."""
        if not items:
            return
        self._records = None
        sentences: dict[str, list] = {"ids": [], "embeddings": [], "metadatas": [], "documents": []}
        chunks: dict[str, list] = {"ids": [], "embeddings": [], "metadatas": [], "documents": []}
        records: dict[str, list] = {"ids": [], "embeddings": [], "metadatas": [], "documents": []}
        written: set[tuple[str, str]] = set()
        for item in items:
            doc, version, vectors = item.doc, item.version, np.asarray(item.vectors, dtype=np.float32)
            doc_id = doc.meta.doc_id
            if (doc_id, version) in written:  # the same file named twice: Chroma rejects repeated ids
                continue
            written.add((doc_id, version))
            node_content = _node_content_template(doc_id)
            sentence_ids = [f"{doc_id}:{version}:s{i}" for i in range(len(doc.sentences))]
            for index, sentence in enumerate(doc.sentences):
                meta = {"version": version, "start": sentence.start, "end": sentence.end,
                        "speaker": item.speakers[index], "quoted": item.quoted[index],
                        "quote": doc.text[sentence.start:sentence.end], "paragraph": sentence.paragraph}
                _append(sentences, sentence_ids[index], vectors[index], sentence.text,
                        _node_metadata(meta, sentence_ids[index], node_content))
            for index, members in enumerate(doc.chunks):
                # A chunk's vector is the normalised mean of its sentences' vectors: every
                # sentence is embedded once, and chunks cost no second pass through the model.
                mean = vectors[list(members)].mean(axis=0)
                mean /= max(float(np.linalg.norm(mean)), 1e-12)
                chunk_id = f"{doc_id}:{version}:c{index}"
                meta = {"version": version, "chunk_index": index,
                        "sentence_ids": ",".join(sentence_ids[i] for i in members)}
                _append(chunks, chunk_id, mean, " ".join(doc.sentences[i].text for i in members),
                        _node_metadata(meta, chunk_id, node_content))
            centroid = vectors.mean(axis=0)
            centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
            record = _record_from_meta(doc.meta, version, len(doc.chunks), len(doc.sentences))
            record["speakers"] = ",".join(sorted(set(item.speakers) - {""}))
            _append(records, doc_id, centroid, doc.meta.title, record)
        self._write(self.sentences, sentences, "writing sentences", add=fresh)
        self._write(self.chunks, chunks, "writing chunks", add=fresh)
        self._write(self.documents, records, "committing a document", add=False)
        for item in items:
            if item.replaces:
                self._delete_where({"$and": [{"document_id": item.doc.meta.doc_id}, {"version": {"$ne": item.version}}]})

    def max_batch(self) -> int:
        if self._max_batch is None:
            try:
                self._max_batch = int(_retrying(self.client.get_max_batch_size, "reading the batch size"))
            except Exception:
                self._max_batch = 1000
        return max(1, self._max_batch)

    def _write(self, collection: Any, rows: dict[str, list], what: str, add: bool) -> None:
        size = self.max_batch()
        for begin in range(0, len(rows["ids"]), size):
            part = {key: values[begin:begin + size] for key, values in rows.items()}
            _retrying(lambda: (collection.add if add else collection.upsert)(**part), what)

    def delete_document(self, doc_id: str) -> None:
        self._records = None
        _retrying(lambda: self.documents.delete(ids=[doc_id]), "deleting a document")
        self._delete_where({"document_id": doc_id})

    def collect_garbage(self, force: bool = False) -> int:
        """Remove chunks and sentences of versions that were never committed. Returns how many.

        Only a dirty store (an ingest started and did not finish) can hold such records, so a
        clean one is not scanned unless ``force``."""
        if not force and not self.is_dirty():
            return 0
        committed = self.committed_versions()
        removed = 0
        for collection in (self.chunks, self.sentences):
            orphans = [cid for page in self._pages(collection, ["metadatas"], "scanning for leftovers")
                       for cid, meta in zip(page["ids"], page["metadatas"])
                       if committed.get(meta["document_id"]) != meta["version"]]
            for begin in range(0, len(orphans), GET_PAGE):
                batch = orphans[begin:begin + GET_PAGE]
                _retrying(lambda: collection.delete(ids=batch), "removing leftovers")
            removed += len(orphans)
        return removed

    def bump_revision(self) -> int:
        """Publish a finished ingest: a new revision, and the store marked clean."""
        revision = self.revision() + 1
        self._set_metadata(revision, False)
        return revision

    def _delete_where(self, where: dict) -> None:
        for collection in (self.sentences, self.chunks):
            _retrying(lambda: collection.delete(where=where), "removing old chunks")


@dataclass
class PendingDocument:
    """A parsed, embedded document waiting to be written."""
    doc: ParsedDocument
    version: str
    vectors: np.ndarray
    speakers: list[str]
    quoted: list[bool]
    replaces: bool = True  # an older version may exist and is removed after the commit


def _append(rows: dict[str, list], rid: str, vector: np.ndarray, text: str, metadata: dict) -> None:
    rows["ids"].append(rid)
    rows["embeddings"].append(vector)
    rows["documents"].append(text)
    rows["metadatas"].append(metadata)


def _node_content_template(doc_id: str) -> str:
    """The ``_node_content`` JSON llama-index's ChromaVectorStore stores with each node.

    Records are written in exactly the layout ``ChromaVectorStore.add`` produces (so
    ``chunk_store`` reads them back), without building a TextNode
    per record. The text is kept in the Chroma document, as llama-index does."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    node = TextNode(id_="\x00ID\x00", text="", relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)})
    return node_to_metadata_dict(node, remove_text=True, flat_metadata=False)["_node_content"]


def _node_metadata(meta: dict, node_id: str, template: str) -> dict:
    """llama-index's flat metadata dict for a node with ``meta`` and a SOURCE relationship."""
    content = json.loads(template)
    content["id_"] = node_id
    content["metadata"] = meta
    out = dict(meta)
    out["_node_content"] = json.dumps(content)
    out["_node_type"] = "TextNode"
    doc_id = content["relationships"]["1"]["node_id"]
    out["document_id"] = out["doc_id"] = out["ref_doc_id"] = doc_id
    return out


def drop_collections(client: Any, prefix: str) -> None:
    existing = {getattr(c, "name", c) for c in client.list_collections()}
    for kind in ("chunks", "sentences", "documents"):
        if f"{prefix}_{kind}" in existing:
            client.delete_collection(f"{prefix}_{kind}")


def _sentence(sid: str, text: str, meta: dict, embedding: Any) -> SentenceRecord:
    return SentenceRecord(sentence_id=sid, doc_id=meta["document_id"], text=text, start=int(meta["start"]),
                          end=int(meta["end"]), speaker=meta.get("speaker", ""), quoted=bool(meta.get("quoted")),
                          quote=meta["quote"], paragraph=int(meta.get("paragraph", 0)),
                          embedding=np.asarray(embedding, dtype=np.float32))


def _record_from_meta(meta: DocumentMeta, version: str, n_chunks: int, n_sentences: int) -> dict:
    return {"doc_id": meta.doc_id, "title": meta.title, "title_derived": meta.title_derived,
            "outlet": meta.outlet or "", "byline": meta.byline or "", "date": meta.date or "",
            "path": meta.path, "sha256": meta.sha256, "version": version,
            "n_chunks": n_chunks, "n_sentences": n_sentences}


def _meta_from_record(record: dict) -> DocumentMeta:
    return DocumentMeta(doc_id=record["doc_id"], title=record["title"], title_derived=bool(record["title_derived"]),
                        outlet=record["outlet"] or None, byline=record["byline"] or None, date=record["date"] or None,
                        path=record["path"], sha256=record["sha256"])


def dump_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def load_json(path: Path) -> Optional[Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
