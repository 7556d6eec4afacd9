"""The engine's modules form no import cycle, counting imports made inside functions too
(a deferred import hides a cycle from Python, not from a reader)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INDEX = Path(__file__).resolve().parent.parent / "index"


def module_name(path: Path) -> str:
    parts = path.relative_to(INDEX).with_suffix("").parts
    return ".".join(p for p in parts if p != "__init__") or "__init__"


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The engine modules ``path`` imports (relative or ``dossier.index.``), type-only imports excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module_name(path).split(".")[:-1] if path.name != "__init__.py" else module_name(path).split(".")
    if package == ["__init__"]:
        package = []
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.startswith("dossier.index"):
                prefix = node.module[len("dossier.index"):].lstrip(".")
            else:
                continue
            # "from .store import records" imports the submodule; "from .store import Store" the package.
            targets = [f"{prefix}.{a.name}".lstrip(".") if f"{prefix}.{a.name}".lstrip(".") in known else prefix
                       for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name[len("dossier.index."):] for a in node.names if a.name.startswith("dossier.index.")]
        found.update(t for t in targets if t in known)
    return found - {module_name(path)}


def graph() -> dict[str, set[str]]:
    paths = [p for p in INDEX.rglob("*.py")]
    known = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, known) for p in paths}


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One cycle as a path of module names (first == last), or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


@pytest.fixture(scope="module")
def engine_graph() -> dict[str, set[str]]:
    """The engine's import graph, read once for the tests that only look at it."""
    return graph()


def test_the_graph_is_read(engine_graph: dict[str, set[str]]) -> None:
    edges = engine_graph
    assert "generate" in edges["engine"] and "store" in str(edges["engine"])
    assert "chat" in edges["generate"]


def test_no_import_cycle_in_the_engine(engine_graph: dict[str, set[str]]) -> None:
    cycle = find_cycle(engine_graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"a"}}, True),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
    ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, False),
])
def test_the_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: bool) -> None:
    assert bool(find_cycle(edges)) is expected
