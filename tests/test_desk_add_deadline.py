"""The desk's "add a story by URL" has one deadline for all of it (ADD_DEADLINE).

Each step of the fetch had its own 15 s (a lookup, a connection, a read), so a site that
answered every step just in time held the editor's request, and a server worker, for
six hops x 15 s, and one that dripped its headers a byte at a time held it for as long
as it liked. A real HTTP server on loopback does both here; the deadline is the
function's parameter, made short.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.app import App
from digest.errors import SourceError
from digest.web.desk_add import DESK_SOURCE, added_from_url
from digest.web.fetch_guard import FetchDeadline, fetch_page
from tests.conftest import write_project
from tests.test_web_public import NOW

DEADLINE = 1.5
#: What a refusal may take beyond the deadline (closing the connection, a slow machine).
MARGIN = 1.0
#: How long the server keeps dripping before it gives up itself (the fetch, before the
#: deadline, waited all of it).
DRIP_FOR = 8.0
HOP_SECONDS = 0.2
PAGE = (
    b"<html><head><title>Ferry to Bornholm doubles its winter sailings</title>"
    b'<meta property="og:image" content="/hang/ferry.jpg"></head><body><article>'
    b"<h1>Ferry to Bornholm doubles its winter sailings</h1>"
    + b"<p>The ferry company adds a second daily crossing from January. " * 8
    + b"</p></article></body></html>"
)


class _Slow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _drip(self, data: bytes) -> None:
        ends = time.monotonic() + DRIP_FOR
        with contextlib.suppress(OSError):
            for byte in data:
                if time.monotonic() > ends:
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.05)

    def do_GET(self) -> None:
        if self.path.startswith("/hop/"):  # each hop answers well within its timeout
            n = int(self.path.rsplit("/", 1)[1])
            time.sleep(HOP_SECONDS)
            self.send_response(302)
            self.send_header("Location", f"/hop/{n + 1}" if n < 4 else "/drip-body")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/drip-head":  # the headers a byte at a time
            self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Pad: a\r\n" * 50)
        elif self.path == "/drip-body":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE) * 20))
            self.end_headers()
            self._drip(PAGE * 20)
        elif self.path.startswith("/hang/"):  # the picture's server never answers in time
            time.sleep(DRIP_FOR)
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)


@contextlib.contextmanager
def _server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    config = write_project(tmp_path / "news", images="hosted")
    config.write_text(config.read_text() + "\n[serve]\nallow_private_fetch = true\n")
    found = App.from_config(config)
    try:
        yield found
    finally:
        found.close()


@pytest.mark.parametrize(
    ("path", "redirected"),
    [("/hop/0", "/drip-body"), ("/drip-head", None), ("/drip-body", None)],
    ids=["slow-redirects-then-a-dripped-page", "dripped-headers", "dripped-page"],
)
def test_adding_a_slow_page_stops_at_the_deadline_and_adds_nothing(
    app: App, path: str, redirected: str | None
) -> None:
    with _server() as base:
        url = base + path
        started = time.perf_counter()
        with pytest.raises(SourceError) as caught:
            added_from_url(app, url, section=None, lead=False, now=NOW, deadline=DEADLINE)
        took = time.perf_counter() - started
    assert took < DEADLINE + MARGIN, took
    said = str(caught.value)
    assert said.startswith(f"{url}: no page within 1.5s"), said
    assert "(name lookups, redirects and the page together)" in said
    assert said.endswith("The story was not added."), said
    if redirected:
        assert f"redirected to {base}{redirected}" in said
    assert app.store.article_at(url, url) is None
    assert [a for a in app.store.articles() if a.source == DESK_SOURCE] == []


def test_fetch_page_has_one_deadline_for_all_its_steps_by_default() -> None:
    """The fetcher itself: its timeout (default 15 s) bounds the whole fetch unless a
    deadline says otherwise; each hop here is well inside it."""
    with _server() as base:
        started = time.perf_counter()
        with pytest.raises(FetchDeadline, match=r"/hop/0: no page within 1s"):
            fetch_page(base + "/hop/0", allowed=lambda _a: True, timeout=1.0)
        took = time.perf_counter() - started
    assert took < 1.0 + MARGIN, took


def test_a_picture_not_fetched_in_the_time_left_is_left_out_and_said(app: App) -> None:
    with _server() as base:
        started = time.perf_counter()
        added = added_from_url(
            app, base + "/page", section=None, lead=False, now=NOW, deadline=DEADLINE
        )
        took = time.perf_counter() - started
    assert took < DEADLINE + MARGIN, took
    (story,) = added.stories
    assert story.title == "Ferry to Bornholm doubles its winter sailings"
    assert story.image is None
    assert added.problems == (
        f"{story.source}: no image for “{story.title}”: not fetched within the 1.5 s the "
        f"desk gives adding a story ({base}/hang/ferry.jpg)",
    )
