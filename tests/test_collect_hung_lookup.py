"""A nameserver that never answers for one feed's host, against repeated collects.

Before, a collect looked its feeds' host names up in asyncio's default executor, whose
threads cannot be cancelled: the feed's error came at its timeout, but did not say it
was the name lookup, and the collect itself (`digest collect`, and each collect of
`digest run`) did not end until the system resolver gave up, as asyncio waits for its
executor's threads when a collect's loop closes. Now a collect looks names up through
the process's :class:`~digest.collect.lookups.Lookups`: the hung source fails at its
timeout naming the host, the other sources are collected, the collect ends, and the
threads left waiting on the nameserver are counted across collects (at most MAX_STUCK).

How a collect reaches the stand-in: :func:`digest.collect.collect` takes `lookups`
(None: the process's own instance, as `digest collect` and `digest run` use), handed
to the fetcher's connections (:class:`digest.collect.netstream.AsyncioBackend`). The
stand-in is the resolver given to that Lookups (its documented seam, as in
tests/test_lookups_hung.py): it blocks for the hung name and asks the system for every
other. The feed servers are real, on loopback; the store is a real SQLite file.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from digest import collect
from digest.app import App
from digest.collect.lookups import MAX_STUCK, Lookups
from tests.conftest import write_project
from tests.feedserver import sample_feed, serve_feeds

HUNG = "news.hung.example"
TIMEOUT = 0.5
MARGIN = 1.5  # a collect also parses and stores (first time: 20 articles)
NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)


class Nameserver:
    """getaddrinfo that never answers for HUNG (until released), and answers `fixed`
    names itself; the system's otherwise. Records every name asked."""

    def __init__(self, fixed: dict[str, list[str]] | None = None) -> None:
        self.release = threading.Event()
        self.fixed = fixed or {}
        self.asked: list[str] = []

    def __call__(self, host: str, port: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        self.asked.append(host)
        if host == HUNG:
            self.release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host in self.fixed:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, port))
                for a in self.fixed[host]
            ]
        return socket.getaddrinfo(host, port, **kwargs)


PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXIES + tuple(p.lower() for p in PROXIES):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def nameserver() -> Iterator[Nameserver]:
    hung = Nameserver()
    try:
        yield hung
    finally:
        hung.release.set()


def _app(tmp_path: Path, sources: dict[str, str]) -> App:
    text = "".join(f'[[sources]]\nname = "{n}"\nurl = "{u}"\n' for n, u in sources.items())
    return App.from_config(write_project(tmp_path, sources=text))


def _hung_threads() -> int:
    return sum(t.name == f"digest lookup {HUNG}" for t in threading.enumerate())


def test_a_hung_name_fails_its_source_in_time_and_the_others_are_collected(
    tmp_path: Path, nameserver: Nameserver
) -> None:
    lookups = Lookups(nameserver)  # one for the process: three collects share it
    feeds = {"/one.xml": sample_feed(1), "/two.xml": sample_feed(2)}
    with serve_feeds(feeds) as server:
        port = server.port
        hung_url = f"http://{HUNG}:{port}/gazette.xml"
        app = _app(
            tmp_path,
            {
                "Harbour Herald": f"http://127.0.0.1:{port}/one.xml",  # no lookup at all
                "Ferry Times": f"http://localhost:{port}/two.xml",  # the system's answer
                "Hung Gazette": hung_url,
            },
        )
        for run in range(3):
            started = time.perf_counter()
            reports = collect.collect(
                app.settings.sources,
                app.store,
                now=NOW + timedelta(hours=run),
                timeout=TIMEOUT,
                lookups=lookups,
            )
            took = time.perf_counter() - started
            assert took < TIMEOUT + MARGIN, (run, took)
            by_name = {r.name: r for r in reports}
            assert by_name["Hung Gazette"].error == (
                f"Hung Gazette: name lookup timed out for {HUNG} after 0.5s ({hung_url})"
            )
            for name in ("Harbour Herald", "Ferry Times"):
                report = by_name[name]
                assert report.error is None, report.error
                assert report.new == 10 if run == 0 else report.not_modified
            assert lookups.stuck == run + 1 <= MAX_STUCK
            assert _hung_threads() == run + 1
        # one lookup a collect for each name; an IP literal is never looked up
        assert sorted(nameserver.asked) == ["localhost"] * 3 + [HUNG] * 3
    health = {h.name: h for h in app.store.health()}
    assert health["Hung Gazette"].consecutive_failures == 3
    assert health["Hung Gazette"].last_error and HUNG in health["Hung Gazette"].last_error

    nameserver.release.set()  # the nameserver answers at last: the threads end
    deadline = time.monotonic() + 5
    while (lookups.stuck or _hung_threads()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (lookups.stuck, _hung_threads()) == (0, 0)


def test_a_name_with_several_addresses_is_reached_at_the_one_that_answers(
    tmp_path: Path,
) -> None:
    # 127.0.0.2 refuses (nothing listens there); the next address is tried.
    feeds = {"/one.xml": sample_feed(1)}
    with serve_feeds(feeds) as server:
        nameserver = Nameserver({"herald.example": ["127.0.0.2", "127.0.0.1"]})
        app = _app(tmp_path, {"Harbour Herald": f"http://herald.example:{server.port}/one.xml"})
        (report,) = collect.collect(
            app.settings.sources, app.store, now=NOW, timeout=5, lookups=Lookups(nameserver)
        )
    assert report.error is None, report.error
    assert report.new == 10
    assert nameserver.asked == ["herald.example"]


def test_a_feed_behind_a_proxy_named_in_the_environment_is_not_looked_up_here(
    tmp_path: Path, nameserver: Nameserver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loopback feed server stands for the proxy: it is asked for the absolute URL.
    hung_url = f"http://{HUNG}/gazette.xml"
    with serve_feeds({hung_url: sample_feed(3)}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        monkeypatch.setenv("http_proxy", proxy.url(""))
        app = _app(tmp_path, {"Hung Gazette": hung_url})
        (report,) = collect.collect(
            app.settings.sources, app.store, now=NOW, timeout=5, lookups=Lookups(nameserver)
        )
    assert report.error is None, report.error
    assert report.new == 10
    assert proxy.requests == 1
    assert nameserver.asked == []
