"""The fetcher loads no trio (httpcore only probes for it), and httpx under trio still works.

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
        "from digest.collect._lazytrio import _Deferred\n"
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
