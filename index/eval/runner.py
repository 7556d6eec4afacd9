"""Run every question through every configuration on a store built for the run.

The store lives in a temporary DOSSIER_HOME (embedded Chroma, whatever DOSSIER_CHROMA_HOST
says) and is filled once from the corpus folder (seeds/ unless told otherwise), then shared by
all configurations: the figures never depend on, or change, the user's own store.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

from llama_index.core.base.embeddings.base import BaseEmbedding

from ..engine import Engine
from ..errors import DossierError
from ..settings import EVAL_DIR, SEEDS_DIR, Settings
from . import configs
from .judge import Evidence, score_answer, score_draft
from .metrics import Record, answer_status, first_relevant_rank, summarize
from .questions import Question, check_sources
from .stance import attribution_counts
from .sets import DEFAULT_SET

DEFAULT_QUESTIONS = EVAL_DIR / f"{DEFAULT_SET}.jsonl"  # asked of seeds/, the default corpus
Progress = Callable[[str, int, int], None]  # (configuration, questions done, questions in all)


@dataclass
class EvalResult:
    k: int
    questions: list[Question]
    summaries: dict[str, dict[str, Optional[float]]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)
    corpus: Optional[Path] = None
    questions_file: Optional[Path] = None

    def to_dict(self) -> dict:
        """The ``--json`` document: metrics per configuration, then every answer with its verdicts."""
        answerable = sum(q.answerable for q in self.questions)
        return {
            "corpus": str(self.corpus) if self.corpus else None,
            "questions_file": str(self.questions_file) if self.questions_file else None,
            "configs": self.summaries,
            "skipped": self.skipped,
            "k": self.k,
            "questions": {"total": len(self.questions), "answerable": answerable,
                          "unanswerable": len(self.questions) - answerable},
            "per_question": [{"config": r.config, "id": r.question.id, "question": r.question.question,
                              "answer": r.answer.to_dict(), "status": answer_status(r.answer), "ok": r.ok(), "rank": r.rank,
                              "latency_ms": r.latency_ms, **_raw_support(r)} for r in self.records],
        }


def _raw_support(record: Record) -> dict:
    """Generated mode: the model's own reply, unchecked, and its support (the answer's
    ``generation`` says what became of it), so a run can be read sentence by sentence."""
    draft, raw = record.answer.draft, record.raw_support
    out: dict = {"model_reply": draft.reply} if draft is not None else {}
    if raw is not None:
        out["raw_support"] = {"recall": raw.recall, "precision": raw.precision}
    return out


def run_eval(questions: list[Question], names: Sequence[str], settings: Settings, path: Path,
             embedder: Optional[BaseEmbedding] = None, progress: Optional[Progress] = None,
             corpus: Path = SEEDS_DIR) -> EvalResult:
    """Build the temporary store from ``corpus``, check the question sources against it, run each configuration."""
    with tempfile.TemporaryDirectory(prefix="dossier-eval-") as home:
        isolated = settings.model_copy(update={"home": Path(home), "chroma_host": None})
        engine = Engine.open(isolated, embedder=embedder)
        engine.ingest([corpus])
        documents = engine.sources()
        if not documents:
            raise DossierError(f"no articles in {corpus} (expected .txt or .md files)")
        check_sources(questions, {d.doc_id for d in documents}, path)
        engine.ask(questions[0].question, mode="extractive")  # warm caches: latency is measured warm
        evidence = Evidence(engine, {d.doc_id: Path(d.path).read_text(encoding="utf-8") for d in documents})
        result = EvalResult(k=isolated.top_k, questions=questions, corpus=corpus, questions_file=path)
        for name in names:
            built = configs.build(name, engine, isolated.top_k)
            if isinstance(built, configs.Skipped):
                result.skipped[name] = built.reason
                continue
            records = run_config(built, questions, engine, evidence, progress)
            result.records.extend(records)
            result.summaries[name] = summarize(records)
        return result


def run_config(config: configs.Config, questions: list[Question], engine: Engine, evidence: Evidence,
               progress: Optional[Progress] = None) -> list[Record]:
    records = []
    for done, question in enumerate(questions, 1):
        records.append(judge_one(config, question, engine, evidence))
        if progress:
            progress(config.name, done, len(questions))
    return records


def judge_one(config: configs.Config, question: Question, engine: Engine, evidence: Evidence) -> Record:
    """Answer (timed: the latency a user waits for), then retrieve and judge (untimed)."""
    clock = time.perf_counter()
    answer = config.answer(question.question)
    latency = round((time.perf_counter() - clock) * 1000, 2)
    rank = first_relevant_rank(config.retrieve(question.question), question) if question.answerable else None
    return Record(config=config.name, question=question, answer=answer, latency_ms=latency, rank=rank,
                  support=score_answer(engine, evidence, answer),
                  exact=tuple(evidence.exact(c) for c in answer.citations),
                  attribution=attribution_counts(evidence, answer),
                  raw_support=score_draft(engine, answer.draft))
