"""Why a picture was left out, in words an editor reads; the resolver's own in the log.

An audit of the desk found the "Pictures left out" card (and `digest build`'s output)
saying "cannot connect: cannot resolve culturewire.example.net: [Errno -2] Name or
service not known": the resolver's error, verbatim. Now each says what happened to the
picture (its server could not be found, did not answer in time, sent no picture, sent
one too large), still naming the source, the story and the picture's address, and the
technical detail goes to the log. A real publisher's server on loopback, a host name
that cannot resolve (.invalid), real SQLite and the real desk.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from tests.feedserver import FeedServer, serve_feeds
from tests.test_desk import add_editor, editor_client, running
from tests.test_images_hosted import FERRY, HUGE, NOW, PAGE, project

NOWHERE = "https://pictures.harbour.invalid/img/ferry-at-dawn.jpg"
STORIES = [
    ("Harbour ferry gets an electric twin", "/img/ferry.png"),
    ("Council publishes the bridge tender", "/img/tender.jpg"),  # a sign-in page
    ("Zoo welcomes two snow leopards", "/img/leopards.jpg"),  # over the size cap
    ("Library extends winter opening hours", "/img/library.jpg"),  # 404
    ("Night ferry returns to the harbour", NOWHERE),  # its host does not resolve
]
#: What a resolver or a socket says, which an editor must not be shown.
TECHNICAL = ("Errno", "Name or service", "cannot connect", "cannot resolve", "getaddrinfo")


def _feed(server: FeedServer) -> bytes:
    items = "".join(
        f"""<item><title>{title}</title><link>https://harbour.example.org/{n}</link>
<guid>harbour-{n}</guid><pubDate>Thu, 26 Nov 2026 {10 + n:02d}:00:00 +0000</pubDate>
<description>Story {n} about {title.lower()}, with details of its own.</description>
<enclosure url="{path if path.startswith("https:") else server.url(path)}"
 type="image/jpeg" length="0"/></item>"""
        for n, (title, path) in enumerate(STORIES)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Herald</title>
<link>https://harbour.example.org/</link><description>Test</description>
{items}</channel></rss>""".encode()


def _publisher() -> tuple[dict[str, bytes], dict[str, str]]:
    bodies = {"/img/ferry.png": FERRY, "/img/tender.jpg": PAGE, "/img/leopards.jpg": HUGE}
    types = {"/img/ferry.png": "image/png", "/img/tender.jpg": "text/html; charset=utf-8"}
    return bodies, {**types, "/img/leopards.jpg": "image/jpeg"}


def _line(lines: tuple[str, ...] | list[str], title: str) -> str:
    found = [x for x in lines if f"“{title}”" in x]
    assert len(found) == 1, lines
    return found[0]


def test_each_reason_reads_as_an_editor_would_say_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bodies, types = _publisher()
    caplog.set_level(logging.INFO, logger="digest")
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = _feed(server)
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        built = app.draft(now=NOW, reports=app.collect(now=NOW))
        address = {path: server.url(path) for _, path in STORIES[:4]}
    said = built.images
    assert len(said) == 4, said
    for line in said:
        assert line.startswith("Harbour Herald: no image for “"), line
        assert not any(word in line for word in TECHNICAL), line
    nowhere = _line(said, STORIES[4][0])
    assert "the picture's server (pictures.harbour.invalid) could not be found" in nowhere
    assert NOWHERE in nowhere
    page = _line(said, STORIES[1][0])
    assert "not a picture" in page and address["/img/tender.jpg"] in page, page
    huge = _line(said, STORIES[2][0])
    assert "too large" in huge and address["/img/leopards.jpg"] in huge, huge
    gone = _line(said, STORIES[3][0])
    assert "not found" in gone and "404" in gone and address["/img/library.jpg"] in gone, gone
    # The technical detail is in the log, with the address.
    logged = caplog.text
    assert "cannot resolve pictures.harbour.invalid" in logged and NOWHERE in logged, logged


def test_digest_build_names_source_story_and_address_in_plain_words(tmp_path: Path) -> None:
    bodies, types = _publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = _feed(server)
        config = project(tmp_path / "news", server)
        result = CliRunner().invoke(
            main, ["build", "--config", str(config), "--at", "2026-11-27T06:00:00Z"]
        )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert not any(word in out for word in TECHNICAL), out
    assert (
        f"Harbour Herald: no image for “{STORIES[4][0]}”: the picture's server "
        f"(pictures.harbour.invalid) could not be found ({NOWHERE})"
    ) in out, out


def test_the_desk_card_says_why_in_plain_words(tmp_path: Path) -> None:
    bodies, types = _publisher()
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/feed.xml"] = _feed(server)
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        eid = app.build(now=NOW, reports=app.collect(now=NOW)).id or 0
    add_editor(config)
    with running(config, clock=lambda: NOW) as base, editor_client(base) as c:
        page = c.get(f"/editions/{eid}").text
    card = re.search(
        r'<section class="card" aria-labelledby="pictures-h">.*?</section>', page, re.S
    )
    assert card, "no “Pictures left out” card"
    shown = " ".join(card.group(0).split())
    assert not any(word in shown for word in TECHNICAL), shown
    assert "could not be found" in shown and "not a picture" in shown and "too large" in shown


def test_a_picture_server_that_does_not_answer_in_time_is_said_to_have_timed_out(
    tmp_path: Path,
) -> None:
    """A publisher that accepts the connection and never answers: the per-picture time
    runs out ("timed out"), not a socket's words."""
    import socket
    import threading

    from digest import images

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])  # kept open, never answered
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    address = f"http://127.0.0.1:{listener.getsockname()[1]}/img/slow.jpg"
    bodies, types = _publisher()
    old = images.FETCH_TIMEOUT
    images.FETCH_TIMEOUT = 1.0  # the 15 s a build gives each picture, shortened
    try:
        with serve_feeds(bodies, types=types) as server:
            body = _feed(server).decode().replace(NOWHERE, address)
            server.feeds["/feed.xml"] = body.encode()
            app = App.from_config(project(tmp_path / "news", server))
            built = app.draft(now=NOW, reports=app.collect(now=NOW))
    finally:
        images.FETCH_TIMEOUT = old
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    slow = _line(built.images, STORIES[4][0])
    assert "timed out: the picture's server (127.0.0.1) did not answer in time" in slow, slow
    assert address in slow
