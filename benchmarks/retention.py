"""Benchmark of retention: the database's size before and after `digest prune`, and its time.

    python benchmarks/retention.py [--feeds 100] [--items 50] [--body-times 1]
                                   [--old 0.5] [--database URL]

Collects benchmarks/pipeline.py's corpus (100 feeds x 50 items: 5,000 articles) with
`digest collect`, builds one draft edition (its articles must be kept), then makes a
share (``--old``) of the articles old: their first sight and date moved back 200 days
with one UPDATE. ``--body-times K`` repeats each item's body K times, for a feed that
carries its full text (content:encoded). Then runs `digest prune --dry-run` and
`digest prune` as a user types them (child processes, start-up included), and
`Store.prune_articles` alone in this process on a second copy of the aged database.
SQLite: prints the file's size before, after the prune (the same: the freed pages are
kept for reuse), the free pages, a `VACUUM INTO` copy and the file after `VACUUM`, with
their times. PostgreSQL (``--database postgresql://...``, an empty database): the
articles table's size (pg_total_relation_size) before (compacted after the aging),
after, after VACUUM and after VACUUM FULL.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pipeline import NOW, make_feeds, run, write_project  # noqa: E402

from tests.feedserver import serve_feeds  # noqa: E402

AGED = timedelta(days=200)


def thicker(feeds: dict[str, bytes], times: int) -> dict[str, bytes]:
    """Each item's description repeated `times` times (a full-text feed's body)."""
    if times <= 1:
        return feeds
    pattern = re.compile(rb"<description>(.*?)</description>", re.S)
    return {
        path: pattern.sub(lambda m: b"<description>" + m.group(1) * times + b"</description>", body)
        for path, body in feeds.items()
    }


def age(url: str, share: float) -> tuple[int, int]:
    """Move the first sight and date of the first `share` of the articles (by id) back
    200 days; return (aged, total)."""
    from sqlalchemy import func, select, update

    from digest.store import Store
    from digest.store import schema as t

    store = Store(url)
    a = t.articles
    with store.engine.begin() as conn:
        total = int(conn.execute(select(func.count()).select_from(a)).scalar_one())
        last = int(total * share)
        ids = select(a.c.id).order_by(a.c.id).limit(last)
        conn.execute(
            update(a)
            .where(a.c.id.in_(ids))
            .values(
                first_seen_at=a.c.first_seen_at - AGED,
                published_at=a.c.published_at - AGED,
            )
        )
    store.close()
    return last, total


def sqlite_sizes(path: Path) -> tuple[int, int]:
    """(file bytes, free-list bytes) of a SQLite file with no WAL left."""
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return path.stat().st_size, page * free


def pg_size(url: str) -> int:
    from sqlalchemy import text

    from digest.store import Store

    store = Store(url)
    with store.engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_total_relation_size('articles')")).scalar_one())
    store.close()
    return size


def mb(n: int) -> str:
    return f"{n / 1e6:7.1f} MB"


def again(feeds: dict[str, bytes]) -> dict[str, bytes]:
    """The same corpus under new GUIDs and links: as many new articles again."""
    return {path: body.replace(b"outlet", b"second-outlet") for path, body in feeds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--body-times", type=int, default=1)
    parser.add_argument("--old", type=float, default=0.5, help="share of articles made old")
    parser.add_argument("--database", help="a PostgreSQL URL (an empty database)")
    args = parser.parse_args()
    feeds = thicker(make_feeds(args.feeds, args.items), args.body_times)
    megabytes = sum(map(len, feeds.values())) / 1e6
    print(f"corpus: {args.feeds} feeds x {args.items} items, {megabytes:.1f} MB")
    at = NOW.isoformat()
    with serve_feeds(feeds) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_project(folder, [server.url(p) for p in feeds], 25, 0)
        if args.database:
            config.write_text(config.read_text().replace("sqlite:///digest.db", args.database))
        url = args.database or f"sqlite:///{folder / 'digest.db'}"
        conf = ("--config", str(config))
        run(folder, "collect", *conf, "--at", at)
        built = run(folder, "build", *conf, "--no-collect", "--at", at, check=False)
        print(built.stdout.strip().splitlines()[0] if built.stdout.strip() else "(no build)")
        aged, total = age(url, args.old)
        print(f"{total:,} articles stored; {aged:,} made {AGED.days} days old")
        db = folder / "digest.db"
        if args.database:
            vacuum(url, "VACUUM FULL articles")  # the aging's dead rows: not the prune's
            print(f"articles table before:  {mb(pg_size(url))}")
        else:
            shutil.copy(db, folder / "copy.db")
            shutil.copy(db, folder / "unpruned.db")
            size, free = sqlite_sizes(db)
            print(f"before prune:           {mb(size)}  ({size / total / 1024:.1f} KB an article)")
        dry = run(folder, "prune", *conf, "--dry-run", "--at", at)
        print(f"digest prune --dry-run: {dry.seconds:.2f} s: {dry.stdout.strip()}")
        done = run(folder, "prune", *conf, "--at", at)
        print(f"digest prune:           {done.seconds:.2f} s: {done.stdout.strip()}")
        if args.database:
            postgres(url)
            return
        from digest.store import Store

        store = Store(f"sqlite:///{folder / 'copy.db'}")
        start = time.perf_counter()
        emptied = store.prune_articles(before=NOW - timedelta(days=90))
        took = time.perf_counter() - start
        store.close()
        print(f"Store.prune_articles alone (a copy): {took:.2f} s, {emptied:,} articles")
        size, free = sqlite_sizes(db)
        print(f"after prune:            {mb(size)}  of which free pages: {mb(free)}")
        # As many new articles again, into the pruned file and into an unpruned copy.
        server.feeds.update(again(feeds))
        other = folder / "unpruned.toml"
        other.write_text(config.read_text().replace("digest.db", "unpruned.db"))
        before = {db: size, folder / "unpruned.db": sqlite_sizes(folder / "unpruned.db")[0]}
        run(folder, "collect", *conf, "--at", at)
        run(folder, "collect", "--config", str(other), "--at", at)
        for path, label in ((db, "pruned"), (folder / "unpruned.db", "unpruned")):
            grown = sqlite_sizes(path)[0] - before[path]
            print(f"{total:,} new articles into the {label} file: grew {mb(grown)}")
        start = time.perf_counter()
        with sqlite3.connect(db) as conn:
            conn.execute(f"VACUUM INTO '{folder / 'compact.db'}'")
        took = time.perf_counter() - start
        print(f"VACUUM INTO a copy:     {mb((folder / 'compact.db').stat().st_size)}  {took:.2f} s")
        start = time.perf_counter()
        conn = sqlite3.connect(db)
        conn.execute("VACUUM")
        conn.close()
        took = time.perf_counter() - start
        print(f"after VACUUM:           {mb(db.stat().st_size)}  {took:.2f} s")


def vacuum(url: str, command: str) -> float:
    from sqlalchemy import text

    from digest.store import Store

    store = Store(url)
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        start = time.perf_counter()
        conn.execute(text(command))
        took = time.perf_counter() - start
    store.close()
    return took


def postgres(url: str) -> None:
    """The articles table's size after the prune, a VACUUM and a VACUUM FULL."""
    print(f"articles table after:   {mb(pg_size(url))}")
    for command in ("VACUUM articles", "VACUUM FULL articles"):
        took = vacuum(url, command)
        print(f"after {command + ':':22}{mb(pg_size(url))}  {took:.2f} s")


if __name__ == "__main__":
    main()
