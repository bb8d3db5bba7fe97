"""Benchmark of the lookups of stored articles by their link, on a large store.

    python benchmarks/links.py [--sources 100] [--articles 4500] [--links 50]
                               [--runs 5] [--database URL]

Fills a store (SQLite in a temporary folder, or ``--database``: an empty PostgreSQL
database) with `--sources` x `--articles` articles (100 x 4,500 = 450,000: 90 days of a
busy newsroom), then times, as the median of `--runs`:

- the re-issue check of one collect (`_sources._reissued`, per source: the feed's
  `--links` links, half of them stored, under keys not stored);
- the desk's add-by-link (`Store.article_at`), 100 lookups of one link;
- one collect's writing: `Store.record` of `--links` new articles for every source
  (once; the index's upkeep is part of it).

It prints the database's plan of the re-issue query too. On PostgreSQL the table is
analysed after the fill, as autovacuum does once a table has grown. It uses only what the store
has had since before revision 0017, so it runs on older code for a "before".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, text

from digest.records import Article, SourceReport
from digest.store import Store
from digest.store import schema as t
from digest.store._base import _article_values, content_hash
from digest.store._sources import _reissued

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
SUMMARY = "Crews walked out at dawn over the new rosters; the operator said talks go on."


def link(source: int, n: int) -> str:
    return f"https://outlet{source}.example/2026/11/{n}/ferry-crews-strike-over-rosters"


def fill(store: Store, sources: int, articles: int) -> None:
    """`sources` x `articles` stored articles, written in batches of 5,000 rows."""
    with store.engine.begin() as conn:
        conn.execute(
            insert(t.sources),
            [
                {"id": s + 1, "name": f"Outlet {s}", "location": "x", "consecutive_failures": 0}
                for s in range(sources)
            ],
        )
    rows: list[dict[str, Any]] = []
    for n in range(articles):  # one article of each source in turn, as collects add them
        seen = NOW - timedelta(days=90) * (1 - n / articles)
        for s in range(sources):
            rows.append(
                {
                    "key": f"guid:{s}:{n}",
                    "source_id": s + 1,
                    "url": link(s, n),
                    "title": f"Ferry crews strike, report {n}",
                    "summary": SUMMARY,
                    "text": SUMMARY,
                    "html": f"<p>{SUMMARY}</p>",
                    "categories": [],
                    "published_at": seen,
                    "first_seen_at": seen,
                    "updated_at": seen,
                    "content_hash": f"{s}:{n}",
                }
            )
            if len(rows) == 5000:
                with store.engine.begin() as conn:
                    conn.execute(insert(t.articles), rows)
                rows = []
    if rows:
        with store.engine.begin() as conn:
            conn.execute(insert(t.articles), rows)


def feed(source: int, links: int, articles: int, fresh: str) -> list[Article]:
    """A feed of `links` items under keys not stored: half name stored links (its
    latest articles), half new ones."""
    return [
        Article(
            key=f"{fresh}:{source}:{i}",
            source=f"Outlet {source}",
            title=f"Ferry crews strike, report {articles - 1 - i}",
            url=link(source, articles - 1 - i) if i % 2 else link(source, articles + i),
            summary=SUMMARY,
        )
        for i in range(links)
    ]


def median(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def plan(store: Store, links: int, articles: int) -> str:
    """The database's plan of the re-issue query as the store sends it."""
    sent: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append((statement, parameters))

    items = feed(0, links, articles, "plan")
    made = {a.key: (content_hash(a), _article_values(a)) for a in items}
    event.listen(store.engine, "before_cursor_execute", seen)
    with store.engine.connect() as conn:
        _reissued(conn, 1, items, made)
    event.remove(store.engine, "before_cursor_execute", seen)
    statement, parameters = sent[-1]
    sqlite = store.engine.dialect.name == "sqlite"
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"EXPLAIN {'QUERY PLAN ' if sqlite else ''}{statement}", parameters
        ).all()
    lines = [str(r[-1] if sqlite else r[0]) for r in rows]
    return "\n".join(f"    {line[:110]}" for line in lines if "Cond:" not in line)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--articles", type=int, default=4500, help="stored, per source")
    parser.add_argument("--links", type=int, default=50, help="in each feed")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", help="a PostgreSQL URL (an empty database)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.database or f"sqlite:///{tmp}/links.db")
        store.migrate()
        start = time.perf_counter()
        fill(store, args.sources, args.articles)
        took = time.perf_counter() - start
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as conn:  # as autovacuum does once a table grew
                conn.execute(text("ANALYZE articles"))
        total = args.sources * args.articles
        print(f"{store.engine.dialect.name}: {total:,} articles stored in {took:.1f} s")
        feeds = [feed(s, args.links, args.articles, "new") for s in range(args.sources)]
        made = [{a.key: (content_hash(a), _article_values(a)) for a in f} for f in feeds]

        def reissues() -> None:
            with store.engine.connect() as conn:
                for s, items in enumerate(feeds):
                    found = _reissued(conn, s + 1, items, made[s])
                    assert len(found) == args.links // 2, len(found)

        took = median(args.runs, reissues)
        print(
            f"re-issue check, {args.sources} sources x {args.links} links: {took:.4f} s "
            f"a collect ({took / args.sources * 1000:.3f} ms a source)"
        )
        wanted = link(args.sources // 2, args.articles // 2)

        def desk() -> None:
            for _ in range(100):
                assert store.article_at(wanted) is not None

        took = median(args.runs, desk)
        print(f"Store.article_at (the desk's add-by-link): {took * 10:.3f} ms a lookup")
        print(f"plan of the re-issue query:\n{plan(store, args.links, args.articles)}")
        start = time.perf_counter()
        for items in feeds:
            source = items[0].source
            store.record(SourceReport(source, tuple(items)), location="x", now=NOW)
        took = time.perf_counter() - start
        print(f"Store.record, {args.sources} sources x {args.links} items: {took:.2f} s")
        store.close()


if __name__ == "__main__":
    main()
