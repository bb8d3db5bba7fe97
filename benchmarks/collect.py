"""Collect 200 feeds from a local HTTP server: a first run, then a second run of 304s.

    python benchmarks/collect.py [--feeds 200] [--items 20] [--runs 3]

Prints the median wall time of each run over `--runs` fresh databases, the articles
stored, and the 304s the server counted. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from digest import collect
from digest.config import SourceSettings
from digest.store import Store
from tests.feedserver import sample_feed, serve_feeds

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    feeds = {f"/feed/{n}.xml": sample_feed(n, args.items) for n in range(args.feeds)}
    first: list[float] = []
    second: list[float] = []
    with serve_feeds(feeds) as server:
        sources = [
            SourceSettings(f"Outlet {n}", server.url(f"/feed/{n}.xml")) for n in range(args.feeds)
        ]
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                store = Store(f"sqlite:///{tmp}/bench.db")
                store.migrate()
                t0 = time.perf_counter()
                reports = collect.collect(sources, store, now=NOW)
                first.append(time.perf_counter() - t0)
                stored = sum(r.new for r in reports)
                errors = [r.error for r in reports if r.error]
                before = server.not_modified
                t0 = time.perf_counter()
                again = collect.collect(sources, store, now=NOW + timedelta(hours=1))
                second.append(time.perf_counter() - t0)
                store.close()
                unchanged = sum(1 for r in again if r.not_modified)
                assert not errors, errors[:3]
    print(f"feeds: {args.feeds} x {args.items} items, {args.runs} runs (median)")
    print(
        f"first run:  {statistics.median(first):6.2f} s  ({stored} articles stored, "
        f"{args.feeds / statistics.median(first):6.1f} feeds/s)"
    )
    print(
        f"second run: {statistics.median(second):6.2f} s  ({unchanged} of {args.feeds} "
        f"answered 304; server counted {server.not_modified - before} in the last run)"
    )
    print(f"ratio first/second: {statistics.median(first) / statistics.median(second):.1f}")


if __name__ == "__main__":
    main()
