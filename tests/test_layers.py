"""No import cycle among the modules of `src/volunteers`.

The floors themselves (app and cli > outputs > domains > base) are import-linter's contract in
pyproject.toml, run by `.ci/run`; import-linter allows cycles inside a floor, so this test forbids them.
Every import counts, also one inside a function, except those under `if TYPE_CHECKING:`. `from package
import name` counts as importing the package (its `__init__` runs and hands out `name`), and the
submodule `package.name` when there is one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"


def module_files(source: Path, package: str) -> dict[str, Path]:
    """Every module of `package` under `source`, by dotted name (a package by its own name)."""
    modules = {}
    for path in sorted((source / package).rglob("*.py")):
        parts = path.relative_to(source).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements anywhere under `node`, except in the body of `if TYPE_CHECKING:`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for branch in child.orelse:
                yield from _import_nodes(ast.Module(body=[branch], type_ignores=[]))
            continue
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _import_nodes(child)


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that module `name` (the file `path`) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
            continue
        base = node.module or ""
        if node.level:
            parent = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*parent, *([node.module] if node.module else [])])
        if base in modules:
            found.add(base)
        found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules)
    found.discard(name)
    return found


def import_graph(source: Path, package: str) -> dict[str, set[str]]:
    """Each module of `package` and the modules of `package` it imports."""
    modules = module_files(source, package)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each group of modules that import each other, as a path back to its start."""
    found = []
    for group in _strongly_connected(graph):
        if len(group) > 1:
            found.append(_shortest_cycle(graph, min(group), group))
    return found


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    # Tarjan's algorithm, iterative so a deep graph cannot exhaust the recursion limit.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _shortest_cycle(graph: dict[str, set[str]], start: str, group: set[str]) -> list[str]:
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{start} is in a group of modules but on no cycle")


def test_no_module_imports_itself_back() -> None:
    found = cycles(import_graph(SOURCE, "volunteers"))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_check_sees_imports_inside_functions_and_skips_type_checking_ones(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "kinds").mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg.kinds.one import ONE\n")
    (package / "kinds" / "__init__.py").write_text("")
    (package / "kinds" / "one.py").write_text("def one():\n    from pkg import cells\n\nONE = 1\n")
    (package / "cells.py").write_text(
        "from typing import TYPE_CHECKING\n\n"
        "if TYPE_CHECKING:\n    from pkg.top import Top\nelse:\n    from . import kinds\n"
    )
    (package / "top.py").write_text("import pkg.cells\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {
        "pkg": {"pkg.kinds.one"},
        "pkg.kinds": set(),
        "pkg.kinds.one": {"pkg", "pkg.cells"},
        "pkg.cells": {"pkg", "pkg.kinds"},
        "pkg.top": {"pkg.cells"},
    }
    assert cycles(graph) == [["pkg", "pkg.kinds.one", "pkg"]]
