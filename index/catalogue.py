"""The catalogue of the corpus: what is committed, refreshed by the store's revision.

One collaborator answers "which documents, in which versions, who speaks in them, how
rare is a word, how is a sentence cited" for the engine and the generated answers,
instead of each reaching into the store and the BM25 index."""

from __future__ import annotations

from typing import Callable, Optional

from .ingest import sync_lexical
from .lexical import LexicalIndex
from .models import Citation, DocumentMeta, SentenceRecord
from .store import Store


class Catalogue:
    def __init__(self, store: Store, lexical: LexicalIndex) -> None:
        self.store = store
        self.lexical = lexical
        self.revision: Optional[int] = None
        self.manifest: dict[str, DocumentMeta] = {}
        self.versions: dict[str, str] = {}  # doc_id -> the committed version (id part of its records)
        self.speakers: set[str] = set()

    @classmethod
    def for_store(cls, store: Store, settings) -> "Catalogue":
        return cls(store, LexicalIndex(settings.home / "bm25" / settings.collection))

    def refresh(self) -> None:
        """Reload the manifest (and the BM25 side) when an ingest changed the store."""
        revision = self.store.revision()
        if revision == self.revision:
            return
        self.manifest = self.store.manifest()
        self.versions = self.store.committed_versions()
        self.speakers = self.store.speakers()
        sync_lexical(self.store, self.lexical, revision)
        self.revision = revision

    def forget(self) -> None:
        """The next refresh reloads, whatever the revision (after this process wrote)."""
        self.revision = None

    @property
    def idf(self) -> Callable[[str], float]:
        """How rare a (stemmed) term is in the corpus, from the BM25 side."""
        return self.lexical.idf

    def knows(self, word: str) -> bool:
        return self.lexical.knows(word)

    def citation(self, n: int, record: SentenceRecord) -> Citation:
        meta = self.manifest[record.doc_id]
        return Citation(n=n, doc_id=record.doc_id, title=meta.title, outlet=meta.outlet or meta.byline,
                        date=meta.date, quote=record.quote, start=record.start, end=record.end,
                        url=meta.url)
