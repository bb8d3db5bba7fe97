"""The package's shape: no import cycles between digest's modules, and small modules.

Imports are read with `ast` (every `import digest.x` / `from digest.x import y`,
including those inside functions and under TYPE_CHECKING: a cycle hidden in a function
is still a cycle of responsibilities), then cycles are found with a depth-first search.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "digest"
MAX_LINES = 400


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # `from pkg import module` depends on the module; `from pkg import name` on pkg
            subs = [f"{base}.{a.name}" for a in node.names]
            targets = [sub if sub in known else base for sub in subs]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per back edge found by a depth-first search."""
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back() -> None:
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_config_and_the_schedule_time_helpers_are_leaves() -> None:
    """The config package's modules import each other and the leaves, nothing else."""
    edges = graph()
    allowed = {"digest.errors", "digest.keys", "digest.times", "digest"}
    config = {
        name for name in edges if name == "digest.config" or name.startswith("digest.config.")
    }
    for name in sorted(config):
        assert edges[name] - allowed - config == set(), name
    assert edges["digest.times"] - allowed == set()


def test_no_module_is_over_400_lines() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


#: Modules that may know the App: the entry points (command line, web, scheduler), the
#: engine's wiring and its process and queue drivers, and the subscribe flow (which
#: sends a confirmation). The stages (collect, rank, build, render, compose, message,
#: the engine itself...) take the parts they need as arguments.
KNOW_THE_APP = ("digest.cli", "digest.web", "digest.schedule", "digest.subscribers")
KNOW_THE_APP_DELIVER = {"run", "wiring", "processes", "queue", "follow"}


def test_only_the_entry_points_and_the_wiring_know_the_app() -> None:
    knowing = {m for m, edges in graph().items() if "digest.app" in edges}
    stray = {
        m
        for m in knowing
        if not any(m == p or m.startswith(f"{p}.") for p in KNOW_THE_APP)
        and m.removeprefix("digest.deliver.") not in KNOW_THE_APP_DELIVER
    }
    assert not stray, stray


def test_the_app_only_builds_parts_and_hands_them_to_the_stages() -> None:
    """Each App method is a few statements: build a part, or call one stage with the
    parts (the work is in digest.build, digest.compose, digest.collect, digest.deliver)."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    (app,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "App"]
    long = {}
    for node in app.body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            statements = sum(1 for stmt in body for _ in ast.walk(stmt) if isinstance(_, ast.stmt))
            if statements > 3:
                long[node.name] = statements
    assert not long, long
