"""Loading an embedded store's vector indexes in the background before the first question."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Optional

from ..settings import Settings
from .client import store_path


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


class Prewarmer:
    """Starts at most one warm-up per store directory for the life of this object."""

    def __init__(self) -> None:
        self.started: set[Path] = set()

    def __call__(self, settings: Settings) -> Optional[Prewarm]:
        """Chroma reads a collection's HNSW index from disk on its first query (about 0.5 s per
        collection at 100k chunks) and its Rust core releases the GIL meanwhile, so a command
        about to answer a question overlaps that with importing llama-index and loading the
        model (README "Performance" has the measured effect on `dossier ask`). Best effort:
        any failure is left for the real query to report. A server keeps its indexes loaded,
        so there is nothing to warm in server mode."""
        path = store_path(settings)
        if settings.chroma_host or path in self.started or not (path / "chroma.sqlite3").is_file():
            return None
        self.started.add(path)
        try:
            from .client import connect

            connection = connect(settings)
        except Exception:
            return None
        thread = Prewarm(connection.client, settings.collection)
        thread.start()
        return thread


# One per process: warming the same store twice only costs time (a cache, not state a test
# needs to patch: a test that wants a fresh one builds its own Prewarmer).
prewarm = Prewarmer()
