"""How right stance detection is, and whether answers keep who said what.

**Stance.** ``tests/data/stance/<corpus>.jsonl`` hold hand-labelled pairs of sentences, verbatim
from the seeds and from a second news corpus (eval/<story>/corpus): each pair is
"contradicts" (a statement and its denial or rejection), "agrees" or "unrelated", with the
speakers ingest finds (attribution.py) and a ``split`` (dev or heldout) fixed before any run.
``stance.stance`` is run on every pair with the embedder's cosine of the two sentences, a
sentence that refers back to what it denies ("has since denied the claims") read with the one
before it, as the engine reads it:

* precision: of the pairs said to contradict, the share labelled so (what matters most: a
  wrong "contradicts" misleads);
* recall: of the pairs labelled "contradicts", the share found.

**Attribution kept** (per configuration, in the metrics table): of the answer sentences
whose cited source sentence has a named speaker ("Ortiz said", "according to Ortiz"), the
share that keep the attribution: the speaker's name, or the annotation of a pronoun
("He [Ortiz] declined"), is in the answer sentence. Tune on ``dev``; report ``heldout``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

from ..embedder import Embedder, build_embedder, embed_texts
from ..models import Answer
from ..parse import parse_article
from ..settings import EVAL_DIR, SEEDS_DIR, Settings
from ..stance import CONTRADICTS, stance, with_context
from .judge import Evidence, statements

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABELS_DIR = PROJECT_ROOT / "tests" / "data" / "stance"
# Each labelled file <name>.jsonl is about the seeds or about the corpus of eval/<name>/.
CORPORA = {path.stem: SEEDS_DIR if path.stem == "seeds" else EVAL_DIR / path.stem / "corpus"
           for path in sorted(LABELS_DIR.glob("*.jsonl"))}
SPLITS = ("dev", "heldout")
Embed = Callable[[list[str]], np.ndarray]  # texts -> unit vectors, one row each


@dataclass(frozen=True)
class StanceScores:
    pairs: int
    found: int  # pairs said to contradict
    found_correct: int
    true: int  # pairs labelled "contradicts"
    errors: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        return self.found_correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.found_correct / self.true if self.true else 0.0

    def summary(self, name: str) -> str:
        precision = f"{self.precision:.3f}" if self.found else "n/a"
        return (f"stance ({name}, {self.pairs} pairs): contradiction precision {precision} "
                f"({self.found_correct}/{self.found}), recall {self.recall:.2f} ({self.found_correct}/{self.true})")


def load_pairs(path: Path, split: Optional[str] = None) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [row for row in rows if split is None or row["split"] == split]


@lru_cache(maxsize=None)
def _previous_sentences(path: Path) -> dict[str, str]:
    """Sentence text -> the sentence before it in one article (news paragraphs are often one sentence)."""
    doc = parse_article(path, path.read_text(encoding="utf-8"), "0" * 64)
    return {s.text: p.text for p, s in zip(doc.sentences, doc.sentences[1:])}


def _read(row: dict, side: str, corpus: Optional[Path]) -> str:
    """The sentence as the engine judges it: with the sentence before it when it refers back."""
    text, doc = row[side], row.get(f"{side}_doc")
    previous = _previous_sentences(corpus / doc).get(text) if corpus is not None and doc else None
    return with_context(text, previous)


def score_pairs(rows: Sequence[dict], embed: Embed, corpus: Optional[Path] = None) -> StanceScores:
    """Run ``stance`` on every labelled pair and count against the labels."""
    a_texts = [_read(r, "a", corpus) for r in rows]
    b_texts = [_read(r, "b", corpus) for r in rows]
    vectors = embed(a_texts + b_texts) if rows else np.zeros((0, 1))
    found = found_correct = true = 0
    errors: list[str] = []
    for i, row in enumerate(rows):
        cosine = float(vectors[i] @ vectors[len(rows) + i])
        result = stance(a_texts[i], row.get("a_speaker"), b_texts[i], row.get("b_speaker"), cosine=cosine)
        said, labelled = result.relation == CONTRADICTS, row["label"] == CONTRADICTS
        found += said
        true += labelled
        found_correct += said and labelled
        if said != labelled:
            errors.append(f"{row['id']}: {'wrong contradicts' if said else 'missed'} ({result.reason})")
    return StanceScores(pairs=len(rows), found=found, found_correct=found_correct, true=true, errors=tuple(errors))


def evaluate(name: str, split: str, embed: Embed, labels_dir: Path = LABELS_DIR) -> Optional[StanceScores]:
    """The scores of one labelled file's split, or None where the labels are not there (an installed wheel)."""
    path = labels_dir / f"{name}.jsonl"
    if not path.is_file():
        return None
    return score_pairs(load_pairs(path, split), embed, CORPORA.get(name))


def report(embed: Embed, splits: tuple[str, ...] = SPLITS) -> list[str]:
    """One line per labelled file and split, for ``dossier eval``."""
    if not CORPORA:
        return [f"stance: no labelled pairs at {LABELS_DIR}"]
    lines = []
    for name in CORPORA:
        for split in splits:
            scores = evaluate(name, split, embed)
            label = f"{name}/{split}"
            lines.append(scores.summary(label) if scores else f"stance ({label}): no labels at {LABELS_DIR}")
    return lines


def report_for(settings: Settings, embedder: Optional[Embedder] = None,
               splits: tuple[str, ...] = SPLITS) -> list[str]:
    """``report`` with the engine's embedder: the one given, else the configured one."""
    model = embedder if embedder is not None else build_embedder(settings)
    return report(lambda texts: embed_texts(model, texts), splits)


# ---- attribution kept -------------------------------------------------------------------------------


def attribution_counts(evidence: Evidence, answer: Answer) -> tuple[int, int]:
    """(answer sentences whose cited source has a named speaker, those of them that name it)."""
    if answer.refused:
        return 0, 0
    by_number = {c.n: c for c in answer.citations}
    attributed = kept = 0
    for bare, refs in statements(answer.answer, len(answer.citations)):
        speakers = {r.speaker for n in refs if n in by_number for r in evidence.records(by_number[n]) if r.speaker}
        if speakers:
            attributed += 1
            kept += any(keeps(bare, speaker) for speaker in speakers)
    return attributed, kept


def keeps(sentence: str, speaker: str) -> bool:
    """The sentence names the speaker (any word of the name, as a word) or annotates a pronoun with it."""
    if f"[{speaker}]" in sentence:
        return True
    words = [w for w in re.findall(r"[^\W\d_]+", speaker) if len(w) > 1]
    return any(re.search(rf"\b{re.escape(w)}\b", sentence) for w in words)


if __name__ == "__main__":  # python -m dossier.index.eval.stance [dev|heldout] : figures and every miss
    import sys

    from ..embedder import OnnxMiniLMEmbedding

    model = OnnxMiniLMEmbedding()
    for split_name in sys.argv[1:] or ["dev"]:
        for corpus_name in CORPORA:
            scores = evaluate(corpus_name, split_name, lambda texts: embed_texts(model, texts))
            print(scores.summary(f"{corpus_name}/{split_name}") if scores else f"no labels for {corpus_name}")
            for error in scores.errors if scores else ():
                print("  ", error)
