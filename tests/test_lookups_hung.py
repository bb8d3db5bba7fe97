"""A nameserver that never answers, against a long-running `digest serve`.

socket.getaddrinfo cannot be cancelled, so each lookup that hangs keeps a thread until
the system resolver gives up. Before, the desk's page fetch looked names up in the
request's own thread with no bound at all (the editor waited as long as the resolver
did), and each hung lookup of the picture fetcher started one more thread with no
limit. Now each lookup is waited for at most the request's timeout, its error names the
host, and a process holds at most MAX_STUCK stuck lookup threads: past that, new
lookups are refused at once.

The one stand-in: the resolver, given to the fetchers through their documented seam
(`digest.collect.lookups.Lookups(getaddrinfo=...)`), is one that blocks on an Event for
the hung name, as the system resolver's nameserver cannot be pointed at a local stub
from inside a test process. Every other name is looked up by the system, and the
servers are real, on loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from digest.collect.fetch import FetchRequest, fetch_all_sync
from digest.collect.lookups import Lookups
from digest.errors import SourceError
from digest.web.fetch_guard import fetch_page
from tests.feedserver import serve_feeds

HUNG = "news.hung.example"
TIMEOUT = 0.5
MARGIN = 1.0


class HungNameserver:
    """getaddrinfo that never answers for HUNG (until released), the system's otherwise."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.waiting = 0

    def __call__(self, host: str, port: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host == HUNG:
            self.waiting += 1
            self.release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return socket.getaddrinfo(host, port, **kwargs)


@pytest.fixture
def nameserver() -> Iterator[HungNameserver]:
    hung = HungNameserver()
    try:
        yield hung
    finally:
        hung.release.set()


def _lookup_threads() -> int:
    return sum(t.name == f"digest lookup {HUNG}" for t in threading.enumerate())


def test_the_desk_fetch_gives_up_a_hung_lookup_at_its_timeout(
    nameserver: HungNameserver,
) -> None:
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        fetch_page(
            f"http://{HUNG}/ferry",
            allowed=lambda _a: True,
            timeout=TIMEOUT,
            deadline=5.0,
            lookups=Lookups(nameserver),
        )
    took = time.perf_counter() - started
    assert took < TIMEOUT + MARGIN, took
    assert str(caught.value) == f"http://{HUNG}/ferry: name lookup timed out for {HUNG} after 0.5s"


def test_the_picture_fetcher_gives_up_a_hung_lookup_at_its_timeout(
    nameserver: HungNameserver,
) -> None:
    started = time.perf_counter()
    (result,) = fetch_all_sync(
        [FetchRequest("Harbour Herald", f"http://{HUNG}/ferry.jpg")],
        timeout=TIMEOUT,
        allowed=lambda _a: True,
        lookups=Lookups(nameserver),
    )
    took = time.perf_counter() - started
    assert took < TIMEOUT + MARGIN, took
    assert result.error == (
        f"Harbour Herald: name lookup timed out for {HUNG} after 0.5s (http://{HUNG}/ferry.jpg)"
    )


def test_stuck_lookups_are_bounded_and_new_ones_refused_at_once(
    nameserver: HungNameserver,
) -> None:
    lookups = Lookups(nameserver, max_stuck=3)
    with serve_feeds({"/ferry": b"<html><title>Ferry</title></html>"}) as server:
        for _ in range(3):  # each editor's try leaves a thread waiting on the nameserver
            with pytest.raises(SourceError, match="name lookup timed out"):
                fetch_page(f"http://{HUNG}/", allowed=lambda _a: True, timeout=0.2, lookups=lookups)
        assert lookups.stuck == 3
        for _ in range(5):  # refused at once: no thread started, nobody kept waiting
            started = time.perf_counter()
            with pytest.raises(SourceError) as caught:
                fetch_page(f"http://{HUNG}/", allowed=lambda _a: True, timeout=5, lookups=lookups)
            assert time.perf_counter() - started < 0.2
            assert str(caught.value) == (
                f"http://{HUNG}/: name lookup for {HUNG} refused: 3 earlier lookups are still "
                "waiting for a nameserver that does not answer"
            )
        assert nameserver.waiting == 3
        assert _lookup_threads() == 3
        nameserver.release.set()  # the nameserver answers at last: the threads end
        deadline = time.monotonic() + 5
        while (lookups.stuck or _lookup_threads()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert (lookups.stuck, _lookup_threads()) == (0, 0)
        # and lookups work again (localhost: the system resolver)
        page = fetch_page(
            server.url("/ferry").replace("127.0.0.1", "localhost"),
            allowed=lambda _a: True,
            lookups=lookups,
        )
    assert b"Ferry" in page.body
