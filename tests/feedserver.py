"""A real HTTP server on loopback that serves feeds the way publishers do.

Each path serves bytes with an ETag and Last-Modified and answers 304 to a matching
conditional GET; `/hang/...` never answers in time and `/fail/...` answers 500. Used
by the collection tests and by benchmarks/collect.py. It counts requests and 304s.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LAST_MODIFIED = "Fri, 27 Nov 2026 05:00:00 GMT"


@dataclass
class FeedServer:
    feeds: dict[str, bytes]  # path -> body
    types: dict[str, str] = field(default_factory=dict)  # path -> Content-Type, if not RSS
    port: int = 0
    requests: int = 0
    not_modified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server: FeedServer, hang_seconds: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            with server.lock:
                server.requests += 1
            if self.path.startswith("/hang/"):
                time.sleep(hang_seconds)
                with contextlib.suppress(OSError):  # the client gave up long ago
                    self.send_error(504)
                return
            if self.path.startswith("/fail/"):
                self.send_error(500, "Internal Server Error")
                return
            body = server.feeds.get(self.path)
            if body is None:
                self.send_error(404)
                return
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                with server.lock:
                    server.not_modified += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            kind = server.types.get(self.path, "application/rss+xml; charset=utf-8")
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(ConnectionError):  # a client that stops at a size cap
                self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: eight fetches connecting at once then
    # overflow it and the kernel retries a dropped SYN a second later (a benchmark of
    # 304s measured that second); a publisher's server listens with a deeper backlog.
    request_queue_size = 128


@contextmanager
def serve_feeds(
    feeds: dict[str, bytes],
    *,
    hang_seconds: float = 5.0,
    types: dict[str, str] | None = None,
) -> Iterator[FeedServer]:
    """Serve `feeds` on 127.0.0.1 (a free port) for the duration of the block; `types`
    gives the Content-Type of paths that are not RSS (an image, a page)."""
    state = FeedServer(dict(feeds), dict(types or {}))
    httpd = _Server(("127.0.0.1", 0), _handler(state, hang_seconds))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def sample_feed(n: int, items: int = 10) -> bytes:
    """A small RSS 2.0 feed of our own, `items` dated items, distinct per `n`."""
    entries = "".join(
        f"""<item><title>Story {i} from outlet {n}: harbour item {n * 1000 + i}</title>
<link>https://outlet{n}.example.org/news/{i}</link><guid>outlet{n}-{i}</guid>
<pubDate>Thu, 26 Nov 2026 {(i % 20) + 1:02d}:00:00 +0000</pubDate>
<description>Outlet {n} reports item {i}. The city council met again on Thursday.</description>
</item>"""
        for i in range(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Outlet {n}</title>
<link>https://outlet{n}.example.org/</link><description>Test outlet</description>
{entries}</channel></rss>""".encode()


def outlet_project(folder: Path, server: FeedServer, count: int) -> Path:
    """A project (tests.conftest.write_project) whose sources are "Outlet 0".. "Outlet
    N-1", the feeds `/0.xml`.. that `server` serves; its config file."""
    from tests.conftest import write_project

    sources = "".join(
        f'[[sources]]\nname = "Outlet {n}"\nurl = "{server.url(f"/{n}.xml")}"\n\n'
        for n in range(count)
    )
    return write_project(folder, sources=sources)
