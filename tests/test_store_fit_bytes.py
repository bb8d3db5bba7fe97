"""An article key within its length in characters but not in bytes is stored too.

A key of up to 680 characters was kept as it is, but a GUID of 675 characters beyond
the BMP (4 bytes each in UTF-8) is 2,705 bytes with its ``guid:``: more than a
PostgreSQL index entry of ``uq_articles_key`` holds (2,704). Storing it raised
ProgramLimitExceeded, and the collect of every source failed with it (`digest
collect` and the scheduler's). Such a key is now known by a hash of itself, as a key
longer than 680 characters was; a key that fits keeps its form, so an article stored
before keeps its identity. Feeds are served over real loopback HTTP (tests.feedserver).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from digest.app import App
from digest.store import schema as t
from digest.store._base import INDEX_BYTES
from digest.store._sources import MAX_KEY, fitted_key
from tests.conftest import write_project
from tests.feedserver import FeedServer, serve_feeds

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
#: 675 characters beyond the BMP: the key `guid:...` is 680 characters, 2,705 bytes.
WIDE = "".join(chr(0x20000 + n * 37) for n in range(675))


def _rss(title: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"""<item><title>{headline}</title><link>https://{title.lower()}.example.org/{n}</link>
<guid isPermaLink="false">{guid}</guid><pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>
<description>{headline}: what happened today, told in a sentence of its own.</description></item>"""
        for n, (guid, headline) in enumerate(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://{title.lower()}.example.org/</link>
<description>Test</description>{body}</channel></rss>""".encode()


def _app(tmp_path: Path, server: FeedServer, database: str) -> App:
    server.feeds["/wide.xml"] = _rss("Wide", [(WIDE, "Ferry timetable changes"), ("w2", "Dock")])
    server.feeds["/plain.xml"] = _rss("Plain", [("p1", "Council meets"), ("p2", "Bridge")])
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nurl = "{server.url(path)}"\n\n'
        for name, path in (("Wide", "/wide.xml"), ("Plain", "/plain.xml"))
    )
    folder = tmp_path / "news"
    return App.from_config(write_project(folder, sources=sources, database=database))


def test_a_guid_too_long_in_bytes_is_stored_and_the_other_sources_too(
    tmp_path: Path, db_url: str
) -> None:
    """On SQLite and PostgreSQL: both feeds' articles are stored, the wide GUID's under
    a key an index holds; the next collect finds it again (nothing new, no copy)."""
    key = f"guid:{WIDE}"
    assert len(key) <= MAX_KEY and len(key.encode()) > 2704
    with serve_feeds({}) as server:
        app = _app(tmp_path, server, db_url)
        first = app.collect(now=NOW)
        again = app.collect(now=NOW + timedelta(hours=1))
    assert [(r.name, r.new, r.error) for r in first] == [("Wide", 2, None), ("Plain", 2, None)]
    assert [(r.new, r.updated) for r in again] == [(0, 0), (0, 0)]
    stored = {a.title: a.key for a in app.store.articles()}
    assert set(stored) == {"Ferry timetable changes", "Dock", "Council meets", "Bridge"}
    assert stored["Ferry timetable changes"] == fitted_key(key) != key
    assert len(fitted_key(key).encode()) <= INDEX_BYTES
    assert stored["Dock"] == "guid:w2" and stored["Council meets"] == "guid:p1"
    edition = app.build(now=NOW)
    assert fitted_key(key) in {k for story in edition.stories for k in story.keys}
    app.close()


def test_a_wide_key_sqlite_stored_whole_is_still_the_same_article(tmp_path: Path) -> None:
    """SQLite held such a key whole: that row is found by it, so the article is not
    stored again as new (and not sent twice)."""
    with serve_feeds({}) as server:
        app = _app(tmp_path, server, "sqlite:///digest.db")
        with app.store.engine.begin() as conn:
            sid = conn.execute(
                insert(t.sources).values(
                    name="Wide", location=server.url("/wide.xml"), consecutive_failures=0
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(t.articles).values(
                    key=f"guid:{WIDE}",
                    source_id=sid,
                    url="https://wide.example.org/0",
                    title="Ferry timetable changes",
                    summary="",
                    text="",
                    html="",
                    categories=[],
                    first_seen_at=NOW - timedelta(days=1),
                    updated_at=NOW - timedelta(days=1),
                    content_hash="old",
                )
            )
        wide, _plain = app.collect(now=NOW)
    assert (wide.new, wide.updated) == (1, 1)
    with app.store.engine.connect() as conn:
        keys = set(conn.execute(select(t.articles.c.key)).scalars())
    assert f"guid:{WIDE}" in keys and fitted_key(f"guid:{WIDE}") not in keys
    app.close()


def test_a_key_within_its_bytes_keeps_its_form() -> None:
    """Keys already stored are found by their form: one that fits is never re-keyed."""
    narrow = "guid:" + "é" * (MAX_KEY - 5)  # 1,355 bytes
    assert fitted_key(narrow) == narrow
    assert fitted_key("guid:x" * 200) != "guid:x" * 200  # longer than MAX_KEY, as before
    assert fitted_key("guid:x" * 200).startswith("guid-sha256:")
