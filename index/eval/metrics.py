"""Per-question outcomes and the metrics that summarise a configuration.

Every metric is a share in [0, 1] (or milliseconds / characters) over the questions it is
defined on, and ``None`` when there is nothing to measure (no answerable question, no
citation...): a rate over zero cases is not 0 and not 1, and must not divide by zero.
docs/eval.md defines each one for readers of the figures.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from ..models import DISPUTED_LEAD, Answer, Citation, Status
from .judge import SupportScore
from .questions import Question, phrases_found

METRICS = ("hit@k", "mrr", "phrase_recall", "source_precision", "quote_exactness", "support_recall",
           "support_precision", "attribution_kept", "refused_unanswerable", "answered_answerable",
           "declined_unanswerable", "declined_answerable", "latency_p50_ms", "latency_p95_ms", "answer_chars_p50")
RATES = METRICS[:12]  # the metrics that are shares in [0, 1]
# Generated mode only, over the answers for which the model was asked (``Answer.draft``): what
# became of its reply (docs/eval.md), and support judged on the reply as the model wrote it.
GENERATION_METRICS = ("generated_kept", "generated_repaired", "generated_fallback", "generated_declined",
                      "raw_support_recall", "raw_support_precision")
ALL_METRICS = METRICS + GENERATION_METRICS  # every key of a configuration's summary (``--json``'s "configs")

DECLINED = frozenset({"related", "refused"})  # the articles do not state it: only related sentences, or nothing


@dataclass(frozen=True)
class Record:
    """One question answered by one configuration, with what the judges found."""

    config: str
    question: Question
    answer: Answer
    latency_ms: float
    rank: Optional[int] = None  # 1-based rank of the first relevant chunk; None when none in the top k
    support: Optional[SupportScore] = None
    exact: tuple[bool, ...] = field(default=())  # per citation: quote == file text at its span
    attribution: tuple[int, int] = (0, 0)  # answer sentences citing a named speaker, those naming it (eval/stance.py)
    raw_support: Optional[SupportScore] = None  # generated mode: the model's own reply, before the check

    def ok(self) -> dict[str, bool]:
        """Pass/fail per metric, only for the metrics this question is judged on."""
        q, a = self.question, self.answer
        result: dict[str, bool] = {"abstention": (answer_status(a) == "answered") == q.answerable}
        if q.answerable:
            result["hit"] = self.rank is not None
            result["phrases"] = answer_correct(q, a)
        share = source_precision(answer_sources(a), q.sources)
        if share is not None and answer_status(a) == "answered":
            result["sources"] = share == 1.0
        if self.exact:
            result["quotes"] = all(self.exact)
        if self.support is not None and self.support.sentences:
            result["support"] = self.support.supported == self.support.sentences
        return result

    def failed(self) -> bool:
        """The answer itself is wrong: a missed answer, or answering what the corpus cannot."""
        ok = self.ok()
        return not ok["abstention"] or not ok.get("phrases", True)


def answer_status(answer: Answer) -> Status:
    """``answered``, ``related`` or ``refused``; an answer built without a status (the two-outcome
    configurations) is answered unless refused, as ``Answer`` itself derives it."""
    return answer.status or ("refused" if answer.refused else "answered")


def answer_correct(question: Question, answer: Answer) -> bool:
    """An answerable question is answered (neither refused nor only related) with every phrase group present."""
    return (question.answerable and answer_status(answer) == "answered"
            and phrases_found(answer.answer, question.phrases))


def first_relevant_rank(chunks: Sequence[tuple[str, str]], question: Question) -> Optional[int]:
    """Rank (1-based) of the first (doc_id, text) chunk from a gold source that holds the answer phrases."""
    for rank, (doc_id, text) in enumerate(chunks, 1):
        if doc_id in question.sources and phrases_found(text, question.phrases):
            return rank
    return None


def source_precision(citations: Sequence[Citation], sources: Iterable[str]) -> Optional[float]:
    """Share of the distinct cited documents that are gold sources; None without citations."""
    cited = {c.doc_id for c in citations}
    if not cited:
        return None
    return len(cited & set(sources)) / len(cited)


def answer_sources(answer: Answer) -> list[Citation]:
    """The citations of the answer's own lines: a "Disputed:" line cites the other side of a
    statement on purpose (stance.py), which is no source of the answer."""
    disputed = {int(n) for line in answer.answer.splitlines() if line.startswith(DISPUTED_LEAD)
                for n in re.findall(r"\[(\d+)\]", line)}
    return [c for c in answer.citations if c.n not in disputed]


def share(values: Iterable[bool]) -> Optional[float]:
    values = list(values)
    return sum(values) / len(values) if values else None


def ratio(part: int, whole: int) -> Optional[float]:
    return part / whole if whole else None


def mean(values: Iterable[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def percentile(values: Iterable[float], p: float) -> Optional[float]:
    """Nearest-rank percentile: an observed value, never an interpolation between two."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarize(records: Sequence[Record]) -> dict[str, Optional[float]]:
    """The metrics of one configuration (see ALL_METRICS and docs/eval.md)."""
    answerable = [r for r in records if r.question.answerable]
    unanswerable = [r for r in records if not r.question.answerable]
    answered = [r for r in records if answer_status(r.answer) == "answered"]
    return {
        "hit@k": share(r.rank is not None for r in answerable),
        "mrr": mean(1 / r.rank if r.rank else 0.0 for r in answerable),
        "phrase_recall": share(answer_correct(r.question, r.answer) for r in answerable),
        "source_precision": mean(source_precision(answer_sources(r.answer), r.question.sources) for r in answered),
        "quote_exactness": share(e for r in records for e in r.exact),
        "support_recall": mean(r.support.recall for r in answered if r.support),
        "support_precision": mean(r.support.precision for r in answered if r.support),
        "attribution_kept": ratio(sum(r.attribution[1] for r in records), sum(r.attribution[0] for r in records)),
        "refused_unanswerable": share(r.answer.refused for r in unanswerable),
        "answered_answerable": share(not r.answer.refused for r in answerable),
        "declined_unanswerable": share(answer_status(r.answer) in DECLINED for r in unanswerable),
        "declined_answerable": share(answer_status(r.answer) in DECLINED for r in answerable),
        "latency_p50_ms": percentile((r.latency_ms for r in records), 50),
        "latency_p95_ms": percentile((r.latency_ms for r in records), 95),
        "answer_chars_p50": percentile((len(r.answer.answer) for r in answered), 50),
        **generation_summary(records),
    }


def generation_summary(records: Sequence[Record]) -> dict[str, Optional[float]]:
    """GENERATION_METRICS: None for a configuration that never asks a model."""
    drafts = [r.answer.draft for r in records if r.answer.draft is not None]
    outcomes = {"generated_kept": "generated", "generated_repaired": "repaired", "generated_fallback": "fallback",
                "generated_declined": "declined"}
    summary = {metric: share(d.outcome == outcome for d in drafts) for metric, outcome in outcomes.items()}
    raw = [r.raw_support for r in records if r.raw_support is not None]
    summary["raw_support_recall"] = mean(s.recall for s in raw)
    summary["raw_support_precision"] = mean(s.precision for s in raw)
    return summary
