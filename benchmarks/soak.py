"""Soak test: a month of `digest run` (the Scheduler) in one process, on a fake clock.

    python benchmarks/soak.py [--days 30] [--tick-minutes 15] [--database URL]
                              [--subscribers 120] [--seed 1]

Drives :class:`digest.schedule.Scheduler` the way `digest run` does (one long-lived App
and Scheduler, `tick(now)` every few minutes) through simulated days, with real parts:
a loopback HTTP feed server (tests/feedserver.py: ETag/304) whose four feeds get new
items every day, one of them down (HTTP 500) on days 10-11; a folder source with a new
file a day; an aiosmtpd server that answers 451 to a share of the messages; two lists,
"local" (`delivery = "local"`, readers in three zones) and "desk" (`approval =
"required"`, approved on even days only); subscribers leaving and joining every day;
`[database] keep_days = 7` so the daily prune has work to do.

After each simulated day prints, from this same process: RSS (MB), open file
descriptors, threads, SQLAlchemy connections checked out, the database's size (on
SQLite with its -wal and -shm files) and its write-ahead log's alone, the rows of the
biggest tables, schedule_runs rows, log lines that day, and the mean and max
wall time of a tick. Then checks the month's editions and deliveries and prints a verdict
(exit 1 when a check fails or a measure keeps growing).

``--database`` takes a PostgreSQL URL of an empty database (created and migrated here);
the default is a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import re
import resource
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import func, inspect, select, text  # noqa: E402

from tests.feedserver import serve_feeds  # noqa: E402

START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
ZONES = ("Europe/Copenhagen", "America/New_York", "Asia/Tokyo")
FEEDS = 4
DOWN_FEED, DOWN_DAYS = 3, (10, 11)


# -- the outside world -----------------------------------------------------------------
def feed_body(n: int, day: int, per_day: int = 6) -> bytes:
    """Outlet n's feed on simulated day `day`: the last three days' items, dated."""
    items = []
    for d in range(max(0, day - 2), day + 1):
        for i in range(per_day):
            at = START + timedelta(days=d, hours=1 + i * 3)
            items.append(
                f"<item><title>{' '.join(random.Random(n * 997 + d * 31 + i).sample(VOCAB, 7))}"
                f"</title><link>https://outlet{n}.example.org/{d}/{i}</link>"
                f"<guid>outlet{n}-{d}-{i}</guid>"
                f"<pubDate>{at.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                f"<description>Outlet {n} reports on day {d}, item {i}. "
                + " ".join(random.Random(n * 997 + d * 31 + i).choices(VOCAB, k=60))
                + "</description></item>"
            )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Outlet {n}</title><link>https://outlet{n}.example.org/</link>"
        f"<description>Test outlet</description>{''.join(items)}</channel></rss>"
    ).encode()


#: Made-up words, so that each item is its own story (the clustering merges near twins).
VOCAB = ["".join(random.Random(k).choices("bcdfghklmnprstvz", k=3)) + "ane" for k in range(600)]


@dataclass
class Smtp:
    """aiosmtpd handler: keeps what it accepts, answers 451 to a share of messages."""

    temporary: float
    rng: random.Random = field(default_factory=lambda: random.Random(5))
    got: list[tuple[str, str, str]] = field(default_factory=list)  # (rcpt, list, edition)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.rng.random() < self.temporary:
                self.refused += 1
                return "451 4.3.0 Try again later"
            msg = message_from_bytes(envelope.original_content or envelope.content)
            lid = msg.get("List-Id", "")
            edition = msg.get("X-Digest-Edition", "")
            for rcpt in envelope.rcpt_tos:
                self.got.append((rcpt, lid, edition))
        await asyncio.sleep(0)
        return "250 OK"


class Counting(logging.Handler):
    """Counts the digest log lines per simulated day and keeps their texts."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.day = 0
        self.per_day: Counter[int] = Counter()
        self.texts: dict[int, Counter[str]] = defaultdict(Counter)
        self.all: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        self.per_day[self.day] += 1
        # the shape of the line, numbers and times stripped, to find repeats
        self.texts[self.day][re.sub(r"\d+", "N", msg)[:160]] += 1
        self.all.append(f"{record.levelname} {record.name}: {msg}")


