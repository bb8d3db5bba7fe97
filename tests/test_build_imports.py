"""`digest build` loads neither the web package nor the fetcher when it has no picture
to host.

Hosting lead pictures put `digest.web.fetch_guard` (Flask, Jinja, premailer, werkzeug)
and the fetcher (httpx, asyncio) into every build: 0.15 s and 7 MB more for an edition
whose stories have no pictures (`benchmarks/pipeline.py`'s build went from 0.96 to
1.13 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from digest.app import App
from tests.conftest import ROOT, write_project
from tests.test_send_support import ARTICLES, NOW

CODE = """
import json, sys
from datetime import datetime, timezone
from digest.app import App
from digest.config import load
app = App(load(sys.argv[1]))
app.build(now=datetime(2026, 11, 27, 7, tzinfo=timezone.utc))  # as `build --no-collect`
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("flask", "httpx")
      or m.startswith("digest.web"))))
"""


def test_a_build_without_pictures_loads_no_web_package_and_no_fetcher(tmp_path: Path) -> None:
    articles = tmp_path / "news" / "articles"  # two articles, no pictures
    articles.mkdir(parents=True)
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    sources = '[[sources]]\nname = "City Desk"\npath = "articles/"\n'
    config = write_project(tmp_path / "news", sources=sources, images="hosted")
    app = App.from_config(config)
    app.collect(now=NOW)
    app.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(config)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
