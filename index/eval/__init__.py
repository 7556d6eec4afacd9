"""Evaluation of Dossier against hand-written questions (``dossier eval``; see docs/eval.md).

questions: the JSONL question file; sets: the shipped dev/heldout sets and their corpora;
configs/stock: what is compared; judge: ALCE-style citation support; metrics: per-question
verdicts and per-configuration figures; runner: the run.
"""
