"""index/vocabulary.py is the one home of the heuristics' word lists, written by several hands:
a list assigned twice would silently replace the first one for every module that imports it."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

VOCABULARY = Path(__file__).resolve().parent.parent / "index" / "vocabulary.py"


def top_level_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def test_no_word_list_is_assigned_twice():
    twice = [name for name, n in Counter(top_level_names(VOCABULARY.read_text())).items() if n > 1]
    assert not twice, f"assigned more than once in index/vocabulary.py: {twice}"


def test_the_check_sees_a_second_assignment():
    assert top_level_names("A = 1\nB: int = 2\nA = 3\n") == ["A", "B", "A"]
