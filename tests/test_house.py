"""The shape of the house: no module of fsgrant imports, directly or through others, a
module that imports it; and none is over 500 lines.

The import-linter contract (``acyclic_siblings`` in pyproject.toml) holds the modules
of each package apart; this test also covers a module importing the package itself
(``from fsgrant import __version__`` inside fsgrant), which that contract cannot see.
Imports under ``if TYPE_CHECKING:`` and inside functions count: they are coupling too.
"""

from __future__ import annotations

from pathlib import Path

import grimp

import fsgrant


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The groups of two or more modules that reach one another (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_cycles_are_found() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg")
    graph.add_import(importer="pkg", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert cycles(graph) == [["pkg", "pkg.a", "pkg.b"]]


def test_fsgrant_has_no_import_cycles() -> None:
    assert cycles(grimp.build_graph("fsgrant")) == []


def test_no_module_is_over_500_lines() -> None:
    # A module a reader can hold in mind: past 500 lines, split it where a reader would look.
    package = Path(fsgrant.__file__).parent
    long = {
        str(path.relative_to(package)): lines
        for path in package.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
