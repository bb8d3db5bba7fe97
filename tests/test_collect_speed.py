"""Collect at the speed of the parser: feeds parsed in worker processes, articles stored
in bulk.

Each test states what a user would notice: the same stored articles and reports
whether feeds are parsed in this process or in workers; a source's articles written
with a bounded number of statements (not two per article).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from digest import collect
from digest.config import SourceSettings
from digest.records import Article, SourceReport, claimed_key
from digest.store import Store
from tests.feedserver import sample_feed, serve_feeds

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def _feeds() -> dict[str, bytes]:
    feeds = {f"/feed/{n}.xml": sample_feed(n, 30) for n in range(6)}
    feeds["/page.xml"] = b"<!doctype html><html><body>not a feed</body></html>"
    feeds["/garbage.xml"] = b"\x00\x01 this is not xml at all"
    return feeds


def _summary(reports: list[SourceReport], store: Store) -> tuple[Any, ...]:
    by_source = sorted(
        (a.source, a.key, a.title, a.summary, a.html, a.published) for a in store.articles()
    )
    rows = [(r.name, r.new, r.updated, r.unchanged, r.error, r.warnings) for r in reports]
    return rows, by_source


@pytest.mark.parametrize("workers", [2, 3])
def test_feeds_parsed_in_worker_processes_store_what_one_process_stores(
    tmp_path: Path, workers: int
) -> None:
    with serve_feeds(_feeds()) as server:
        sources = [SourceSettings(p.strip("/"), server.url(p)) for p in _feeds()]
        sources.append(SourceSettings("Missing", server.url("/missing.xml")))
        outcomes = []
        for n in (1, workers):
            store = Store(f"sqlite:///{tmp_path}/{n}.db")
            store.migrate()
            reports = collect.collect(sources, store, now=NOW, parse_workers=n)
            outcomes.append(_summary(reports, store))
            again = collect.collect(sources, store, now=NOW + timedelta(hours=1), parse_workers=n)
            assert [r.not_modified for r in again[:6]] == [True] * 6
            store.close()
    assert outcomes[0] == outcomes[1]
    rows = {name: (new, error) for name, new, _, _, error, _ in outcomes[1][0]}
    assert rows["feed/0.xml"] == (30, None)
    assert "page.xml" in (rows["page.xml"][1] or "") and "HTML page" in rows["page.xml"][1]
    assert rows["garbage.xml"][1] and "garbage.xml" in rows["garbage.xml"][1]
    assert rows["Missing"][1] and "404" in rows["Missing"][1]


def test_a_big_collect_uses_worker_processes_and_a_small_one_does_not() -> None:
    big = [b"x" * 200_000] * 8
    assert collect.parse_workers_for(big, cpus=4) >= 2
    assert collect.parse_workers_for(big, cpus=1) == 1
    assert collect.parse_workers_for([b"<rss/>"] * 3, cpus=4) == 1
    assert collect.parse_workers_for(big, cpus=64) <= collect.MAX_PARSE_WORKERS


def _article(n: int, *, title: str = "", published: datetime | None = None) -> Article:
    return Article(
        key=f"https://example.org/{n}",
        source="Bulk",
        title=title or f"Item {n}",
        url=f"https://example.org/{n}",
        summary=f"Summary {n}",
        text=f"Summary {n} and more text.",
        html=f"<p>Summary {n} and more text.</p>",
        published=published or NOW - timedelta(hours=n % 40),
    )


@pytest.fixture
def statements() -> Any:
    counted: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.append(statement.split(None, 1)[0].upper())

    return counted, count


def test_a_source_s_articles_are_stored_with_a_bounded_number_of_statements(
    db_url: str, statements: Any
) -> None:
    counted, count = statements
    store = Store(db_url)
    store.migrate()
    event.listen(store.engine, "before_cursor_execute", count)
    articles = tuple(_article(n) for n in range(600))
    first = store.record(SourceReport("Bulk", articles), location="bulk.xml", now=NOW)
    assert (first.new, first.updated, first.unchanged) == (600, 0, 0)
    assert len(counted) < 40, counted[:60]

    # Edited: 3 changed (one dated later, which must keep its first date), 597 unchanged.
    counted.clear()
    later = NOW + timedelta(hours=5)
    edited = list(articles)
    edited[0] = _article(0, title="Item 0, corrected", published=later)
    edited[1] = _article(1, title="Item 1, corrected")
    edited[2] = _article(2, title="Item 2, corrected")
    second = store.record(
        SourceReport("Bulk", (*edited, _article(600))), location="bulk.xml", now=later
    )
    assert (second.new, second.updated, second.unchanged) == (1, 3, 597)
    assert len(counted) < 40, counted[:60]
    event.remove(store.engine, "before_cursor_execute", count)

    stored = {a.key: a for a in store.articles()}
    assert len(stored) == 601
    assert stored["https://example.org/0"].title == "Item 0, corrected"
    assert stored["https://example.org/0"].published == articles[0].published  # the first date
    assert stored["https://example.org/0"].first_seen == NOW  # never new again
    assert stored["https://example.org/600"].first_seen == later

    # Another source carrying a key already stored: the first keeps it, the other's
    # article is stored under a copy key of its own (records.copy_key), once.
    for new, unchanged in ((2, 0), (0, 2)):
        other = store.record(
            SourceReport("Other", (_article(5), _article(700))), location="other.xml", now=later
        )
        assert (other.new, other.updated, other.unchanged) == (new, 0, unchanged)
    sources = {a.key: a.source for a in store.articles()}
    assert sources["https://example.org/5"] == "Bulk"
    others = sorted(k for k, s in sources.items() if s == "Other")
    assert others[0] == "https://example.org/700"
    assert claimed_key(others[1]) == "https://example.org/5" != others[1]
    store.close()


def _new_feeds(count: int) -> dict[str, bytes]:
    return {f"/new/{n}.xml": sample_feed(n, 20) for n in range(count)}


def test_feeds_never_fetched_are_parsed_as_they_arrive_and_stored_as_one_process_stores(
    tmp_path: Path,
) -> None:
    """A first collect of many feeds (none can answer 304) starts the workers before
    the fetch and hands each feed over as it arrives: the same articles and reports as
    parsing them all in this process afterwards."""
    feeds = _new_feeds(collect.parsing.PRESTART_DOCUMENTS + 4)
    with serve_feeds(feeds) as server:
        sources = [SourceSettings(p.strip("/"), server.url(p)) for p in feeds]
        outcomes = []
        for n in (1, None):
            store = Store(f"sqlite:///{tmp_path}/{n}.db")
            store.migrate()
            reports = collect.collect(sources, store, now=NOW, parse_workers=n)
            outcomes.append(_summary(reports, store))
            store.close()
    assert outcomes[0] == outcomes[1]
    assert [r.new for r in reports] == [20] * len(feeds)


def test_workers_start_before_a_fetch_only_when_many_documents_are_sure_to_come() -> None:
    import multiprocessing
    import os

    sources = [SourceSettings(f"s{n}", f"http://127.0.0.1:9/{n}") for n in range(20)]
    small = collect.parsing.Parsing(sources, NOW, None)
    small.start(3)  # a few feeds parse faster here than workers start
    assert not multiprocessing.active_children()
    big = collect.parsing.Parsing(sources, NOW, None)
    try:
        big.start(20)
        expected = min(os.cpu_count() or 1, collect.MAX_PARSE_WORKERS, 20)
        assert len(multiprocessing.active_children()) == (expected if expected > 1 else 0)
    finally:
        big.close()
    one = collect.parsing.Parsing(sources, NOW, 1)
    one.start(20)  # parse_workers=1: this process only
    assert not multiprocessing.active_children()


def test_a_parser_process_that_dies_is_reported_with_each_source_it_left_unparsed() -> None:
    import multiprocessing
    import os
    import signal

    from digest.collect.fetch import FetchResult

    feeds = _new_feeds(collect.parsing.PRESTART_DOCUMENTS)
    sources = [SourceSettings(p.strip("/"), f"http://127.0.0.1:9{p}") for p in feeds]
    parsing = collect.parsing.Parsing(sources, NOW, None)
    parsing.start(len(sources))
    for child in multiprocessing.active_children():
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    results = {
        s.name: FetchResult(s.name, s.url or "", 200, body)
        for s, body in zip(sources, feeds.values(), strict=True)
    }
    try:
        reports = list(parsing.reports(results))
    finally:
        parsing.close()
    assert [r.name for r in reports] == [s.name for s in sources]  # every source, in order
    assert all(r.error and "parser's process stopped" in r.error for r in reports)
    assert all(s.url and s.url in (r.error or "") for s, r in zip(sources, reports, strict=True))


def test_a_new_projects_first_collect_fetches_then_creates_its_database(tmp_path: Path) -> None:
    """A new SQLite project's feeds are fetched before its database is created (there are
    no validators to read); the collect still stores every feed and marks each source,
    and the next collect is conditional."""
    from digest.app import App
    from tests.feedserver import outlet_project

    feeds = {f"/{n}.xml": sample_feed(n, 20) for n in range(collect.parsing.PRESTART_DOCUMENTS)}
    with serve_feeds(feeds) as server:
        config = outlet_project(tmp_path / "news", server, len(feeds))
        app = App.from_config(config)
        database = tmp_path / "news" / "digest.db"
        assert not database.exists()
        reports = app.collect(now=NOW)
        assert database.exists()
        assert [(r.new, r.error) for r in reports] == [(20, None)] * len(feeds)
        assert len(app.store.articles()) == 20 * len(feeds)
        app.close()
        again = App.from_config(config).collect(now=NOW + timedelta(hours=1))
        assert all(r.not_modified for r in again)
        assert server.not_modified == len(feeds)


def test_a_database_folder_that_is_not_there_fails_before_any_feed_is_fetched(
    tmp_path: Path,
) -> None:
    from digest.app import App
    from digest.errors import StoreError
    from tests.conftest import write_project

    feeds = {f"/{n}.xml": sample_feed(n, 5) for n in range(3)}
    with serve_feeds(feeds) as server:
        sources = "".join(f'[[sources]]\nname = "F{p}"\nurl = "{server.url(p)}"\n\n' for p in feeds)
        config = write_project(tmp_path / "news", sources=sources, database="sqlite:///gone/d.db")
        with pytest.raises(StoreError, match="gone"):
            App.from_config(config).collect(now=NOW)
        assert server.requests == 0  # the error came first: no feed was fetched for nothing
