"""Hosting an edition's pictures has one deadline for them all (digest.images.DEADLINE).

Before, each picture had 15 s, eight at a time, so N slow picture servers held a build
for ceil(N/8) x 15 s, and a name lookup that never ended (a nameserver that does not
answer) held it for as long as the system resolver allowed: asyncio waited for its
thread at the end. A build before a scheduled slot could miss the slot for one slow
feed. Real loopback servers here; the one fake is the blocking name lookup (a hung
nameserver cannot be run in a test), patched at the resolver call only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digest import images
from digest.app import App
from digest.cli import main
from tests.feedserver import serve_feeds
from tests.test_images_hosted import FERRY, NOW, STORIES, feed, project

#: The deadline the tests give the hosting step, and what a build may take beyond it
#: (collecting the feed, storing the edition).
DEADLINE = 1.5
MARGIN = 2.0
HUNG_HOST = "pictures.hung.example"


@pytest.fixture
def short(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short deadline for all the pictures, each still allowed longer than it."""
    monkeypatch.setattr(images, "DEADLINE", DEADLINE)
    monkeypatch.setattr(images, "FETCH_TIMEOUT", 6.0)


def _slow_stories() -> list[tuple[str, str]]:
    """The ferry's picture answers at once; the three others' server never answers."""
    return [STORIES[0]] + [(title, f"/hang/{n}.jpg") for n, (title, _) in enumerate(STORIES[1:])]


def test_digest_build_leaves_out_the_pictures_not_fetched_in_time(
    tmp_path: Path, short: None
) -> None:
    with serve_feeds({"/img/ferry.png": FERRY}, hang_seconds=10) as server:
        server.types["/img/ferry.png"] = "image/png"
        server.feeds["/feed.xml"] = feed(server, _slow_stories())
        config = project(tmp_path / "news", server)
        started = time.perf_counter()
        result = CliRunner().invoke(
            main, ["build", "--config", str(config), "--at", "2026-11-27T06:00:00Z"]
        )
        took = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert took < DEADLINE + MARGIN, took
    out = " ".join(result.output.split())
    for n, (title, _) in enumerate(STORIES[1:]):
        assert (
            f"Harbour Herald: no image for “{title}”: not fetched within the build's "
            f"1.5 s for pictures ({server.url(f'/hang/{n}.jpg')})"
        ) in out
    assert f"no image for “{STORIES[0][0]}”" not in out  # its picture was hosted in time
    app = App.from_config(config)
    assert app.store.image_count() == 1


@pytest.fixture
def hung_lookup(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """socket.getaddrinfo blocks for HUNG_HOST (up to 30 s, released when the test ends),
    as with a nameserver that never answers; other names are looked up as ever. Yields
    the names asked for."""
    real = socket.getaddrinfo
    release = threading.Event()
    asked: list[str] = []

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(str(host))
        if host == HUNG_HOST:
            release.wait(30)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        yield asked
    finally:
        release.set()


def test_a_name_lookup_that_never_ends_does_not_hold_the_build(
    tmp_path: Path, short: None, hung_lookup: list[str]
) -> None:
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        stories = [(title, path) for title, path in STORIES[:2]]
        server.feeds["/feed.xml"] = feed(server, stories).replace(
            server.url("/img/tender.jpg").encode(), f"http://{HUNG_HOST}/tender.jpg".encode()
        )
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        reports = app.collect(now=NOW)
        started = time.perf_counter()
        built = app.draft(now=NOW, reports=reports)
        took = time.perf_counter() - started
    assert HUNG_HOST in hung_lookup
    assert took < DEADLINE + MARGIN, took
    assert built.images == (
        f"Harbour Herald: no image for “{STORIES[1][0]}”: not fetched within the build's "
        f"1.5 s for pictures (http://{HUNG_HOST}/tender.jpg)",
    )
    assert app.store.image_count() == 1


def test_a_desk_rebuild_keeps_its_hosted_pictures_and_names_the_late_ones(
    tmp_path: Path, short: None
) -> None:
    """The pictures the edition hosts already are not fetched again (so the deadline
    never costs them); the others are tried again within it, and the flash names the
    ones left out, and why."""
    from tests.test_desk import add_editor, editor_client, post, running

    with serve_feeds({"/img/ferry.png": FERRY}, hang_seconds=10) as server:
        server.types["/img/ferry.png"] = "image/png"
        server.feeds["/feed.xml"] = feed(server, _slow_stories())
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        eid = app.build(now=NOW, reports=app.collect(now=NOW)).id or 0
        add_editor(config)
        with running(config) as base, editor_client(base) as c:
            before = server.requests
            started = time.perf_counter()
            r = post(c, eid, "rebuild")
            took = time.perf_counter() - started
            assert r.status_code == 303
            shown = " ".join(c.get(r.headers["location"]).text.split())
            assert server.requests == before + 3  # the three slow ones, not the ferry
    assert took < DEADLINE + MARGIN, took
    for n, (title, _) in enumerate(STORIES[1:]):
        assert f"Harbour Herald: no image for “{title}”: not fetched within the build" in shown
        assert server.url(f"/hang/{n}.jpg") in shown
    assert f"no image for “{STORIES[0][0]}”" not in shown
