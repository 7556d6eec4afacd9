"""The bridge from Dossier's embedder protocol to llama-index's ``BaseEmbedding`` hooks."""

from __future__ import annotations


class EmbedsThroughArray:
    """llama-index's embedding hooks, all served by ``embed`` (one code path per backend)."""

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
