"""How Dossier's values are laid out as Chroma records.

Chunks and sentences are written in exactly the layout llama-index's
``ChromaVectorStore.add`` produces (so its ``query`` reads them back as nodes), without
building a ``TextNode`` per record. Ids carry the document and version:
``<doc_id>:<version>:c<i>`` for chunks, ``<doc_id>:<version>:s<i>`` for sentences; the
manifest record's id is the document id.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import numpy as np

from ..models import DocumentMeta, RetrievalHit, SentenceRecord


def version_of(record_id: str) -> str:
    """The version part of a chunk or sentence id."""
    return record_id.rsplit(":", 2)[1]


def chunk_id(doc_id: str, version: str, index: int) -> str:
    return f"{doc_id}:{version}:c{index}"


def sentence_id(doc_id: str, version: str, index: int) -> str:
    return f"{doc_id}:{version}:s{index}"


def node_content_template(doc_id: str) -> str:
    """The ``_node_content`` JSON llama-index stores with each node of ``doc_id``."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    node = TextNode(id_="\x00ID\x00", text="", relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)})
    return node_to_metadata_dict(node, remove_text=True, flat_metadata=False)["_node_content"]


def node_metadata(meta: dict, node_id: str, template: str) -> dict:
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


def sentence_from_record(sid: str, text: str, meta: Optional[dict], embedding: Any) -> Optional[SentenceRecord]:
    """A stored sentence, or None for a record without Dossier's metadata (never trusted)."""
    if not meta or "start" not in meta or "quote" not in meta:
        return None
    return SentenceRecord(sentence_id=sid, doc_id=meta["document_id"], text=text, start=int(meta["start"]),
                          end=int(meta["end"]), speaker=meta.get("speaker", ""), quoted=bool(meta.get("quoted")),
                          quote=meta["quote"], paragraph=int(meta.get("paragraph", 0)),
                          subject=meta.get("subject", ""), antecedent=int(meta.get("antecedent", -1)),
                          embedding=np.asarray(embedding, dtype=np.float32))


def chunk_hit(cid: str, text: str, meta: dict, score: Optional[float] = None) -> RetrievalHit:
    return RetrievalHit(chunk_id=cid, doc_id=meta["document_id"], text=text,
                        sentence_ids=tuple(meta["sentence_ids"].split(",")), dense=score)


def record_from_meta(meta: DocumentMeta, version: str, n_chunks: int, n_sentences: int) -> dict:
    """A manifest record's metadata: the document's values and the committed version."""
    return {"doc_id": meta.doc_id, "title": meta.title, "title_derived": meta.title_derived,
            "outlet": meta.outlet or "", "byline": meta.byline or "", "date": meta.date or "",
            "path": meta.path, "sha256": meta.sha256, "version": version,
            "n_chunks": n_chunks, "n_sentences": n_sentences, "url": meta.url or ""}


def meta_from_record(record: dict) -> DocumentMeta:
    return DocumentMeta(doc_id=record["doc_id"], title=record["title"], title_derived=bool(record["title_derived"]),
                        outlet=record["outlet"] or None, byline=record["byline"] or None, date=record["date"] or None,
                        path=record["path"], sha256=record["sha256"],
                        url=record.get("url") or None)  # stores written before links lack it


def unit(vector: np.ndarray) -> np.ndarray:
    """``vector`` scaled to length 1 (chunk and document vectors are means of sentence vectors)."""
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
