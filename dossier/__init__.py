"""Dossier: question answering over news articles with exact, checkable citations.

The installed package maps the repository's top-level folders into one namespace:
``dossier.index`` (the engine, from ``index/``), ``dossier.bot`` (the front ends, from
``bot/``), and the data folders ``dossier.prompts``, ``dossier.seeds`` and
``dossier.eval`` (prompt text, the demo corpus and the evaluation question sets).
"""

__version__ = "0.1.0"
