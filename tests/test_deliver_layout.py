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
#: Modules not yet split (owned by other work); every other module must stay small.
TOO_LONG_FOR_NOW = {
    "digest.config",
    "digest.render",
    "digest.lint",
    "digest.subscribers",
    "digest.schedule.scheduler",
}
#: Import edges that still close a cycle, not yet gone: a subcommand or blueprint module
#: importing the package that registers it (click's `main`, the web app's `web()`).
#: Nothing else may form a cycle; a new edge here needs a reason.
CYCLES_FOR_NOW: set[tuple[str, str]] = {
    *{
        (f"digest.cli.{m}", "digest.cli")
        for m in ("bounces", "editions", "editors", "keys", "schedule", "send", "serve")
    },
    ("digest.cli.subscribers", "digest.cli"),
    ("digest.cli.worker", "digest.cli"),
    *{
        (f"digest.web.{m}", "digest.web")
        for m in ("archive", "desk_actions", "desk_pages", "hooks", "public")
    },
    ("digest.web.desk", "digest.web"),
    ("digest.web.desk_actions", "digest.web.desk"),
    ("digest.web.desk_pages", "digest.web.desk"),
}


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
            if (node, nxt) in CYCLES_FOR_NOW:
                continue
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
    edges = graph()
    allowed = {"digest.errors", "digest.keys", "digest.times", "digest"}
    assert edges["digest.config"] - allowed == set()
    assert edges["digest.times"] - allowed == set()


def test_no_module_is_over_400_lines() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(long) <= TOO_LONG_FOR_NOW, long
