"""The configurations compared side by side: each one answers and retrieves for a question.

* ``default``: ``engine.ask(question, mode="extractive")``, what ``dossier ask`` does out of the
  box (no LLM configured); pinned to extractive so the rows compare the same way everywhere;
* ``bm25`` / ``dense``: the same call with ``retrieval="bm25"`` / ``"dense"``;
* ``hybrid-raw``: hybrid retrieval with no answer shaping (no sentence scoring, no refusal):
  the top chunk is the answer, each of its sentences cited;
* ``generated``: ``engine.ask(question, mode="generated")``, only when an LLM is configured;
* ``llamaindex-stock``: the reference line (``stock.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Union

from ..errors import DossierError
from ..models import Answer

if TYPE_CHECKING:
    from ..engine import Engine

Chunks = list[tuple[str, str]]  # (doc_id, text), best first

CONFIG_NAMES = ("default", "bm25", "dense", "hybrid-raw", "generated", "llamaindex-stock")


class ConfigError(DossierError):
    """An unknown configuration name."""


@dataclass(frozen=True)
class Config:
    name: str
    answer: Callable[[str], Answer]  # the call a front end makes
    retrieve: Callable[[str], Chunks]  # what that call retrieved, judged for hit@k and MRR


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str


def parse_names(text: str | None) -> list[str]:
    """``"default,bm25"`` -> names, in the order given; all of them when empty."""
    if not text:
        return list(CONFIG_NAMES)
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIG_NAMES]
    if unknown or not names:
        raise ConfigError(f"unknown configuration {unknown[0] if unknown else text!r}; "
                          f"choose from {', '.join(CONFIG_NAMES)}")
    return list(dict.fromkeys(names))


def build(name: str, engine: "Engine", k: int) -> Union[Config, Skipped]:
    """The configuration called ``name`` over ``engine``, or why it cannot run here."""
    if name == "generated" and not engine.settings.llm_configured:
        return Skipped(name, "no LLM configured (set OPENAI_API_KEY or OPENAI_BASE_URL)")
    if name == "llamaindex-stock":
        from .stock import StockReference

        stock = StockReference(engine, k)
        return Config(name, stock.answer, stock.retrieve)
    how = {"bm25": "bm25", "dense": "dense"}.get(name, "hybrid")
    retrieve = _engine_retriever(engine, k, how)
    if name == "hybrid-raw":
        return Config(name, lambda q: raw_top_chunk(engine, q, k), retrieve)
    mode = "generated" if name == "generated" else "extractive"
    return Config(name, lambda q: engine.ask(q, k=k, mode=mode, retrieval=how), retrieve)


def _engine_retriever(engine: "Engine", k: int, how: str) -> Callable[[str], Chunks]:
    return lambda q: [(c.doc_id, c.text) for c in engine.retrieve(q, k, how=how)]


def raw_top_chunk(engine: "Engine", question: str, k: int) -> Answer:
    """Hybrid retrieval without answer shaping: the top chunk, every sentence quoted and cited."""
    clock = time.perf_counter()
    question = engine.validate(question)
    chunks = engine.retrieve(question, k, how="hybrid")
    records = engine.store.get_sentences(list(chunks[0].sentence_ids)) if chunks else []
    citations = tuple(engine.citation(n, r) for n, r in enumerate(records, 1))
    text = " ".join(f"{r.text} [{n}]" for n, r in enumerate(records, 1))
    return Answer(question=question, answer=text, mode="extractive", refused=False, citations=citations,
                  timings_ms={"retrieve": round((time.perf_counter() - clock) * 1000, 2)})
