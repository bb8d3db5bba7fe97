"""The fetcher loads neither trio (httpcore only probes for it) nor httpx's command line,
and both still work: httpx under trio, and `httpx.main`.

Each check runs in a fresh interpreter: in this one, another test may have imported
httpcore (and trio with it) already.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.feedserver import sample_feed, serve_feeds

ROOT = Path(__file__).resolve().parents[1]

needs_trio = pytest.mark.skipif(
    importlib.util.find_spec("trio") is None, reason="trio is not installed here"
)


def _run(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@needs_trio
def test_importing_the_fetcher_does_not_import_trio() -> None:
    code = (
        "import sys\n"
        "import digest.collect\n"
        "print('trio' in sys.modules)\n"
        "import trio\n"  # a later import gets the real module, not the stand-in
        "from digest.collect._lazyimports import _Deferred\n"
        "print(callable(trio.run), isinstance(trio, _Deferred))\n"
    )
    assert _run(code).splitlines() == ["False", "True False"]


@needs_trio
def test_an_httpx_request_under_trio_after_the_fetcher_was_imported() -> None:
    body = sample_feed(1)
    with serve_feeds({"/feed.xml": body}) as server:
        code = (
            "import digest.collect.fetch\n"  # httpcore imported with the stand-in
            "import httpx, trio\n"
            "async def main():\n"
            "    async with httpx.AsyncClient() as client:\n"
            f"        response = await client.get({server.url('/feed.xml')!r})\n"
            "        print(response.status_code, len(response.content))\n"
            "trio.run(main)\n"
        )
        assert _run(code) == f"200 {len(body)}"


def test_importing_the_fetcher_leaves_httpx_s_command_line_until_it_is_run() -> None:
    code = (
        "import sys\n"
        "import digest.collect\n"
        "print(sorted(m for m in ('httpx._main', 'pygments', 'rich.syntax') if m in sys.modules))\n"
        "import httpx\n"
        "sys.argv = ['httpx', '--help']\n"
        "try:\n"
        "    httpx.main()\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code)\n"
    )
    lines = _run(code).splitlines()
    assert lines[0] == "[]"
    assert lines[-1] == "exit 0"
    assert any("Usage: httpx <URL> [OPTIONS]" in line for line in lines)


def test_parsing_a_feed_does_not_load_the_ranking_s_numerical_modules() -> None:
    # An untitled item is titled by the headline rule (digest.wording), which lived in
    # digest.rank: importing it ran digest/rank/__init__.py, and numpy with it, in every
    # collect (0.15-0.2 s more of each command-line collect).
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from digest.collect.feeds import parse_feed\n"
        'feed = b\'<rss version="2.0"><channel><title>T</title><item>'
        "<description>An untitled post about the harbour, said the mayor.</description>"
        "<link>https://example.org/1</link></item></channel></rss>'\n"
        "articles = parse_feed(feed, source='T', url=None, now=datetime(2026, 1, 1, tzinfo=UTC))\n"
        "print(bool(articles[0].title))\n"
        "print(sorted(m for m in ('numpy', 'digest.rank') if m in sys.modules))\n"
    )
    assert _run(code).splitlines() == ["True", "[]"]
