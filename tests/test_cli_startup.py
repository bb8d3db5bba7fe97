"""`digest --version` (and every command's start) loads only what the command needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """`code` run by a fresh interpreter with this checkout first on its path."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )


def test_digest_version_starts_without_the_heavy_libraries() -> None:
    heavy = ["sqlalchemy", "feedparser", "numpy", "nh3", "trafilatura", "premailer", "flask"]
    code = (
        "import sys, runpy\n"
        "sys.argv = ['digest', '--version']\n"
        "try:\n"
        "    from digest.cli import main\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    out = _python(code)
    assert out.stdout.splitlines()[0].startswith("digest, version")
    assert out.stdout.splitlines()[-1] == "[]", out.stdout


def test_every_command_of_another_module_is_found_by_its_name_alone() -> None:
    """The table of lazily loaded commands names each command's module: `digest NAME`
    imports that module only (a missing entry would still work, but load them all)."""
    from digest.cli import LAZY_COMMANDS, main

    for name, command in main.commands.items():
        module = command.callback.__module__ if command.callback else ""
        if module != "digest.cli":
            assert LAZY_COMMANDS.get(name) == module.rsplit(".", 1)[-1], name
    code = (
        "import sys\n"
        "from digest.cli import main\n"
        "assert main.get_command(None, 'pause') is not None\n"
        "print(sorted(m for m in sys.modules if m.startswith('digest.cli.')))\n"
    )
    out = _python(code)
    # the package and its shared helpers, and of the command modules only `send`
    assert out.stdout.strip() == "['digest.cli.common', 'digest.cli.send']"


def test_inlining_css_does_not_import_requests_yet_premailer_still_reaches_it() -> None:
    """premailer imports requests (a tenth of a second of every send's start) only to
    fetch external style sheets, which digest never asks for: it gets a stand-in that
    imports the real module on first use."""
    code = (
        "import sys\n"
        "from digest.render.fit import inline\n"
        "page = '<html><head><style>p{color:red}</style></head><body><p>x</p></body></html>'\n"
        "html = inline(page)\n"
        "print('style=\"color:red\"' in html, 'requests' in sys.modules)\n"
        "import premailer.premailer as p\n"
        "print(callable(p.requests.get), 'requests' in sys.modules)\n"
    )
    out = _python(code)
    assert out.stdout.splitlines() == ["True False", "True True"], out.stdout + out.stderr


def test_python_dash_m_digest_is_the_digest_command() -> None:
    """`python -m digest` runs the command line (before: "No module named
    digest.__main__"), naming itself `digest` in its help."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "digest", "--help"], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: digest [OPTIONS] COMMAND"), run.stdout
    assert " demo " in run.stdout


def test_an_unchanged_collect_into_a_pipe_loads_neither_rich_nor_the_parsers(
    tmp_path: Path,
) -> None:
    """The collect a schedule runs again and again (output into a pipe or a log, every
    feed answering 304) loads what it uses: not rich (its table is drawn without it),
    not the package metadata (the version is in `digest`), not the feed parsers or
    SQLAlchemy; and the process it ran in closed the database (no WAL left behind)."""
    from tests.feedserver import outlet_project, sample_feed, serve_feeds

    feeds = {f"/{n}.xml": sample_feed(n, items=3) for n in range(3)}
    with serve_feeds(feeds) as server:
        config = outlet_project(tmp_path / "news", server, 3)
        at = "2026-11-27T06:00:00+00:00"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "digest", "collect", "--config", str(config)]
        first = subprocess.run([*command, "--at", at], capture_output=True, text=True, env=env)
        assert first.returncode == 0, first.stderr
        assert not (config.parent / "digest.db-wal").exists()
        heavy = ["rich.console", "importlib.metadata", "feedparser", "sqlalchemy"]
        code = (
            "import sys\n"
            "from digest.cli import main\n"
            f"sys.argv = ['digest', 'collect', '--config', {str(config)!r}, '--at', {at!r}]\n"
            "try:\n"
            "    main.main(standalone_mode=False)\n"
            "finally:\n"
            f"    print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n"
        )
        again = _python(code)
    assert again.stdout.count("not modified") == 3, again.stdout
    assert again.stdout.startswith("Sources"), again.stdout  # the table, drawn plainly
    assert again.stderr.strip().splitlines()[-1] == "[]", again.stderr


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {"COLUMNS": "132"},
        {"FORCE_COLOR": "1"},
        {"TTY_COMPATIBLE": "0"},
        {"TTY_COMPATIBLE": "1"},
    ],
)
def test_the_stand_in_console_answers_as_rich_would(
    environ: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the stand-in answers without rich (into a pipe) is what rich's Console says,
    also where the environment forces a terminal or sets the width."""
    from rich.console import Console

    from digest.cli.common import _LazyConsole

    for name in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    read, write = os.pipe()
    with os.fdopen(read, "rb"), os.fdopen(write, "w", encoding="utf-8") as pipe:
        monkeypatch.setattr(sys, "stdout", pipe)
        stand_in, rich = _LazyConsole(stderr=False), Console(highlight=False)
        answers = [(c.is_terminal, c.color_system, c.encoding, c.width) for c in (stand_in, rich)]
    assert answers[0] == answers[1]
