"""The reference line: stock llama-index retrieval over the same articles and embedder.

``VectorStoreIndex.from_documents`` with its default ``SentenceSplitter`` (1024-token chunks,
200 overlap) over the ingested files' exact text, the engine's embedder passed explicitly
and no LLM anywhere (retriever only; the global ``Settings.llm`` is never touched). The top
node is the answer, quoted whole; it is never a refusal. Its citation is located in the file:
``start_char_idx``/``end_char_idx`` when they slice out the node's text, else the first exact
occurrence, else ``-1``, so quote exactness judges stock honestly.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..models import Answer, Citation, DocumentMeta

if TYPE_CHECKING:
    from ..engine import Engine


class StockReference:
    def __init__(self, engine: "Engine", k: int) -> None:
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter

        self.meta: dict[str, DocumentMeta] = {m.doc_id: m for m in engine.sources()}
        self.texts = {d: Path(m.path).read_text(encoding="utf-8") for d, m in self.meta.items()}
        documents = [Document(text=text, id_=doc_id) for doc_id, text in self.texts.items()]
        # SentenceSplitter() is what from_documents uses by default; naming it keeps global Settings out.
        index = VectorStoreIndex.from_documents(documents, embed_model=engine.embedder,
                                                transformations=[SentenceSplitter()])
        self.retriever = index.as_retriever(similarity_top_k=k)

    def retrieve(self, question: str) -> list[tuple[str, str]]:
        return [(hit.node.ref_doc_id or "", hit.node.get_content()) for hit in self.retriever.retrieve(question)]

    def answer(self, question: str) -> Answer:
        """The top node's text as the answer, citing that node located in its file."""
        clock = time.perf_counter()
        hits = self.retriever.retrieve(question)
        timings = {"retrieve": round((time.perf_counter() - clock) * 1000, 2)}
        if not hits:
            return Answer(question=question, answer="", mode="extractive", refused=False, timings_ms=timings)
        node = hits[0].node
        text = node.get_content()
        return Answer(question=question, answer=text, mode="extractive", refused=False,
                      citations=(self.citation(node, text),), timings_ms=timings)

    def citation(self, node: Any, text: str) -> Citation:
        doc_id = node.ref_doc_id or ""
        start, end = locate(self.texts.get(doc_id, ""), text, node.start_char_idx, node.end_char_idx)
        meta = self.meta.get(doc_id)
        return Citation(n=1, doc_id=doc_id, title=meta.title if meta else doc_id,
                        outlet=(meta.outlet or meta.byline) if meta else None, date=meta.date if meta else None,
                        quote=text, start=start, end=end)


def locate(source: str, text: str, start: int | None, end: int | None) -> tuple[int, int]:
    """Where ``text`` is in ``source``: the node's own offsets if right, else a search, else (-1, -1)."""
    if start is not None and end is not None and source[start:end] == text:
        return start, end
    found = source.find(text) if text else -1
    return (found, found + len(text)) if found >= 0 else (-1, -1)
