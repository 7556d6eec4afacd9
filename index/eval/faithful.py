"""How well the faithfulness judge (``index/faithful.py``) tells faithful sentences from flips.

``tests/data/judge_pairs/{dev,heldout}.jsonl`` hold hand-labelled (answer sentence, source
sentence) pairs (SOURCES.md there). Each pair is judged as the generated-answer check judges
it: ``cosine`` is the real MiniLM embedder's cosine of the answer (markers removed) and the
source sentence; ``overlap`` the IDF-weighted share of the answer's terms found in the source
sentence or its speaker's name, with BM25 IDF computed over the paragraphs of the benchmark's
own articles (as the index computes it over its chunks).

* accuracy: the share of pairs judged as labelled;
* precision on "supported": of the pairs the judge accepts, the share labelled faithful;
* faithful accepted: the share of faithful pairs accepted (target >= 0.9);
* unfaithful accepted, per kind (target: none).

Tune on ``dev``; ``heldout`` is the figure to report.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from ..embedder import LOCAL_MODEL_ID, Embedder, OnnxMiniLMEmbedding
from ..extractive import weighted_share
from ..faithful import Verdict, judge, without_markers
from ..lexical import tokenize

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PAIRS_DIR = PROJECT_ROOT / "tests" / "data" / "judge_pairs"
SPLITS = ("dev", "heldout")
# Later held-out files, each written blind on another story once the one before had been read
# (sessions 23, 24 and 25): printed wherever "heldout" is asked for.
LATER_HELDOUT = ("heldout2", "heldout3", "heldout4", "heldout5")
FAITHFUL = "faithful"


@dataclass(frozen=True)
class Judged:
    """One benchmark pair and what the judge said of it."""

    id: str
    kind: str
    faithful: bool  # the label
    verdict: Verdict
    cosine: float
    overlap: float

    @property
    def right(self) -> bool:
        return self.verdict.supported == self.faithful


@dataclass(frozen=True)
class JudgeScores:
    judged: tuple[Judged, ...]

    @property
    def accepted(self) -> list[Judged]:
        return [j for j in self.judged if j.verdict.supported]

    @property
    def accuracy(self) -> float:
        return sum(j.right for j in self.judged) / len(self.judged) if self.judged else 0.0

    @property
    def precision(self) -> float:
        """Of the accepted pairs, the share labelled faithful."""
        accepted = self.accepted
        return sum(j.faithful for j in accepted) / len(accepted) if accepted else 1.0

    @property
    def faithful_total(self) -> int:
        return sum(j.faithful for j in self.judged)

    @property
    def faithful_accepted(self) -> int:
        return sum(j.faithful for j in self.accepted)

    @property
    def faithful_rate(self) -> float:
        return self.faithful_accepted / self.faithful_total if self.faithful_total else 0.0

    def unfaithful_accepted(self) -> Counter:
        """Kind -> number of unfaithful pairs of that kind the judge accepted."""
        return Counter(j.kind for j in self.accepted if not j.faithful)

    def unfaithful_total(self) -> Counter:
        return Counter(j.kind for j in self.judged if not j.faithful)

    def summary(self, split: str) -> str:
        wrong = self.unfaithful_accepted()
        kinds = ", ".join(f"{k} {wrong[k]}/{n}" for k, n in sorted(self.unfaithful_total().items()) if wrong[k])
        return (f"faithfulness judge ({split}, {len(self.judged)} pairs): accuracy {self.accuracy:.3f}, "
                f"precision on supported {self.precision:.3f} ({len(self.accepted)} accepted), faithful accepted "
                f"{self.faithful_rate:.2f} ({self.faithful_accepted}/{self.faithful_total}), unfaithful accepted "
                f"{sum(wrong.values())}/{sum(self.unfaithful_total().values())}" + (f" ({kinds})" if kinds else ""))


def load_pairs(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def paragraph_idf(paths: Sequence[Path]) -> Callable[[str], float]:
    """BM25 IDF over the articles' paragraphs, the formula the index uses over its chunks."""
    paragraphs = [p for path in paths for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    frequency = Counter(term for p in paragraphs for term in set(tokenize(p)))
    n = len(paragraphs)
    table = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
    unseen = math.log(1 + (n + 0.5) / 0.5)
    return lambda term: table.get(term, unseen)


def overlap(answer: str, source: str, speaker: Optional[str], idf: Callable[[str], float]) -> float:
    """IDF-weighted share of the answer's terms found in the source sentence or its speaker's name."""
    terms = set(tokenize(source)) | (set(tokenize(speaker)) if speaker else set())
    return weighted_share({t: idf(t) for t in tokenize(answer)}, terms)


def score(rows: list[dict], embedder: Embedder, root: Path = PROJECT_ROOT) -> JudgeScores:
    """Judge every pair, with the embedder's cosine and the articles' IDF overlap."""
    idf = paragraph_idf(sorted({root / row["doc"] for row in rows}))
    answers = [without_markers(row["answer"]) for row in rows]
    vectors = embedder.embed(answers + [row["source"] for row in rows])
    judged = []
    for i, row in enumerate(rows):
        cosine = float(vectors[i] @ vectors[len(rows) + i])
        share = overlap(answers[i], row["source"], row.get("source_speaker"), idf)
        verdict = judge(row["answer"], row["source"], cosine=cosine, overlap=share,
                        source_speaker=row.get("source_speaker"))
        judged.append(Judged(row["id"], row["kind"], row["label"] == FAITHFUL, verdict, cosine, share))
    return JudgeScores(tuple(judged))


def evaluate(split: str, embedder: Embedder, pairs_dir: Path = PAIRS_DIR) -> Optional[JudgeScores]:
    """The scores of one split, or None where the pairs are not there (an installed wheel)."""
    path = pairs_dir / f"{split}.jsonl"
    return score(load_pairs(path), embedder) if path.is_file() else None


def report(embedder: Optional[Embedder] = None, splits: tuple[str, ...] = SPLITS) -> list[str]:
    """One line per split, for ``dossier eval``. The benchmark is measured with the local MiniLM
    embedder (the one its figures are stated for), whatever embedder the questions were run with."""
    if embedder is None or embedder.model_id != LOCAL_MODEL_ID:
        embedder = OnnxMiniLMEmbedding()
    lines = []
    for split in splits + (LATER_HELDOUT if "heldout" in splits else ()):
        scores = evaluate(split, embedder)
        lines.append(scores.summary(split) if scores else f"faithfulness judge ({split}): no pairs at {PAIRS_DIR}")
    return lines


if __name__ == "__main__":  # python -m dossier.index.eval.faithful [dev|heldout|heldout2|...|heldout5] : figures and every miss
    import sys

    model = OnnxMiniLMEmbedding()
    for name in sys.argv[1:] or ["dev"]:
        result = evaluate(name, model)
        print(result.summary(name) if result else f"no pairs for {name}")
        for item in result.judged if result else ():
            if not item.right:
                print(f"  {item.id} {item.kind:20} {item.verdict.reason:20} cos {item.cosine:.2f} "
                      f"overlap {item.overlap:.2f}")
