"""Articles are looked up by their link through an index, on both databases.

Every collect asks, per source, which stored articles the feed's links name (the
re-issue rule: `source_id = ? AND url IN (...)`), and the desk's add-by-link asks which
article links to an address (`url IN (...)`). Neither had an index: SQLite read every
stored article of the source (about 0.18 s a collect of 100 sources with 90 days of
articles), and the desk's lookup read the whole table. A link of any length is still
stored: a PostgreSQL btree entry holds about 2,700 bytes, and a feed's link with
tracking junk can be longer (its collect would have failed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, text

from digest.records import Article, SourceReport
from digest.store import Store

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
#: A link of 10,000 characters: a story's address with a tracker's query string.
LONG = ("https://harbour.example.com/2026/11/ferry-strike?utm=" + "x9" * 5000)[:10_000]
WIDE = "https://øresund.example.dk/færge/" + "ø" * 3000  # 6,000 bytes of UTF-8


def _article(n: int, url: str, key: str | None = None) -> Article:
    return Article(
        key=key or f"guid:{n}",
        source="Harbour News",
        title=f"Ferry crews strike on route {n}",
        url=url,
        summary=f"Crews on route {n} walked out at dawn over the new rosters.",
        published=NOW - timedelta(hours=n % 48),
    )


def test_a_very_long_link_is_stored_found_and_its_reissue_known(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    assert len(LONG) == 10_000
    stored = store.record(
        SourceReport("Harbour News", (_article(1, LONG), _article(2, WIDE))),
        location="x",
        now=NOW,
    )
    assert stored.new == 2 and stored.error is None
    found = store.article_at("https://elsewhere.example/", LONG)
    assert found is not None and found.url == LONG and found.key == "guid:1"
    wide = store.article_at(WIDE)
    assert wide is not None and wide.key == "guid:2"
    assert store.article_at(LONG[:-1]) is None  # a link is matched whole
    # The same report under a new GUID (a re-import) is the article already held.
    again = store.record(
        SourceReport("Harbour News", (_article(1, LONG, key="cms2:1"),)),
        location="x",
        now=NOW + timedelta(days=1),
    )
    assert (again.new, again.unchanged) == (0, 1)
    assert sorted(a.key for a in store.articles()) == ["guid:1", "guid:2"]
    store.close()


@contextmanager
def _statements(store: Store) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) the store sends while the block runs."""
    sent: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)


def _plan(store: Store, statement: str, parameters: Any) -> str:
    """The database's plan of `statement` as the store sent it."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return "\n".join(str(r[-1]) for r in rows)
        # A table this small is read whole; the question is whether an index serves.
        conn.execute(text("SET enable_seqscan = off"))
        rows = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
        return "\n".join(str(r[0]) for r in rows)


def _one(sent: list[tuple[str, Any]], test: Callable[[str], bool]) -> tuple[str, Any]:
    (found,) = [(s, p) for s, p in sent if test(" ".join(s.split()))]
    return found


def test_the_lookups_by_link_use_the_link_index(db_url: str) -> None:
    store = Store(db_url)
    store.migrate()
    for n in range(2):  # a month of two outlets: 600 articles each
        report = SourceReport(
            f"Outlet {n}",
            tuple(
                Article(
                    key=f"guid:{n}:{i}",
                    source=f"Outlet {n}",
                    title=f"Report {i} of outlet {n}",
                    url=f"https://outlet{n}.example/{i}",
                    summary=f"What happened, number {i}.",
                )
                for i in range(600)
            ),
        )
        store.record(report, location=f"x{n}", now=NOW)
    if store.engine.dialect.name == "postgresql":
        # PostgreSQL's autovacuum gathers statistics as a table grows; digest never
        # runs ANALYZE on SQLite, whose planner must then choose without any.
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE articles"))
    news = [_article(i, f"https://outlet0.example/{i}", key=f"new:{i}") for i in range(5)]
    with _statements(store) as sent:
        store.record(SourceReport("Outlet 0", tuple(news)), location="x0", now=NOW)
        assert store.article_at("https://outlet1.example/7", LONG) is not None
    sqlite = store.engine.dialect.name == "sqlite"
    reissue = _one(sent, lambda s: "articles.source_id =" in s and "articles.url IN" in s)
    desk = _one(sent, lambda s: "articles.url IN" in s and "JOIN sources" in s)
    plans = {name: _plan(store, *sent) for name, sent in (("reissue", reissue), ("desk", desk))}
    store.close()
    if sqlite:
        # The re-issue query uses both its columns: no other article of the source is read.
        assert "USING INDEX ix_articles_url_source (url=? AND source_id=?)" in plans["reissue"]
        assert "USING INDEX ix_articles_url_source (url=?)" in plans["desk"]
    else:
        for plan in plans.values():
            assert "ix_articles_url_hash" in plan, plan  # Bitmap Index Scan on ...
    for plan in plans.values():
        assert "SCAN articles" not in plan and "Seq Scan on articles" not in plan, plan
