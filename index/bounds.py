"""Answers within ``DOSSIER_MAX_ANSWER_CHARS``, whatever the articles hold.

Whole lines or sentences are left out first (by their callers); only a first line longer
than the limit on its own is cut, here: at a word boundary, with "\u2026" marking the
shown text as an excerpt, its citation markers kept. The citations themselves stay whole
and verbatim (a sentence is at most ``parse.MAX_SENTENCE_CHARS`` long), so a reader can
always check the full span the excerpt comes from.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?\u2026])")


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at the last word boundary before
    it, with "\u2026" (the whole result within ``limit``)."""
    if len(text) <= limit:
        return text
    head = text[:max(0, limit - 1)]
    space = head.rfind(" ")
    if space > 0 and not text[len(head)].isspace():  # do not end inside a word
        head = head[:space]
    return head.rstrip(" ,;:\u2013\u2014") + "\u2026"


def fit_cited(text: str, limit: int) -> str:
    """A line with ``[n]`` markers within ``limit`` characters: its words shortened, every
    marker kept at the end (a marker is never cut in half)."""
    if len(text) <= limit:
        return text
    markers = "".join(f"[{n}]" for group in _MARKER.findall(text) for n in re.split(r"\s*[,;]\s*", group))
    words = _SPACE_BEFORE_PUNCT.sub(r"\1", _MARKER.sub(" ", text)).strip()
    words = re.sub(r"[ \t]{2,}", " ", words)
    return f"{shorten(words, max(1, limit - len(markers) - 1))} {markers}".strip()
