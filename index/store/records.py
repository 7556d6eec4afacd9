"""Turning parsed, embedded documents into the rows of the three collections."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..models import ParsedDocument
from . import layout


@dataclass
class PendingDocument:
    """A parsed, embedded document waiting to be written."""
    doc: ParsedDocument
    version: str
    vectors: np.ndarray
    speakers: list[str]
    quoted: list[bool]
    replaces: bool = True  # an older version may exist and is removed after the commit
    subjects: list[str] = field(default_factory=list)  # per sentence, see attribution.Attribution
    antecedents: list[int] = field(default_factory=list)


def _rows() -> dict[str, list]:
    return {"ids": [], "embeddings": [], "metadatas": [], "documents": []}


@dataclass
class DocumentRows:
    sentences: dict[str, list] = field(default_factory=_rows)
    chunks: dict[str, list] = field(default_factory=_rows)
    records: dict[str, list] = field(default_factory=_rows)


def _append(rows: dict[str, list], rid: str, vector: np.ndarray, text: str, metadata: dict) -> None:
    rows["ids"].append(rid)
    rows["embeddings"].append(vector)
    rows["documents"].append(text)
    rows["metadatas"].append(metadata)


def document_rows(items: list[PendingDocument]) -> DocumentRows:
    """Sentence, chunk and manifest rows for ``items``; a (document, version) named twice is
    written once (Chroma rejects repeated ids in one call)."""
    rows = DocumentRows()
    written: set[tuple[str, str]] = set()
    for item in items:
        key = (item.doc.meta.doc_id, item.version)
        if key not in written:
            written.add(key)
            _add_document(rows, item)
    return rows


def _add_document(rows: DocumentRows, item: PendingDocument) -> None:
    doc, version, vectors = item.doc, item.version, np.asarray(item.vectors, dtype=np.float32)
    doc_id = doc.meta.doc_id
    template = layout.node_content_template(doc_id)
    sentence_ids = [layout.sentence_id(doc_id, version, i) for i in range(len(doc.sentences))]
    for index, sentence in enumerate(doc.sentences):
        meta = {"version": version, "start": sentence.start, "end": sentence.end,
                "speaker": item.speakers[index], "quoted": item.quoted[index],
                "quote": doc.text[sentence.start:sentence.end], "paragraph": sentence.paragraph}
        if item.subjects:
            meta.update(subject=item.subjects[index], antecedent=item.antecedents[index])
        _append(rows.sentences, sentence_ids[index], vectors[index], sentence.text,
                layout.node_metadata(meta, sentence_ids[index], template))
    for index, members in enumerate(doc.chunks):
        # A chunk's vector is the normalised mean of its sentences' vectors: every sentence
        # is embedded once, and chunks cost no second pass through the model.
        cid = layout.chunk_id(doc_id, version, index)
        meta = {"version": version, "chunk_index": index, "sentence_ids": ",".join(sentence_ids[i] for i in members)}
        _append(rows.chunks, cid, layout.unit(vectors[list(members)].mean(axis=0)),
                " ".join(doc.sentences[i].text for i in members), layout.node_metadata(meta, cid, template))
    record = layout.record_from_meta(doc.meta, version, len(doc.chunks), len(doc.sentences))
    record["speakers"] = ",".join(sorted(set(item.speakers) - {""}))
    _append(rows.records, doc_id, layout.unit(vectors.mean(axis=0)), doc.meta.title, record)
