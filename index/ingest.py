"""Ingest article files into the store: idempotent, repairable, with counts."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Optional

from llama_index.core.base.embeddings.base import BaseEmbedding

from .attribution import attribute
from .embedder import embed_texts
from .errors import FileRejected
from .lexical import LexicalIndex
from .models import IngestReport
from .parse import SUPPORTED_SUFFIXES, parse_article, read_article
from .store import Store

Progress = Callable[[int, int, str], None]


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest (directories are walked for .txt/.md) and paths skipped up front."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            skipped.append((str(path), "no such file or directory"))
    return files, skipped


def rebuild_lexical(store: Store, lexical: LexicalIndex, revision: int) -> None:
    committed = store.committed_versions()
    rows = ((cid, doc_id, text) for cid, doc_id, version, text in store.iter_chunks()
            if committed.get(doc_id) == version)
    lexical.build(rows, revision)


def sync_lexical(store: Store, lexical: LexicalIndex, revision: int, force: bool = False) -> None:
    """Make the BM25 side reflect ``revision``: keep or load a current one, else rebuild once."""
    if not force and (lexical.revision == revision or (lexical.load() and lexical.revision == revision)):
        return
    rebuild_lexical(store, lexical, revision)


def ingest(store: Store, embedder: BaseEmbedding, lexical: LexicalIndex, paths: Iterable[Path],
           max_file_bytes: int, prune: bool = False, progress: Optional[Progress] = None) -> IngestReport:
    files, skipped = discover(paths)
    committed = store.manifest()
    repaired_count = store.collect_garbage()
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    seen: dict[str, Path] = {}
    for position, path in enumerate(files, start=1):
        if progress:
            progress(position - 1, len(files), path.name)
        doc_id = path.stem
        if doc_id in seen and seen[doc_id].resolve() != path.resolve():
            skipped.append((str(path), f"document id {doc_id!r} is already taken by {seen[doc_id]}"))
            continue
        try:
            text, sha256 = read_article(path, max_file_bytes)
            known = committed.get(doc_id)
            if known is not None and known.sha256 == sha256:
                seen[doc_id] = path
                unchanged.append(doc_id)
                continue
            parsed = parse_article(path, text, sha256)
        except FileRejected as reason:
            skipped.append((str(path), str(reason)))
            continue
        seen[doc_id] = path
        vectors = embed_texts(embedder, [s.text for s in parsed.sentences])
        speakers, quoted = attribute([s.text for s in parsed.sentences],
                                     [s.paragraph for s in parsed.sentences], parsed.text)
        store.write_document(parsed, sha256[:16], vectors, speakers, quoted)
        (updated if known is not None else added).append(doc_id)
    if progress and files:
        progress(len(files), len(files), "")
    pruned: list[str] = []
    if prune:
        for doc_id, meta in committed.items():
            if doc_id not in seen and not Path(meta.path).exists():
                store.delete_document(doc_id)
                pruned.append(doc_id)
    changed = bool(added or updated or pruned or repaired_count)
    revision = store.bump_revision() if changed else store.revision()
    sync_lexical(store, lexical, revision, force=changed)
    return IngestReport(added=tuple(added), updated=tuple(updated), unchanged=tuple(unchanged),
                        skipped=tuple(skipped), pruned=tuple(pruned),
                        repaired=(f"{repaired_count} leftover records",) if repaired_count else ())
