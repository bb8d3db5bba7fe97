"""A collect with nothing changed: cheap, and as correct as a full one (issue 16).

The 304s' health rows are written in one transaction with a statement for all of them
(on SQLite and PostgreSQL), and `digest collect` loads nothing that composes, renders
or signs a message. Before the store is opened, an unchanged SQLite project is recorded
with plain sqlite3 (digest.collect.unchanged): the same rows, and no SQLAlchemy.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest.app import App
from digest.errors import StoreError
from digest.records import SourceReport
from digest.store import Store
from tests.conftest import write_project
from tests.feedserver import FeedServer, sample_feed, serve_feeds

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
            " 'sqlalchemy', 'alembic', 'trio', 'apscheduler', 'httpx', 'httpcore',"
            " 'anyio', 'asyncio')))))"
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
            unwanted.add("trio")  # httpcore only probes for it
            if server.not_modified:  # all 304: recorded with sqlite3, the store not opened
                unwanted |= {"sqlalchemy", "alembic"}
                # and asked with the standard library's client (digest.collect.revalidate)
                unwanted |= {"httpx", "httpcore", "anyio", "asyncio"}
            assert not loaded & unwanted, sorted(loaded & unwanted)
            parsers = {"digest.collect.feeds", "feedparser", "feedparser_rs"}
            parsers_loaded = sorted(loaded & parsers)
            if not server.not_modified:
                assert "digest.collect.feeds" in parsers_loaded
            else:  # a 304 has nothing to parse
                assert not parsers_loaded, parsers_loaded
    assert server.not_modified == 3


def _dump(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite file."""
    conn = sqlite3.connect(database)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"'), key=repr) for t in tables}
    finally:
        conn.close()


@contextmanager
def _projects(tmp_path: Path, names: tuple[str, ...]) -> Iterator[tuple[FeedServer, list[Path]]]:
    """A feed server of 4 feeds and a project (collected once) for each of `names`."""
    with serve_feeds({f"/{n}.xml": sample_feed(n) for n in range(4)}) as server:
        sources = "\n".join(
            f'[[sources]]\nname = "S{n}"\nurl = "{server.url(f"/{n}.xml")}"\n' for n in range(4)
        )
        configs = [write_project(tmp_path / name, sources=sources) for name in names]
        for config in configs:
            app = App.from_config(config)
            assert [r.new for r in app.collect(now=NOW)] == [10] * 4
            app.store.close()
        yield server, configs


@pytest.mark.parametrize("failing", [False, True])
def test_an_unchanged_collect_before_the_store_is_opened_writes_the_rows_the_store_writes(
    tmp_path: Path, failing: bool
) -> None:
    """All 304, or 304s and failures (a source gone, 404; a new one that is down, 500)."""
    later = NOW + timedelta(hours=1, microseconds=1234)
    with _projects(tmp_path, ("store", "plain")) as (server, configs):
        if failing:
            server.feeds.pop("/1.xml")  # gone: 404
            for config in configs:
                config.write_text(
                    config.read_text()
                    + f'\n[[sources]]\nname = "Down"\nurl = "{server.url("/fail/d.xml")}"\n'
                )
        requests = server.requests
        by_store = App.from_config(configs[0])
        by_store.store  # noqa: B018 - opened first: the store records the collects
        for when in (NOW + timedelta(minutes=30), later):
            stored = by_store.collect(now=when)
            plain = App.from_config(configs[1])  # as each `digest collect` starts
            reports = plain.collect(now=when)
            assert "store" not in plain.__dict__  # recorded without opening the store
            assert reports == stored
        by_store.store.close()
        assert server.requests == requests + 4 * len(reports)  # each source once a collect
        assert server.not_modified == (12 if failing else 16)
    assert [r.not_modified for r in reports] == [True, not failing, True, True] + [False] * failing
    rows = _dump(tmp_path / "plain" / "digest.db")
    assert rows == _dump(tmp_path / "store" / "digest.db")
    store = Store(plain.settings.database.url)
    health = {h.name: h for h in store.health()}
    store.close()
    assert {h.last_checked for h in health.values()} == {later}
    assert {h.articles for h in health.values() if h.name != "Down"} == {10}
    if failing:
        assert health["S1"].consecutive_failures == 2 and "404" in (health["S1"].last_error or "")
        assert health["S1"].last_success == NOW  # its last success stays on record
        assert health["Down"].consecutive_failures == 2 and health["Down"].last_error_at == later


def test_a_source_with_news_is_stored_by_the_store_from_the_one_fetch(tmp_path: Path) -> None:
    later = NOW + timedelta(hours=1)
    with _projects(tmp_path, ("news",)) as (server, (config,)):
        server.feeds["/2.xml"] = sample_feed(2, items=12)  # two more items
        requests = server.requests
        app = App.from_config(config)
        reports = app.collect(now=later)
        assert server.requests == requests + 4  # each source fetched once
    assert "store" in app.__dict__
    assert [r.not_modified for r in reports] == [True, True, False, True]
    assert (reports[2].new, reports[2].unchanged) == (2, 10)
    assert {h.name: h.last_checked for h in app.store.health()} == dict.fromkeys(
        ("S0", "S1", "S2", "S3"), later
    )
    app.store.close()


def test_a_database_of_a_newer_version_is_left_to_the_store_which_refuses_it(
    tmp_path: Path,
) -> None:
    with _projects(tmp_path, ("newer",)) as (server, (config,)):
        database = tmp_path / "newer" / "digest.db"
        with sqlite3.connect(database) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '9999'")
        before = _dump(database)["sources"]
        requests = server.requests
        with pytest.raises(StoreError, match="newer version"):
            App.from_config(config).collect(now=NOW + timedelta(hours=1))
        assert server.requests == requests  # nothing fetched, nothing written
    assert _dump(database)["sources"] == before
