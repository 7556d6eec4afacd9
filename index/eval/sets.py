"""The question sets shipped in eval/: each names its questions and the corpus they are asked of.

``eval/<story>/{dev,heldout}.jsonl`` are asked of ``eval/<story>/corpus/``; the seed questions
(``eval/seeds/``) are asked of ``seeds/``, the demo corpus the package ships for ``dossier ingest``,
so the articles live in one place. ``dev`` is the set to tune on; ``heldout`` gives the figures to
report (docs/eval.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import DossierError

# The settings module (and pydantic) is imported inside the functions: `dossier --help` builds
# the eval parser from this module's names and should not pay for it.
SPLITS = ("dev", "heldout")
SEED_STORY = "seeds"
DEFAULT_SET = f"{SEED_STORY}/dev"


@dataclass(frozen=True)
class QuestionSet:
    name: str  # "<story>/<split>", e.g. "seeds/heldout"
    questions: Path
    corpus: Path


def corpus_of(story: Path) -> Path:
    from ..settings import SEEDS_DIR

    return SEEDS_DIR if story.name == SEED_STORY else story / "corpus"


def shipped_sets(root: Optional[Path] = None) -> list[QuestionSet]:
    """Every ``<story>/<split>.jsonl`` under ``root`` (default: the package's eval/), in name order."""
    from ..settings import EVAL_DIR

    root = root or EVAL_DIR
    found = []
    for story in sorted(p for p in root.iterdir() if p.is_dir()):
        for split in SPLITS:
            questions = story / f"{split}.jsonl"
            if questions.is_file():
                found.append(QuestionSet(f"{story.name}/{split}", questions, corpus_of(story)))
    return found


def find_set(name: str, root: Optional[Path] = None) -> QuestionSet:
    """The shipped set called ``name``; an unknown name is an error listing the known ones."""
    sets = shipped_sets(root)
    for question_set in sets:
        if question_set.name == name:
            return question_set
    raise DossierError(f"unknown question set {name!r}; choose from {', '.join(s.name for s in sets)}")
