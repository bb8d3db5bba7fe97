"""Rate limits: per second across worker processes (seen by the server), per hour exact."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from digest.app import App
from digest.deliver.ratelimit import RateLimiter
from digest.deliver.run import SendOptions, send_edition
from tests.test_send_support import (
    NOW,
    FaultyHandler,
    add_subscribers,
    build,
    small_project,
    smtp_server,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_two_workers_share_a_per_second_limit(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, "rate_per_second = 10\n")
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 20)
        summary = send_edition(app, edition, options=SendOptions(workers=2), clock=lambda: NOW)
    assert summary.sent == 20 and handler.count() == 20
    times = sorted(handler.times)
    # 20 messages at 10/s: about 2 s, and never a burst (loose bounds, no tight timing)
    assert times[-1] - times[0] >= 1.5
    busiest = max(sum(1 for x in times if t <= x < t + 1.0) for t in times)
    assert busiest <= 13


def test_per_hour_quota_is_exact_and_divided_among_workers() -> None:
    clock = FakeClock()
    first = RateLimiter.share(None, 5, index=0, workers=2, clock=clock)
    second = RateLimiter.share(None, 5, index=1, workers=2, clock=clock)
    sent = 0
    for limiter, expected in ((first, 3), (second, 2)):
        while limiter.delay() == 0:
            limiter.take()
            sent += 1
            clock.now += 1
            assert sent <= 5
        assert sent == expected if limiter is first else sent == 5
    assert first.delay() == pytest.approx(3600 - 5)  # until its first message leaves the hour
    clock.now += 3600
    assert first.delay() == 0 and second.delay() == 0


def test_per_second_limit_paces_evenly() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, None, clock=clock)
    assert limiter.delay() == 0
    limiter.take()
    assert limiter.delay() == pytest.approx(0.25)
    clock.now += 0.1
    assert limiter.delay() == pytest.approx(0.15)
    clock.now += 10  # idle time does not build up a burst
    limiter.take()
    assert limiter.delay() == pytest.approx(0.25)


def test_the_hourly_window_starts_from_what_the_ledger_sent(tmp_path: Path, db_url: str) -> None:
    """A resumed or following send counts the last hour's messages against the quota."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        edition = build(app)
        add_subscribers(app, 6)
        send_edition(app, edition, clock=lambda: NOW)
    recent = app.store.sent_since(NOW - timedelta(hours=1), limit=100)
    assert len(recent) == 6 and all(at == NOW for at in recent)
    assert app.store.sent_since(NOW + timedelta(seconds=1), limit=100) == []
    clock = FakeClock()
    ages = [clock.now - (NOW - at).total_seconds() for at in recent]
    limiter = RateLimiter.share(None, 10, index=0, workers=1, recent=ages, clock=clock)
    for _ in range(4):
        assert limiter.delay() == 0
        limiter.take()
    assert limiter.delay() == pytest.approx(3600)


def test_concurrent_sends_share_the_per_second_limit(tmp_path: Path, db_url: str) -> None:
    """Two runs at once (two editions, separate processes' worth of App and connection)
    together stay within `rate_per_second`: the pace is kept in the database, not per
    process (before, each run sent at the full rate)."""
    import threading

    handler = FaultyHandler()
    with smtp_server(handler) as port:
        # Two lists, so that the two editions' readers are not sent one story twice (a
        # second edition of the same stories to one list is refused).
        weekly = '[[lists]]\nname = "weekly"\ntimezone = "Europe/Copenhagen"\n'
        config = small_project(
            tmp_path / "news", port, "rate_per_second = 10\n", extra=weekly, database=db_url
        )
        app = App.from_config(config)
        first = build(app)
        second = app.build(list_name="weekly", now=NOW + timedelta(minutes=1)).id
        assert second is not None and second != first
        add_subscribers(app, 15)
        add_subscribers(app, 15, start=15, list_name="weekly")
        done: list[int] = []

        def send(edition: int) -> None:
            own = App.from_config(config)
            done.append(send_edition(own, edition, clock=lambda: NOW).sent)

        threads = [threading.Thread(target=send, args=(e,)) for e in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(done) == [15, 15] and handler.count() == 30
    times = sorted(handler.times)
    assert times[-1] - times[0] >= 2.3  # 30 messages at 10/s: about 3 s, not 1.5
    busiest = max(sum(1 for x in times if t <= x < t + 1.0) for t in times)
    # Unshared, the two runs sent 20 in a second. Shared, a second holds 10 slots, one
    # more sent late within its interval, and the times are the server's: its thread
    # shares the interpreter with both senders here, and a fresh-clone CI run once saw
    # 14 arrive within a second (13 was the bound before).
    assert busiest <= 15, busiest
