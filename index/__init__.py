"""Dossier's engine. Front ends use the service API, ``dossier.index.engine.Engine``, with
the values in ``models``, the errors in ``errors``, ``settings`` and ``conversation``
(tests/test_architecture.py holds them to that).

``warm_start`` lives here as well as on ``Engine`` because a command must call it before the
engine module is imported: that import pulls in llama-index (about a second), which is
exactly the time the warm-up overlaps. This package itself stays cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import Settings


def warm_start(settings: "Settings") -> None:
    """Start loading the store's vector indexes and the local model in background threads,
    to overlap with the imports a front end does next. Best effort: never raises (the real
    open reports any failure)."""
    try:
        from .store import prewarm

        prewarm(settings)
        if settings.embeddings == "local":
            from .minilm import preload

            preload()
    except Exception:
        pass


def check_question(question: str, settings: "Settings") -> str:
    """``Engine.validate`` for a command that has not imported the engine yet, so a bad
    question fails before anything loads: the question normalised, or a QuestionError."""
    from .validate import validate_question

    return validate_question(question, settings)
