"""The relay's modules import one another without a cycle, and the hub and the desk not at all.

Every import counts, wherever it is: at the top of a module, inside a function, or under
`if TYPE_CHECKING:` (a cycle that only the type checker sees is still two modules that cannot be
understood, tested or split apart one without the other). The sources are parsed with `ast`,
nothing is imported. docs/architecture.md (inside the relay) and relay/hub_desk.py explain how
the chat hub and the service desk reach each other without importing each other.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

RELAY = Path(__file__).resolve().parents[2] / "relay"

Graph = dict[str, dict[str, str]]
"""module -> {imported module -> where ("relay/x.py:12")}."""

EXEMPT: set[tuple[str, str]] = set()
"""(importer, imported) edges let through, each with its reason; none today."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(RELAY.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(source: str, module: str, is_package: bool, known: set[str]) -> Iterator[tuple[str, int]]:
    """(relay module, line) of every import in the source, wherever it stands."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..store import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            while name and name not in known:  # `import relay.store.sqlite` and a name of a module
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name, node.lineno


def relay_graph() -> Graph:
    paths = {module_name(p): p for p in sorted(RELAY.rglob("*.py"))}
    known = set(paths)
    graph: Graph = {}
    for module, path in paths.items():
        edges = graph[module] = {}
        for target, line in imported(path.read_text(encoding="utf-8"), module, path.name == "__init__.py", known):
            edges.setdefault(target, f"{path.relative_to(RELAY.parent)}:{line}")
    return graph


def cycles(graph: Graph) -> list[set[str]]:
    """The groups of modules that import one another, directly or not (Tarjan's strongly connected
    components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def cycle_in(graph: Graph, group: set[str]) -> list[str]:
    """The shortest cycle from the group's first module back to itself (breadth first), as [a, b, ..., a]."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    return [*paths[v], start]
                if w in group and w not in paths:
                    paths[w] = [*paths[v], w]
                    following.append(w)
        frontier = following
    raise AssertionError(f"no cycle in {group}")


def reachable(graph: Graph, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for w in graph[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def without_exempt(graph: Graph) -> Graph:
    return {m: {t: at for t, at in edges.items() if (m, t) not in EXEMPT} for m, edges in graph.items()}


def describe(graph: Graph, group: set[str]) -> str:
    """The group's modules, and one of its cycles with where each of its imports is."""
    steps = [f"{a} -> {b} ({graph[a][b]})" for a, b in itertools.pairwise(cycle_in(graph, group))]
    return f"{', '.join(sorted(group))}; for instance:\n  " + "\n  ".join(steps)


def test_the_relay_has_no_import_cycle() -> None:
    graph = without_exempt(relay_graph())
    found = cycles(graph)
    assert not found, "import cycles in relay/:\n" + "\n\n".join(describe(graph, c) for c in found)


def test_the_chat_hub_and_the_desk_never_reach_each_other() -> None:
    """Not even through a third module: they meet only through the Protocols of relay.hub_desk."""
    graph = relay_graph()
    desk_modules = {m for m in graph if m == "relay.desk" or m.startswith("relay.desk_")}
    assert sorted(reachable(graph, "relay.chat") & desk_modules) == [], "relay.chat reaches these"
    assert sorted(m for m in desk_modules if "relay.chat" in reachable(graph, m)) == [], "these reach relay.chat"


def test_every_exempted_import_still_exists() -> None:
    """An exemption outlives its reason only until this fails: then remove it from EXEMPT."""
    graph = relay_graph()
    assert [edge for edge in sorted(EXEMPT) if edge[1] not in graph[edge[0]]] == []


def test_imports_inside_functions_and_type_checking_blocks_count() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from relay.chat import Hub\n"
        "def later() -> None:\n"
        "    from . import routing\n"
        "    import relay.store.sqlite\n"
    )
    known = {"relay", "relay.chat", "relay.routing", "relay.store", "relay.store.sqlite", "relay.desk"}
    found = {name for name, _ in imported(source, "relay.desk", False, known)}
    assert found == {"relay.chat", "relay", "relay.routing", "relay.store.sqlite"}


def test_a_cycle_is_reported_with_where_each_import_is() -> None:
    graph: Graph = {"relay.a": {"relay.b": "relay/a.py:3"}, "relay.b": {"relay.a": "relay/b.py:7"}, "relay.c": {}}
    found = cycles(graph)
    assert found == [{"relay.a", "relay.b"}]
    assert describe(graph, found[0]) == (
        "relay.a, relay.b; for instance:\n  relay.a -> relay.b (relay/a.py:3)\n  relay.b -> relay.a (relay/b.py:7)")
