"""fetch_all against a real HTTP server on loopback, and against files on disk."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.collect.fetch import USER_AGENT, FetchRequest, FetchResult, fetch_all_sync

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 25 Nov 2026 10:00:00 GMT"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.active = 0
        self.most_active = 0
        self.agents: list[str] = []
        self.stopping = threading.Event()  # set at teardown: slow handlers stop waiting

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.active += 1
            self.server.most_active = max(self.server.most_active, self.server.active)
            self.server.agents.append(self.headers.get("User-Agent", ""))
        try:
            self.route()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the timeout test)
        finally:
            with self.server.lock:
                self.server.active -= 1

    def route(self) -> None:
        path = self.path
        if path == "/feed":
            fresh = self.headers.get("If-None-Match") == ETAG
            fresh = fresh or self.headers.get("If-Modified-Since") == LAST_MODIFIED
            if fresh:
                self.reply(304, b"", {"ETag": ETAG})
            else:
                headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
                self.reply(200, FEED, {**headers, "Content-Type": "application/rss+xml"})
        elif path == "/slow":
            self.server.stopping.wait(2)
            self.reply(200, FEED)
        elif path == "/broken":
            self.reply(500, b"oops")
        elif path == "/gone":
            self.reply(404, b"not here")
        elif path == "/big":
            self.reply(200, b"x" * 5000)
        elif path == "/big-chunked":
            self.chunked([b"y" * 1000] * 5)
        elif path == "/gzip":
            self.reply(200, gzip.compress(FEED), {"Content-Encoding": "gzip"})
        elif path == "/redirect":
            self.reply(302, b"", {"Location": "/feed"})
        elif path == "/loop":
            self.reply(302, b"", {"Location": "/loop"})
        elif path.startswith("/n/"):
            time.sleep(0.1)
            self.reply(200, path.encode())
        else:
            self.reply(404, b"")

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def chunked(self, chunks: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()


def fetch_one(request: FetchRequest, **options: float) -> FetchResult:
    [result] = fetch_all_sync([request], **options)  # type: ignore[arg-type]
    return result


def test_conditional_get_gives_304_the_second_time(server: Server) -> None:
    first = fetch_one(FetchRequest("Herald", f"{server.base}/feed"))
    assert (first.status, first.body, first.error, first.not_modified) == (200, FEED, None, False)
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    assert first.content_type == "application/rss+xml" and first.elapsed > 0
    second = fetch_one(FetchRequest("Herald", first.url, first.etag, first.last_modified))
    assert (second.status, second.body, second.error) == (304, None, None)
    assert second.not_modified
    assert (second.etag, second.last_modified) == (ETAG, LAST_MODIFIED)
    by_date = fetch_one(FetchRequest("Herald", first.url, None, LAST_MODIFIED))
    assert by_date.not_modified
    assert server.agents and all(a == USER_AGENT for a in server.agents)
    assert (
        USER_AGENT.startswith("digest/")
        and "(+https://github.com/digest-newsletter/digest)" in USER_AGENT
    )


def test_timeout_is_an_error_value_naming_the_source(server: Server) -> None:
    started = time.perf_counter()
    result = fetch_one(FetchRequest("Slow Times", f"{server.base}/slow"), timeout=0.5)
    assert time.perf_counter() - started < 1.9
    assert result.error == f"Slow Times: timed out after 0.5s ({server.base}/slow)"
    assert result.body is None and not result.not_modified


@pytest.mark.parametrize(("path", "status"), [("/broken", 500), ("/gone", 404)])
def test_http_errors_are_error_values(server: Server, path: str, status: int) -> None:
    result = fetch_one(FetchRequest("Broken Wire", f"{server.base}{path}"))
    assert result.status == status and result.body is None
    assert result.error is not None
    assert result.error.startswith(f"Broken Wire: HTTP {status} ")
    assert result.error.endswith(f"({server.base}{path})")


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_bodies_over_the_size_cap_are_errors(server: Server, path: str) -> None:
    result = fetch_one(FetchRequest("Huge", f"{server.base}{path}"), max_bytes=4000)
    assert result.body is None
    assert result.error == f"Huge: response larger than 4,000 bytes ({server.base}{path})"
    assert fetch_one(FetchRequest("Huge", f"{server.base}{path}"), max_bytes=6000).body


def test_gzip_responses_are_decoded(server: Server) -> None:
    result = fetch_one(FetchRequest("Zipped", f"{server.base}/gzip"))
    assert result.body == FEED and result.error is None


def test_redirects_are_followed_but_not_forever(server: Server) -> None:
    moved = fetch_one(FetchRequest("Moved", f"{server.base}/redirect"))
    assert (moved.status, moved.body, moved.url) == (200, FEED, f"{server.base}/feed")
    looping = fetch_one(FetchRequest("Loop", f"{server.base}/loop"))
    assert looping.error == f"Loop: more than 5 redirects ({server.base}/loop)"


def test_concurrent_requests_all_complete_in_order_within_the_limit(server: Server) -> None:
    requests = [FetchRequest(f"S{i}", f"{server.base}/n/{i}") for i in range(20)]
    started = time.perf_counter()
    results = fetch_all_sync(requests, concurrency=5)
    assert time.perf_counter() - started < 2.0  # 20 x 0.1 s serially; about 0.4 s at 5
    assert [r.name for r in results] == [f"S{i}" for i in range(20)]
    assert [r.body for r in results] == [f"/n/{i}".encode() for i in range(20)]
    assert all(r.error is None and r.status == 200 for r in results)
    assert 1 < server.most_active <= 5


def test_unreachable_hosts_and_bad_urls_are_error_values() -> None:
    closed = fetch_one(FetchRequest("Closed", "http://127.0.0.1:9/feed"), timeout=2)
    assert closed.error is not None and closed.error.startswith("Closed: ")
    assert closed.error.endswith("(http://127.0.0.1:9/feed)")
    odd = fetch_one(FetchRequest("Odd", "gopher://example.org/"))
    assert odd.error == "Odd: unsupported URL scheme 'gopher' (gopher://example.org/)"


def test_files_and_plain_paths_are_read_from_disk(tmp_path: Path) -> None:
    feed = tmp_path / "my feed.xml"
    feed.write_bytes(FEED)
    by_url = fetch_one(FetchRequest("Local", feed.as_uri()))
    by_path = fetch_one(FetchRequest("Local", str(feed)))
    for result in (by_url, by_path):
        assert (result.status, result.body, result.error) == (200, FEED, None)
        assert result.etag and result.last_modified
    again = fetch_one(FetchRequest("Local", str(feed), by_path.etag, by_path.last_modified))
    assert again.not_modified and again.body is None
    missing = fetch_one(FetchRequest("Local", str(tmp_path / "nope.xml")))
    assert missing.error is not None and missing.body is None
    assert missing.error.startswith(f"Local: cannot read {tmp_path / 'nope.xml'}: ")
    big = fetch_one(FetchRequest("Local", str(feed)), max_bytes=10)
    assert big.error == f"Local: response larger than 10 bytes ({feed})"
    json_feed = tmp_path / "f.json"
    json_feed.write_text("{}")
    assert fetch_one(FetchRequest("J", str(json_feed))).content_type == "application/feed+json"
