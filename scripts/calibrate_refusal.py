"""Calibrate the refusal thresholds on the dev questions, never on heldout ones.

Prints, for every question of a dev set (default: eval/seeds/dev.jsonl over seeds/), the
evidence the engine computes: the best sentence cosine and the best relevance, the
answer type and focus, and whether a retrieved sentence addresses the question (the
answered/related decision). The overlap rule lets a question with a low cosine through
when nearly all its terms match; its threshold must sit between the strongest
unanswerable overlap and the weakest answerable one among low-cosine questions.
Questions caught by the unknown-name rule are listed but do not constrain the thresholds.
Each suggested threshold is the midpoint of the gap between the weakest answerable
question and the strongest unanswerable one that the other rule does not already catch.
Unanswerable questions that pass the thresholds but are not addressed end "related",
which the evaluation counts as not answered.

    python scripts/calibrate_refusal.py [--questions eval/seeds/dev.jsonl] [--corpus seeds/] [--home DIR]

Point it at a heldout file and the tuning is no longer honest: heldout figures are for the
README's headline only.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from dossier.index.engine import Engine
from dossier.index.eval.questions import load_questions
from dossier.index.settings import SEEDS_DIR, Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "eval" / "seeds" / "dev.jsonl",
                        help="a dev question file (default: eval/seeds/dev.jsonl)")
    parser.add_argument("--corpus", type=Path, default=SEEDS_DIR, help="the articles (default: seeds/)")
    parser.add_argument("--home", type=Path, default=None, help="data directory (default: a fresh temp dir)")
    args = parser.parse_args()
    if "heldout" in args.questions.name:
        parser.error("calibrate on dev questions only; heldout figures must stay untuned")
    home = args.home or Path(tempfile.mkdtemp(prefix="dossier-calibrate-"))
    engine = Engine.open(Settings(home=home))
    engine.ingest([args.corpus])
    questions = load_questions(args.questions)
    rows = [("answerable" if q.answerable else "unanswerable", q.question, engine.diagnose(q.question))
            for q in questions]
    for label, question, ev in sorted(rows, key=lambda r: r[2]["relevance"]):
        flag = f" unknown={ev['unknown_names']}" if ev["unknown_names"] else ""
        addressed = "addressed" if ev["answered"] else "related  "
        print(f"{label:12} cos={ev['cosine']:.3f} rel={ev['relevance']:.3f} overlap={ev['overlap']:.2f} "
              f"{addressed} {ev['answer_type']:12} focus={','.join(ev['focus']) or '-':20}{flag}  {question}")
    ans = [ev for label, _, ev in rows if label == "answerable"]
    una = [ev for label, _, ev in rows if label == "unanswerable" and not ev["unknown_names"]]
    low_cosine = [ev["overlap"] for ev in ans if ev["cosine"] < engine.settings.refusal_min_cosine]
    print(f"overlap: answerable questions below the cosine threshold have overlap >= "
          f"{min(low_cosine, default=float('nan')):.2f}; the strongest unanswerable overlap is "
          f"{max(ev['overlap'] for ev in una):.2f}; midpoint "
          f"{(min(low_cosine, default=1.0) + max(ev['overlap'] for ev in una)) / 2:.2f}")
    rescued = engine.settings.refusal_min_overlap
    for key in ("cosine", "relevance"):
        # Questions that the overlap rule lets through do not constrain the cosine threshold.
        low = min(ev[key] for ev in ans if key != "cosine" or ev["overlap"] < rescued)
        high_all = sorted(ev[key] for ev in una)
        print(f"{key}: weakest answerable {low:.3f}; strongest unanswerable {high_all[-1]:.3f}; "
              f"unanswerable below the weakest answerable: {sum(h < low for h in high_all)}/{len(high_all)}; "
              f"midpoint of the gap above them: {(low + max([h for h in high_all if h < low], default=0)) / 2:.3f}")


if __name__ == "__main__":
    main()
