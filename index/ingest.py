"""Ingest article files into the store: idempotent, repairable, with counts."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional


from .attribution import attribute
from .embedder import Embedder, embed_texts
from .errors import DossierError, FileRejected, StoreError
from .lexical import LexicalIndex
from .models import DocumentMeta, IngestReport, ParsedDocument
from .parse import SUPPORTED_SUFFIXES, parse_article, read_article
from .store import PendingDocument, Store

# What a stored document holds besides its text (sentences and their spans, chunks, title and
# date, speakers, quotes, pronoun subjects) is the reader's work: parse.py and attribution.py.
# Bump READER_VERSION whenever a change to them alters what they make of an unchanged file: the
# next ingest then re-reads every document an older reader stored (its version lacks this
# suffix) instead of keeping its old sentences. tests/test_reader_version.py fails when the
# reader's output on the shipped corpora changes and this number did not.
READER_VERSION = 4


def record_version(sha256: str) -> str:
    """The version a document's records carry: its file's content and the reader that read it
    (version 1 stores carry the content digest alone)."""
    return f"{sha256[:16]}-r{READER_VERSION}"


def stale_documents(manifest: Mapping[str, DocumentMeta], versions: Mapping[str, str]) -> list[str]:
    """Of the committed documents (``manifest``, with their record ``versions``), those an older
    reader stored: the next ingest of their files re-reads them."""
    return sorted(d for d, meta in manifest.items() if versions.get(d) != record_version(meta.sha256))


Progress = Callable[[int, int, str], None]
# Called with the name of each point an ingest passes ("locked", "uncommitted", "committed",
# "publishing"): the race tests pause a writer there to start another one.
Checkpoint = Callable[[str], None]
Notify = Callable[[str], None]


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest (directories are walked for .txt/.md) and paths skipped up front, each
    with its own reason: missing, a symbolic link loop, a directory that cannot be listed."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        problem = unusable(path)
        if problem is not None:
            skipped.append((str(path), problem))
        elif path.is_dir():
            found, unlisted = _walk(path)
            files.extend(found)
            skipped.extend(unlisted)
        else:
            files.append(path)
    return files, skipped


def unusable(path: Path) -> Optional[str]:
    """Why ``path`` cannot be ingested at all, or None (a file's content is judged later)."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
        if exc.errno == errno.ENOENT:
            return "broken symbolic link" if path.is_symlink() else "no such file or directory"
        if exc.errno == errno.EACCES:
            return "permission denied"
        return f"cannot be read ({exc.strerror or exc})"
    if path.is_dir():
        return None if os.access(path, os.R_OK | os.X_OK) else "permission denied (the directory cannot be listed)"
    return None if path.is_file() else "not a regular file or directory"


def _walk(root: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The .txt/.md files under ``root`` (hidden parts skipped), and the subdirectories that
    could not be listed (a silent gap would look like a complete ingest)."""
    unlisted: list[tuple[str, str]] = []

    def failed(error: OSError) -> None:
        unlisted.append((str(error.filename), "permission denied (the directory cannot be listed)"
                         if error.errno == errno.EACCES else f"cannot be listed ({error.strerror or error})"))

    found = []
    seen: set[str] = set()  # real paths walked: a link back up the tree is walked once, not forever
    for folder, dirs, names in os.walk(root, onerror=failed, followlinks=True):
        seen.add(os.path.realpath(folder))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and os.path.realpath(os.path.join(folder, d)) not in seen)
        found.extend(Path(folder) / n for n in names
                     if not n.startswith(".") and Path(n).suffix.lower() in SUPPORTED_SUFFIXES)
    return sorted(p for p in found if p.is_file()), unlisted


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


# Sentences collected (from as many files as it takes) before one pass through the embedder
# and one batched write. Big enough that per-call overheads vanish, small enough that the
# memory an ingest holds stays bounded whatever the size of the folder. The engine passes
# DOSSIER_INGEST_BATCH_SENTENCES, whose default this is.
EMBED_BATCH_SENTENCES = 2048


def ingest(store: Store, embedder: Embedder, lexical: LexicalIndex, paths: Iterable[Path],
           max_file_bytes: int, prune: bool = False, progress: Optional[Progress] = None,
           batch_sentences: Optional[int] = None, wait: bool = True, notify: Optional[Notify] = None,
           checkpoint: Optional[Checkpoint] = None) -> IngestReport:
    """Files are read and parsed one at a time; their sentences are embedded and written in
    batches of about ``batch_sentences`` (each document still committed after its chunks).

    The whole run holds the store's write lock: a second writer waits (``notify`` tells the
    user why) or, with ``wait=False``, fails at once with StoreBusy. A reset store (built
    beside the old one) is swapped in only when the run succeeded; otherwise it is dropped
    and the old store is left as it was."""
    lock = store.lock
    if lock is not None:
        lock.acquire(wait=wait, notify=notify)
    try:
        if store.staging:
            store.begin_reset()
        report = _ingest_locked(store, embedder, lexical, paths, max_file_bytes, prune, progress,
                                batch_sentences, checkpoint or _no_checkpoint, lock)
        if store.staging:
            _promote(store, report)
        return report
    except BaseException as error:
        staging = store.staging
        if staging:
            _quietly(store.discard)
        if lock is not None:
            _quietly(lock.release)
            lock = None
        if staging and isinstance(error, DossierError):
            raise type(error)(f"{error} (the reset was abandoned: the existing store is unchanged)") from None
        raise
    finally:
        if lock is not None:
            lock.release()


def _quietly(cleanup: Callable[[], None]) -> None:
    """Clean up after a failed run without hiding why it failed: a server that went away can
    neither drop a half-built reset nor take a lease back (the lease expires on its own)."""
    try:
        cleanup()
    except StoreError:
        pass


def _no_checkpoint(name: str) -> None:
    pass


def _promote(store: Store, report: IngestReport) -> None:
    """Swap a reset store in, unless nothing could be ingested at all (then the old store,
    whatever it holds, is worth more than an empty one)."""
    if report.skipped and not (report.added or report.updated or report.unchanged):
        path, reason = report.skipped[0]
        raise StoreError(f"--reset ingested nothing ({len(report.skipped)} skipped; first: {path}: {reason})")
    store.promote()


def _ingest_locked(store: Store, embedder: Embedder, lexical: LexicalIndex, paths: Iterable[Path],
                   max_file_bytes: int, prune: bool, progress: Optional[Progress], batch_sentences: Optional[int],
                   checkpoint: Checkpoint, lock) -> IngestReport:
    checkpoint("locked")
    batch_sentences = batch_sentences or EMBED_BATCH_SENTENCES
    files, skipped = discover(paths)
    committed = store.manifest()
    versions = store.committed_versions()
    repaired_count = store.collect_garbage()
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    seen: dict[str, Path] = {}
    pending: list[tuple[ParsedDocument, str, bool]] = []
    pending_sentences = 0
    dirty = False

    def mark_dirty() -> None:
        """Flag the store before its first write, so a crash leaves a scan for the next run."""
        nonlocal dirty
        if not dirty:
            store.mark_dirty()
            dirty = True

    def flush() -> None:
        nonlocal pending, pending_sentences
        if not pending:
            return
        mark_dirty()
        texts = [s.text for doc, _, _ in pending for s in doc.sentences]
        vectors = embed_texts(embedder, texts)
        items, offset = [], 0
        for doc, version, known in pending:
            n = len(doc.sentences)
            found = attribute([s.text for s in doc.sentences], [s.paragraph for s in doc.sentences], doc.text)
            items.append(PendingDocument(doc, version, vectors[offset:offset + n], [a.speaker for a in found],
                                         [a.quoted for a in found], replaces=known,
                                         subjects=[a.subject for a in found],
                                         antecedents=[a.antecedent for a in found]))
            offset += n
        if lock is not None:
            lock.check()
        store.write_documents(items, fresh=True, checkpoint=checkpoint)  # leftovers were collected above
        for doc, _, known in pending:
            (updated if known else added).append(doc.meta.doc_id)
        pending, pending_sentences = [], 0

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
            if known is not None and known.sha256 == sha256 and versions.get(doc_id) == record_version(sha256):
                seen[doc_id] = path
                unchanged.append(doc_id)
                continue
            parsed = parse_article(path, text, sha256)
        except FileRejected as reason:
            skipped.append((str(path), str(reason)))
            continue
        seen[doc_id] = path
        pending.append((parsed, record_version(sha256), known is not None))
        pending_sentences += len(parsed.sentences)
        if pending_sentences >= batch_sentences:
            flush()
    flush()
    if progress and files:
        progress(len(files), len(files), "")
    pruned: list[str] = []
    if prune:
        for doc_id, meta in committed.items():
            if doc_id not in seen and not Path(meta.path).exists():
                mark_dirty()
                store.delete_document(doc_id)
                pruned.append(doc_id)
    changed = bool(added or updated or pruned or repaired_count)
    checkpoint("publishing")
    if changed:
        revision = store.bump_revision()  # also marks the store clean
    else:
        if dirty or store.is_dirty():
            store.mark_clean()  # a full scan found nothing: the store is known clean now
        revision = store.revision()
    sync_lexical(store, lexical, revision, force=changed)
    return IngestReport(added=tuple(added), updated=tuple(updated), unchanged=tuple(unchanged),
                        skipped=tuple(skipped), pruned=tuple(pruned),
                        repaired=(f"{repaired_count} leftover records",) if repaired_count else ())
