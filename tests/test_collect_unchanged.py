"""A collect with nothing changed: cheap, and as correct as a full one (issue 16).

The 304s' health rows are written in one transaction with a statement for all of them
(on SQLite and PostgreSQL), and `digest collect` loads nothing that composes, renders
or signs a message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from digest.records import SourceReport
from digest.store import Store
from tests.conftest import write_project
from tests.feedserver import sample_feed, serve_feeds

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def test_304s_update_every_health_row_and_create_a_missing_one(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    store.record(SourceReport("Old", error="Old: HTTP 500 (u)"), location="http://o/", now=NOW)
    store.record(SourceReport("Kept", etag='"k1"'), location="http://k/", now=NOW)
    later = NOW + timedelta(hours=1)
    unchanged = [
        (SourceReport("Old", not_modified=True, etag='"o2"', last_modified="Mon"), "http://o2/"),
        (SourceReport("Kept", not_modified=True), "http://k/"),  # gave no validators
        (SourceReport("Unseen", not_modified=True, etag='"u1"'), "http://u/"),
    ]
    store.record_unchanged(unchanged, now=later)
    health = {h.name: h for h in store.health()}
    assert set(health) == {"Old", "Kept", "Unseen"}
    assert health["Old"].location == "http://o2/"
    for h in health.values():
        assert (h.last_checked, h.last_success, h.consecutive_failures) == (later, later, 0)
    assert health["Old"].last_error == "Old: HTTP 500 (u)"  # the last error stays on record
    validators = store.all_validators()
    assert validators == {
        "Old": ('"o2"', "Mon"),
        "Kept": ('"k1"', None),  # a 304 without validators keeps the stored ones
        "Unseen": ('"u1"', None),
    }
    store.close()


def test_collect_command_loads_no_renderer_composer_or_signer(tmp_path: Path) -> None:
    feeds = {f"/{n}.xml": sample_feed(n) for n in range(3)}
    with serve_feeds(feeds) as server:
        sources = "\n".join(
            f'[[sources]]\nname = "S{n}"\nurl = "{server.url(f"/{n}.xml")}"\n' for n in range(3)
        )
        config = write_project(tmp_path, sources=sources)
        code = (
            "import json, sys; from digest.cli import main; sys.argv[0] = 'digest'\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith("
            "('digest', 'jinja2', 'cryptography', 'feedparser', 'aiosmtplib',"
            " 'sqlalchemy.dialects.postgresql', 'apscheduler')))))"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
        args = ["collect", "--config", str(config), "--at", NOW.isoformat()]
        for _ in range(2):  # the first collect, then the unchanged one (all 304)
            done = subprocess.run(
                [sys.executable, "-c", code, *args],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
            )
            assert done.returncode == 0, done.stderr
            loaded = set(json.loads(done.stdout.splitlines()[-1]))
            assert "digest.collect" in loaded
            unwanted = {"digest.render", "digest.compose", "digest.dkim", "digest.message"}
            unwanted |= {"jinja2", "cryptography", "digest.rank", "aiosmtplib"}
            unwanted.add("apscheduler")  # no schedule is computed
            if server.not_modified:  # migrated: a SQLite project's PostgreSQL dialect unused
                unwanted.add("sqlalchemy.dialects.postgresql")
            assert not loaded & unwanted, sorted(loaded & unwanted)
            parsers = {"digest.collect.feeds", "feedparser", "feedparser_rs"}
            parsers_loaded = sorted(loaded & parsers)
            if not server.not_modified:
                assert "digest.collect.feeds" in parsers_loaded
            else:  # a 304 has nothing to parse
                assert not parsers_loaded, parsers_loaded
    assert server.not_modified == 3
