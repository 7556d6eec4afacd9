"""How right attribution is, measured on hand-labelled sentences.

``tests/data/attribution/{dev,heldout}.jsonl`` hold sentences with a leading he/she or a
speech verb or a quotation, from the seeds, the second news corpus (eval/<story>/corpus), and
the news and encyclopaedia texts of ``tests/data/attribution/corpus`` (SOURCES.md there). Each
row names, as lists of acceptable spellings, the true ``speaker`` ([] when no named person
says it) and the true ``subject`` of its leading he/she ([] when the text names nobody, null
when it has no leading pronoun outside quotations). Each article is attributed whole, as
ingest does, and the labelled sentences are compared:

* name precision: of the bracketed names an answer would show ("She [Ortiz] ..."), the share
  that name the right person (target >= 0.98);
* share resolved: of the leading pronouns whose person the text names, the share given a name;
* speaker precision / recall: the named speakers found, against the labelled ones ("what did
  X say" rests on them).

Tune on ``dev``; ``heldout`` is the figure to report.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..attribution import attribute
from ..parse import parse_article

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LABELS_DIR = PROJECT_ROOT / "tests" / "data" / "attribution"
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class AttributionScores:
    sentences: int
    shown: int  # leading pronouns given a bracketed name
    shown_correct: int
    named_pronouns: int  # leading pronouns whose person the text names
    resolved: int  # of those, given a name (right or wrong)
    speakers_found: int  # sentences given a named speaker
    speakers_correct: int
    speakers_true: int  # sentences whose labelled speaker is named
    errors: tuple[str, ...] = ()

    @property
    def name_precision(self) -> float:
        return self.shown_correct / self.shown if self.shown else 1.0

    @property
    def share_resolved(self) -> float:
        return self.resolved / self.named_pronouns if self.named_pronouns else 0.0

    @property
    def speaker_precision(self) -> float:
        return self.speakers_correct / self.speakers_found if self.speakers_found else 1.0

    @property
    def speaker_recall(self) -> float:
        return self.speakers_correct / self.speakers_true if self.speakers_true else 0.0

    def summary(self, split: str) -> str:
        return (f"attribution ({split}, {self.sentences} sentences): name precision {self.name_precision:.3f} "
                f"({self.shown_correct}/{self.shown}), resolved {self.share_resolved:.2f} "
                f"({self.resolved}/{self.named_pronouns}), speaker precision {self.speaker_precision:.3f} "
                f"({self.speakers_correct}/{self.speakers_found}), speaker recall {self.speaker_recall:.2f} "
                f"({self.speakers_correct}/{self.speakers_true})")


def load_labels(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(rows: list[dict], root: Path = PROJECT_ROOT) -> AttributionScores:
    """Attribute every labelled article whole and compare its labelled sentences."""
    by_doc: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_doc[(row["corpus"], row["doc"])].append(row)
    counts = defaultdict(int)
    errors: list[str] = []
    for (corpus, name), labelled in sorted(by_doc.items()):
        path = root / corpus / name
        doc = parse_article(path, path.read_text(encoding="utf-8"), "0" * 64)
        found = attribute([s.text for s in doc.sentences], [s.paragraph for s in doc.sentences], doc.text)
        for row in labelled:
            sentence = doc.sentences[row["sentence"]]
            if sentence.text != row["text"]:
                raise ValueError(f"{name} sentence {row['sentence']} no longer reads as labelled: {row['text']!r}")
            _count(row, found[row["sentence"]].speaker, found[row["sentence"]].subject, counts, errors)
    return AttributionScores(sentences=len(rows), errors=tuple(errors), **counts)


def _count(row: dict, speaker: str, subject: str, counts: dict, errors: list[str]) -> None:
    where = f"{row['doc']}#{row['sentence']}"
    if row["subject"] is not None and subject:
        counts["shown"] += 1
        if subject in row["subject"]:
            counts["shown_correct"] += 1
        else:
            errors.append(f"{where}: shown [{subject}], true {row['subject'] or 'nobody named'}")
    if row["subject"]:
        counts["named_pronouns"] += 1
        counts["resolved"] += bool(subject)
    if speaker:
        counts["speakers_found"] += 1
        if speaker in row["speaker"]:
            counts["speakers_correct"] += 1
        else:
            errors.append(f"{where}: speaker {speaker}, true {row['speaker'] or 'nobody named'}")
    counts["speakers_true"] += bool(row["speaker"])
    for key in ("shown", "shown_correct", "named_pronouns", "resolved", "speakers_found", "speakers_correct"):
        counts.setdefault(key, 0)


def evaluate(split: str, labels_dir: Path = LABELS_DIR) -> Optional[AttributionScores]:
    """The scores of one split, or None where the labels are not there (an installed wheel)."""
    path = labels_dir / f"{split}.jsonl"
    return score(load_labels(path)) if path.is_file() else None


def report(splits: tuple[str, ...] = SPLITS) -> list[str]:
    """One line per split, for ``dossier eval``."""
    lines = []
    for split in splits:
        scores = evaluate(split)
        lines.append(scores.summary(split) if scores else f"attribution ({split}): no labels at {LABELS_DIR}")
    return lines


if __name__ == "__main__":  # python -m dossier.index.eval.attribution [dev|heldout] : figures and every miss
    import sys

    for name in sys.argv[1:] or ["dev"]:
        result = evaluate(name)
        print(result.summary(name) if result else f"no labels for {name}")
        for error in result.errors if result else ():
            print("  ", error)
