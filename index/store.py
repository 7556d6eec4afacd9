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

    def __init__(self, client: Any, prefix: str, embed_model_id: str) -> None:
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.client = client
        self.prefix = prefix
        self.embed_model_id = embed_model_id
        self.documents = self._collection("documents")
        self._check_model()
        self.chunks = self._collection("chunks")
        self.sentences = self._collection("sentences")
        self.chunk_store = ChromaVectorStore(chroma_collection=self.chunks)
        self.sentence_store = ChromaVectorStore(chroma_collection=self.sentences)

    @classmethod
    def open(cls, settings: Settings, embed_model_id: str, reset: bool = False) -> "Store":
        """Open (creating if needed) the collections; ``reset`` drops them first."""
        client = _retrying(lambda: make_client(settings), "connecting")
        if reset:
            _retrying(lambda: drop_collections(client, settings.collection), "dropping collections")
        return _retrying(lambda: cls(client, settings.collection, embed_model_id), "opening collections")

    def _collection(self, kind: str) -> Any:
        # A new store starts its revision at the clock in ms, so a BM25 index saved for an
        # earlier store of the same name (before a reset) can never look current.
        return self.client.get_or_create_collection(
            f"{self.prefix}_{kind}",
            metadata={META_MODEL: self.embed_model_id, META_REVISION: int(time.time() * 1000)},
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

    def revision(self) -> int:
        def read() -> int:
            collection = self.client.get_collection(f"{self.prefix}_documents", embedding_function=None)
            return int((collection.metadata or {}).get(META_REVISION, 0))
        return _retrying(read, "reading the store revision")

    def manifest(self) -> dict[str, DocumentMeta]:
        """Committed documents by id."""
        records = _retrying(lambda: self.documents.get(include=["metadatas"]), "reading documents")
        out: dict[str, DocumentMeta] = {}
        for meta in records["metadatas"] or []:
            out[meta["doc_id"]] = _meta_from_record(meta)
        return out

    def speakers(self) -> set[str]:
        """Every person the committed articles attribute a sentence to."""
        records = _retrying(lambda: self.documents.get(include=["metadatas"]), "reading documents")
        return {name for m in records["metadatas"] or [] for name in (m.get("speakers") or "").split(",") if name}

    def committed_versions(self) -> dict[str, str]:
        records = _retrying(lambda: self.documents.get(include=["metadatas"]), "reading documents")
        return {m["doc_id"]: m["version"] for m in records["metadatas"] or []}

    def count_chunks(self) -> int:
        return _retrying(self.chunks.count, "counting chunks")

    def iter_chunks(self) -> Iterable[tuple[str, str, str, str]]:
        """All chunks as (chunk_id, doc_id, version, text), page by page."""
        offset = 0
        while True:
            page = _retrying(lambda: self.chunks.get(include=["documents", "metadatas"],
                                                     limit=GET_PAGE, offset=offset), "reading chunks")
            if not page["ids"]:
                return
            for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield cid, meta["document_id"], meta["version"], text
            offset += len(page["ids"])

    def query_chunks(self, embedding: np.ndarray, k: int) -> list[ChunkHit]:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        query = VectorStoreQuery(query_embedding=embedding.tolist(), similarity_top_k=k)
        result = _retrying(lambda: self.chunk_store.query(query), "querying chunks")
        hits = []
        for node, similarity in zip(result.nodes, result.similarities):
            meta = node.metadata
            # ChromaVectorStore reports exp(-distance); recover cosine = 1 - distance.
            cosine = 1.0 + float(np.log(max(similarity, 1e-12)))
            hits.append(ChunkHit(chunk_id=node.node_id, doc_id=node.ref_doc_id or "", score=cosine,
                                 text=node.get_content(), sentence_ids=tuple(meta["sentence_ids"].split(","))))
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

    def write_document(self, doc: ParsedDocument, version: str, sentence_vectors: np.ndarray,
                       speakers: list[str], quoted: list[bool]) -> None:
        """Add chunks and sentences, then commit the manifest record, then drop old versions."""
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        doc_id = doc.meta.doc_id
        source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)}
        # Leftovers of an interrupted run of this same version are removed first.
        self._delete_where({"$and": [{"document_id": doc_id}, {"version": version}]})
        sentence_nodes, chunk_nodes = [], []
        for index, sentence in enumerate(doc.sentences):
            sentence_nodes.append(TextNode(
                id_=f"{doc_id}:{version}:s{index}", text=sentence.text, embedding=sentence_vectors[index].tolist(),
                relationships=source,
                metadata={"version": version, "start": sentence.start, "end": sentence.end,
                          "speaker": speakers[index], "quoted": quoted[index],
                          "quote": doc.text[sentence.start:sentence.end], "paragraph": sentence.paragraph}))
        for index, members in enumerate(doc.chunks):
            # A chunk's vector is the normalised mean of its sentences' vectors: every
            # sentence is embedded once, and chunks cost no second pass through the model.
            mean = sentence_vectors[list(members)].mean(axis=0)
            mean /= max(float(np.linalg.norm(mean)), 1e-12)
            chunk_nodes.append(TextNode(
                id_=f"{doc_id}:{version}:c{index}", text=" ".join(doc.sentences[i].text for i in members),
                embedding=mean.tolist(), relationships=source,
                metadata={"version": version, "chunk_index": index,
                          "sentence_ids": ",".join(f"{doc_id}:{version}:s{i}" for i in members)}))
        _retrying(lambda: self.sentence_store.add(sentence_nodes), "writing sentences")
        _retrying(lambda: self.chunk_store.add(chunk_nodes), "writing chunks")
        centroid = sentence_vectors.mean(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        record = _record_from_meta(doc.meta, version, len(doc.chunks), len(doc.sentences))
        record["speakers"] = ",".join(sorted(set(speakers) - {""}))
        _retrying(lambda: self.documents.upsert(ids=[doc_id], embeddings=[centroid.tolist()],
                                                metadatas=[record], documents=[doc.meta.title]), "committing a document")
        self._delete_where({"$and": [{"document_id": doc_id}, {"version": {"$ne": version}}]})

    def delete_document(self, doc_id: str) -> None:
        _retrying(lambda: self.documents.delete(ids=[doc_id]), "deleting a document")
        self._delete_where({"document_id": doc_id})

    def collect_garbage(self) -> int:
        """Remove chunks and sentences of versions that were never committed. Returns how many."""
        committed = self.committed_versions()
        removed = 0
        for collection in (self.chunks, self.sentences):
            orphans: list[str] = []
            offset = 0
            while True:
                page = _retrying(lambda: collection.get(include=["metadatas"], limit=GET_PAGE, offset=offset),
                                 "scanning for leftovers")
                if not page["ids"]:
                    break
                for cid, meta in zip(page["ids"], page["metadatas"]):
                    if committed.get(meta["document_id"]) != meta["version"]:
                        orphans.append(cid)
                offset += len(page["ids"])
            for begin in range(0, len(orphans), GET_PAGE):
                batch = orphans[begin:begin + GET_PAGE]
                _retrying(lambda: collection.delete(ids=batch), "removing leftovers")
            removed += len(orphans)
        return removed

    def bump_revision(self) -> int:
        revision = self.revision() + 1
        metadata = {META_MODEL: self.embed_model_id, META_REVISION: revision}
        _retrying(lambda: self.documents.modify(metadata=metadata), "updating the store revision")
        return revision

    def _delete_where(self, where: dict) -> None:
        for collection in (self.sentences, self.chunks):
            _retrying(lambda: collection.delete(where=where), "removing old chunks")


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