# -- the project -----------------------------------------------------------------------
def write_project(folder: Path, server: Any, smtp_port: int, database: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articles").mkdir()
    sources = "".join(
        f'[[sources]]\nname = "Outlet {n}"\nurl = "{server.url(f"/{n}.xml")}"\n\n'
        for n in range(FEEDS)
    )
    sources += '[[sources]]\nname = "Desk folder"\npath = "articles/"\n\n'
    config = folder / "digest.toml"
    config.write_text(f"""
[newsletter]
name = "The Soak Brief"
sender = "The Soak Brief <brief@example.org>"
base_url = "https://brief.example.org"
address = "1 Test Street, Copenhagen"

{sources}
[edition]
leads = 3
teasers = 8
max_age_hours = 48
min_stories = 3

[[lists]]
name = "local"
title = "Local morning"
subscribers = "local.csv"
schedule = "0 7 * * *"
timezone = "Europe/Copenhagen"
delivery = "local"
grace_minutes = 60

[[lists]]
name = "desk"
title = "Desk evening"
subscribers = "desk.csv"
schedule = "0 18 * * *"
timezone = "Europe/Copenhagen"
approval = "required"
grace_minutes = 60

[transport]
kind = "smtp"
host = "127.0.0.1"
port = {smtp_port}

[database]
url = "{database}"
keep_days = 7
""")
    return config


def write_article(folder: Path, day: int) -> None:
    path = folder / "articles" / f"desk-day-{day:02d}.txt"
    path.write_text(
        f"Desk note: {' '.join(random.Random(day + 5000).sample(VOCAB, 6))}\n\n"
        f"A short summary of the day {day} desk note.\n\n"
        + " ".join(random.Random(day + 5000).choices(VOCAB, k=200))
        + "\n"
    )
    stamp = (START + timedelta(days=day, hours=2)).timestamp()
    os.utime(path, (stamp, stamp))


# -- measures --------------------------------------------------------------------------
def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def db_size(store: Any, url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(store.engine.url.database)
        return sum(
            p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
        )
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def wal_size(store: Any, url: str) -> int:
    """SQLite: the -wal file's bytes (0 when there is none, or on PostgreSQL)."""
    if not url.startswith("sqlite"):
        return 0
    wal = Path(f"{store.engine.url.database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def row_counts(store: Any) -> dict[str, int]:
    from digest.store import schema as t

    out = {}
    names = set(inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            if table.name in names:
                out[table.name] = int(
                    conn.execute(select(func.count()).select_from(table)).scalar_one()
                )
        if "apscheduler_jobs" in names:
            out["apscheduler_jobs"] = int(
                conn.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar_one()
            )
    return out


@dataclass
class Day:
    day: int
    rss: float
    fds: int
    threads: int
    checked_out: int
    size: int
    wal: int
    rows: dict[str, int]
    logs: int
    tick_mean: float
    tick_max: float
    ticks: int


def growing(values: list[float], slack: float) -> bool:
    """Still growing over the last third of the run by more than `slack` (relative)."""
    if len(values) < 6:
        return False
    third = len(values) // 3
    early = sum(values[third : 2 * third]) / third
    late = sum(values[-third:]) / third
    return late > early * (1 + slack) + 1e-9


# -- the run ---------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--tick-minutes", type=int, default=15)
    parser.add_argument("--database", default=None, help="an empty PostgreSQL database's URL")
    parser.add_argument("--subscribers", type=int, default=120)
    parser.add_argument("--temporary", type=float, default=0.03, help="share of 451 answers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=Path, default=None, help="write the log lines here")
    args = parser.parse_args()

    from digest.app import App
    from digest.schedule import Scheduler
    from digest.subscribers import import_csv
    from digest.subscribers.people import add_subscriber, remove_subscriber

    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="digest-soak-"))
    folder = tmp / "news"
    url = args.database or "sqlite:///digest.db"
    counting = Counting()
    logging.getLogger("digest").addHandler(counting)
    logging.getLogger("digest").setLevel(logging.INFO)

    handler = Smtp(args.temporary)
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    feeds = {f"/{n}.xml": feed_body(n, 0) for n in range(FEEDS)}
    days: list[Day] = []
    began = time.perf_counter()
    with serve_feeds(feeds) as server:
        config = write_project(folder, server, port, url)
        write_article(folder, 0)
        n_local = args.subscribers * 2 // 3
        n_desk = args.subscribers - n_local
        rows = ["email,name,sections,timezone,format"]
        for i in range(n_local):
            rows.append(f"local{i}@example.com,Reader {i},,{ZONES[i % 3]},html")
        (folder / "local.csv").write_text("\n".join(rows) + "\n")
        rows = ["email,name,sections,timezone,format"]
        rows += [f"desk{i}@example.com,Desk {i},,,html" for i in range(n_desk)]
        (folder / "desk.csv").write_text("\n".join(rows) + "\n")
        os.chdir(folder)  # a relative SQLite URL lives in the project folder
        app = App.from_config(config)
        for name in ("local", "desk"):
            got = import_csv(app.store, name, folder / f"{name}.csv", now=START)
            assert got.problems == [], got.problems
        scheduler = Scheduler(app)
        joined = 0
        left: set[str] = set()
        per_list_zone: dict[str, str] = {}
        for i in range(n_local):
            per_list_zone[f"local{i}@example.com"] = ZONES[i % 3]
        outcomes: list[Any] = []
        step = timedelta(minutes=args.tick_minutes)
        print(
            f"{'day':>3} {'rss MB':>7} {'fds':>4} {'thr':>4} {'conn':>4} {'db KB':>7} "
            f"{'wal KB':>7} {'articles':>8} {'deliv':>6} {'runs':>5} {'events':>6} {'logs':>5} "
            f"{'tick ms':>8} {'max ms':>7}",
            flush=True,
        )
        for day in range(args.days):
            counting.day = day
            # the morning's news: every feed has today's items (one down on two days)
            for n in range(FEEDS):
                server.feeds[f"/{n}.xml"] = feed_body(n, day)
            if day in DOWN_DAYS:
                server.feeds.pop(f"/{DOWN_FEED}.xml", None)
            write_article(folder, day)
            # subscribers come and go
            if day:
                for _ in range(rng.randint(1, 3)):
                    name = rng.choice(("local", "desk"))
                    active = [s.email for s in app.store.subscribers(name) if s.email not in left]
                    if active:
                        email = rng.choice(active)
                        remove_subscriber(
                            app.store,
                            name,
                            email,
                            status="unsubscribed",
                            origin="soak",
                            now=START + timedelta(days=day, hours=rng.randint(0, 23)),
                        )
                        left.add(email)
                for _ in range(rng.randint(1, 3)):
                    joined += 1
                    name = rng.choice(("local", "desk"))
                    email = f"new{joined}@example.com"
                    add_subscriber(
                        app.store,
                        name,
                        email,
                        f"New {joined}",
                        double_opt_in=False,
                        origin="soak",
                        now=START + timedelta(days=day, hours=rng.randint(0, 23)),
                    )
            times: list[float] = []
            now = START + timedelta(days=day)
            end = now + timedelta(days=1)
            while now < end:
                t0 = time.perf_counter()
                outcomes += scheduler.tick(now)
                times.append(time.perf_counter() - t0)
                # the editor approves the desk edition on even days, once it is built
                if day % 2 == 0:
                    for e in app.store.editions("desk"):
                        if e.status == "draft" and e.approved_at is None:
                            app.store.approve(e.id, now=now)
                now += step
            counts = row_counts(app.store)
            days.append(
                Day(
                    day,
                    rss_mb(),
                    len(os.listdir("/proc/self/fd")),
                    threading.active_count(),
                    app.store.engine.pool.checkedout(),  # type: ignore[attr-defined]
                    db_size(app.store, url),
                    wal_size(app.store, url),
                    counts,
                    counting.per_day[day],
                    sum(times) / len(times) * 1000,
                    max(times) * 1000,
                    len(times),
                )
            )
            d = days[-1]
            print(
                f"{day:>3} {d.rss:>7.1f} {d.fds:>4} {d.threads:>4} {d.checked_out:>4} "
                f"{d.size // 1024:>7} {d.wal // 1024:>7} {counts.get('articles', 0):>8} "
                f"{counts.get('deliveries', 0):>6} {counts.get('schedule_runs', 0):>5} "
                f"{counts.get('subscriber_events', 0):>6} {d.logs:>5} "
                f"{d.tick_mean:>8.1f} {d.tick_max:>7.0f}",
                flush=True,
            )
        wall = time.perf_counter() - began
        scheduler.close()
        problems = check_month(app, handler, outcomes, args.days)
        store_rows = days[-1].rows
        app.store.close()
    controller.stop()

    print(
        f"\n{args.days} days, a tick every {args.tick_minutes} min, {url.split('@')[-1]}; "
        f"wall {wall:.0f} s; 451 answers: {handler.refused}; messages: {len(handler.got)}"
    )
    print("rows at the end:", ", ".join(f"{k} {v}" for k, v in sorted(store_rows.items()) if v))
    # the log: volume per day, lines repeated every tick
    shapes: Counter[str] = Counter()
    for c in counting.texts.values():
        shapes.update(c)
    print("log lines per day:", [counting.per_day[d] for d in range(args.days)])
    print("most frequent log lines over the run:")
    for shape, n in shapes.most_common(8):
        print(f"  {n:>6}  {shape}")
    if args.log:
        args.log.write_text("\n".join(counting.all) + "\n")
    leaks = [line for line in counting.all if re.search(r"password|secret|token=", line, re.I)]
    if leaks:
        problems.append(f"{len(leaks)} log lines carry a secret-like word: {leaks[0][:120]}")
    ticks_per_day = days[0].ticks
    if max(counting.per_day.values(), default=0) > ticks_per_day * 2:
        problems.append("some day logged more than two lines a tick")
    # the trends
    for what, values, slack in (
        ("RSS", [d.rss for d in days], 0.10),
        ("open files", [float(d.fds) for d in days], 0.0),
        ("threads", [float(d.threads) for d in days], 0.0),
        ("connections checked out", [float(d.checked_out) for d in days], 0.0),
        ("tick time", [d.tick_mean for d in days], 0.5),
        ("log lines a day", [float(d.logs) for d in days], 0.5),
    ):
        if growing(values, slack):
            problems.append(
                f"{what} keeps growing: {values[0]:.1f} on day 0, {values[-1]:.1f} at the end"
            )
    if days and days[-1].checked_out:
        problems.append(f"{days[-1].checked_out} connections left checked out between ticks")
    print("\nverdict:", "OK" if not problems else "PROBLEMS")
    for p in problems:
        print("  -", p)
    return 1 if problems else 0


def check_month(app: Any, smtp: Smtp, outcomes: list[Any], ndays: int) -> list[str]:
    """The month's editions and deliveries, as a reader and an editor would check them."""
    from digest.store import schema as t

    problems: list[str] = []
    store = app.store
    for name in ("local", "desk"):
        editions = store.editions(name)
        slots = Counter(e.slot for e in editions)
        twice = [s for s, n in slots.items() if n > 1]
        if twice:
            problems.append(f"{name}: several editions for slots {twice[:3]}")
        statuses = Counter(e.status for e in editions)
        print(f"{name}: {len(editions)} editions: {dict(statuses)}")
        if name == "local":
            open_ = [e.id for e in editions if e.status not in ("sent", "skipped")]
            # the last day's edition may still be going round the zones
            if len(open_) > 1:
                problems.append(f"local: editions {open_} not sent at the end")
        # The month's sends as its ticks recorded them (schedule_runs keeps a week of
        # them: keep_days = 7), and any row still left open.
        runs: list[Any] = [o for o in outcomes if o.list == name and o.action == "send"]
        runs += [r for r in store.schedule_runs(name, action="send") if r.status == "running"]
        for r in runs:
            if name == "desk" and r.status == "skipped" and not r.detail:
                problems.append(f"desk: slot {r.slot} skipped without a reason")
        bad = [
            (r.slot, r.status, r.detail)
            for r in runs
            if r.status in ("failed", "missed", "running")
        ]
        if bad:
            problems.append(f"{name}: sends {bad[:3]} ...")
        if name == "desk":
            by_status = Counter(r.status for r in runs)
            print(f"desk sends: {dict(by_status)}")
    # each reader got each edition at most once, and every due reader got it
    with store.engine.connect() as conn:
        d = t.deliveries
        rows = conn.execute(select(d.c.edition_id, d.c.subscriber_id, d.c.status)).all()
    per_pair = Counter((e, s) for e, s, _st in rows)
    if any(n > 1 for n in per_pair.values()):
        problems.append("a reader has two ledger rows for one edition")
    got = Counter((rcpt, subject) for rcpt, _lid, subject in smtp.got)
    dup = [k for k, n in got.items() if n > 1]
    if dup:
        problems.append(f"{len(dup)} (reader, edition) pairs received twice, e.g. {dup[0]}")
    undelivered = Counter(st for _e, _s, st in rows if st not in ("sent",))
    if undelivered:
        problems.append(f"ledger rows not sent at the end: {dict(undelivered)}")
    # no story repeated across days (per list)
    with store.engine.connect() as conn:
        ea, ed = t.edition_articles, t.editions
        q = (
            select(ed.c.list_id, ea.c.article_key, func.count())
            .select_from(ea.join(ed, ea.c.edition_id == ed.c.id))
            .where(ed.c.status == "sent")
            .group_by(ed.c.list_id, ea.c.article_key)
        )
        repeats = [r for r in conn.execute(q).all() if r[2] > 1]
        if repeats:
            problems.append(f"{len(repeats)} stories repeated across sent editions")
    fails = Counter((o.list, o.action, o.status) for o in outcomes if o.status != "done")
    print("outcomes not done:", dict(fails))
    return problems


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    raise SystemExit(main())
