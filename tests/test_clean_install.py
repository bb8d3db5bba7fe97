"""A collect as a plain `pip install digest` runs it: with only what digest declares.

The test environment holds more than a user's install does (pytest's, Playwright's,
trio's dependencies), so a module digest uses without declaring it is found here and
missing there. These tests run collects in a fresh interpreter in which every installed
distribution that digest's declared dependencies do not reach (recursively, markers
evaluated, no extras of digest's own) cannot be imported, as in a clean install.

The defect they guard against was measured: httpcore imports sniffio afresh for every
lock and event it sets up and falls back to asyncio when it is missing; since anyio
4.11 no longer brings sniffio, a clean install failed that import eight times a
request, and Python does not remember a failed import (encode/httpcore#1103). An
unchanged collect of 100 feeds took 0.31 s instead of 0.27 s, and 0.12 s instead of
0.07 s inside `digest run`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
AT = "2026-11-27T06:00:00+00:00"


def _name(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _reached(requirements: Iterable[str]) -> set[str]:
    """The installed distributions these requirements bring, transitively."""
    done: set[tuple[str, str]] = set()  # (distribution, extra) whose requirements are in
    todo = [(Requirement(text), "") for text in requirements]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = _name(requirement.name)
        try:
            wanted = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:  # not installed here: nothing to block
            continue
        for wanted_extra in ("", *sorted(requirement.extras)):
            if (name, wanted_extra) not in done:
                done.add((name, wanted_extra))
                todo += [(Requirement(text), wanted_extra) for text in wanted]
    return {name for name, _ in done}


def _undeclared_modules() -> list[str]:
    """Top-level modules installed here that a clean install of digest would not have."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reached = _reached(project["dependencies"]) | {_name(project["name"])}
    return sorted(
        module
        for module, dists in metadata.packages_distributions().items()
        if module.isidentifier() and not any(_name(d) in reached for d in dists)
    )


# Run in the child: modules in BLOCKED are not found; every import or look-up that
# finds nothing is counted by its top-level name, and the counts printed as JSON at the end.
_CHILD = """
import collections, importlib.machinery, json, sys
BLOCKED = set({blocked!r})
missed = collections.Counter()

class Clean(importlib.machinery.PathFinder):
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            return None
        return super().find_spec(name, path, target)

class Missing:
    @staticmethod
    def find_spec(name, path=None, target=None):
        missed[name.partition(".")[0]] += 1
        return None

sys.meta_path[sys.meta_path.index(importlib.machinery.PathFinder)] = Clean
sys.meta_path.append(Missing)
sys.argv = ["digest", *{argv!r}]
from digest.cli import main
try:
    main.main(standalone_mode=False)
finally:
    print(json.dumps(missed), file=sys.stderr)
"""


def _collect(config: Path, blocked: list[str]) -> tuple[str, dict[str, int]]:
    argv = ["collect", "--config", str(config), "--at", AT]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = _CHILD.format(blocked=blocked, argv=argv)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    missed: dict[str, int] = json.loads(run.stderr.strip().splitlines()[-1])
    return run.stdout, missed


def test_the_clean_install_lacks_what_only_the_tests_bring() -> None:
    """The simulation blocks something (here: pytest), and nothing digest declares."""
    blocked = _undeclared_modules()
    assert "pytest" in blocked
    assert not {"httpx", "httpcore", "anyio", "feedparser", "sqlalchemy"} & set(blocked)


def test_a_clean_install_collects_without_looking_for_a_module_again_and_again(
    tmp_path: Path,
) -> None:
    """A first and an unchanged collect, each with only digest's declared dependencies:
    both work, and no module is looked for in vain more often than there are feeds. A
    failed import costs 65 us each time: an optional import tried where a library loads,
    or once a parse (feedparser asks for libxml2's SAX driver), is nothing; one tried
    several times a request was a sixth of an unchanged collect."""
    from tests.feedserver import outlet_project, sample_feed, serve_feeds

    blocked = _undeclared_modules()
    feeds = {f"/{n}.xml": sample_feed(n, items=3) for n in range(6)}
    with serve_feeds(feeds) as server:
        config = outlet_project(tmp_path / "news", server, 6)
        first, missed_first = _collect(config, blocked)
        again, missed_again = _collect(config, blocked)
    assert "Outlet 5" in first and "not modified" not in first, first
    assert again.count("not modified") == 6, again
    for missed in (missed_first, missed_again):
        assert {m: n for m, n in missed.items() if n > len(feeds)} == {}, missed
