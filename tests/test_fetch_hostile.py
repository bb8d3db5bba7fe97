"""A hostile publisher's server against the fetcher (a feed's pictures, its feed).

Real loopback HTTP servers written here send what a hostile server would: a body
compressed to a tiny fraction of what it inflates to (once, or twice under
``Content-Encoding: gzip, gzip``), and the fetcher must stop at its size cap without
ever holding more than a bounded amount in memory.
"""

from __future__ import annotations

import contextlib
import threading
import tracemalloc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from digest.collect.fetch import FetchRequest, fetch_all_sync

MB = 1 << 20


def _gzip(chunks: Iterator[bytes]) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join(packer.compress(c) for c in chunks) + packer.flush()


def _zeros(total: int) -> Iterator[bytes]:
    block = bytes(MB)
    for _ in range(total // MB):
        yield block


#: 400 MB of zeros, gzipped twice: a few kilobytes on the wire.
BOMB_TWICE = _gzip(iter([_gzip(_zeros(400 * MB))]))
#: 64 MB of zeros gzipped once (about 64 KB: one read of the socket).
BOMB_ONCE = _gzip(_zeros(64 * MB))


@contextmanager
def hostile(routes: dict[str, tuple[bytes, dict[str, str]]]) -> Iterator[str]:
    """Serve each path's body with its headers on 127.0.0.1; the base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body, headers = routes[self.path]
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(ConnectionError):
                self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _fetch_peak(url: str) -> tuple[str | None, int]:
    tracemalloc.start()
    try:
        [result] = fetch_all_sync([FetchRequest("Hostile", url)], max_bytes=3_000_000)
        return result.error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_stops_at_the_cap_without_inflating_it() -> None:
    assert len(BOMB_ONCE) < 100_000 and len(BOMB_TWICE) < 100_000
    routes = {
        "/once.jpg": (BOMB_ONCE, {"Content-Type": "image/jpeg", "Content-Encoding": "gzip"}),
        "/twice.jpg": (
            BOMB_TWICE,
            {"Content-Type": "image/jpeg", "Content-Encoding": "gzip, gzip"},
        ),
    }
    with hostile(routes) as base:
        error, peak = _fetch_peak(base + "/once.jpg")
        assert error is not None and "larger than 3,000,000 bytes" in error, error
        # the cap is 3 MB: a few of it in buffers, never the bomb's 64 MB
        assert peak < 20 * MB, f"{peak / MB:.0f} MB held"
        error, peak = _fetch_peak(base + "/twice.jpg")
        assert error is not None and "coded more than once (Content-Encoding: gzip, gzip)" in error
        assert peak < 20 * MB, f"{peak / MB:.0f} MB held"


def test_honest_compressed_bodies_still_inflate() -> None:
    text = b"<rss><channel><title>Harbour news</title></channel></rss>" * 200
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    routes = {
        "/gzip.xml": (_gzip(iter([text])), {"Content-Encoding": "gzip"}),
        "/zlib.xml": (zlib.compress(text), {"Content-Encoding": "deflate"}),
        "/raw.xml": (raw.compress(text) + raw.flush(), {"Content-Encoding": "deflate"}),
        "/odd.xml": (text, {"Content-Encoding": "utf-8"}),  # taken as identity, as before
    }
    with hostile(routes) as base:
        results = fetch_all_sync([FetchRequest("Harbour", base + p) for p in routes])
    assert [(r.error, r.body) for r in results] == [(None, text)] * 4


class _Trickle(BaseHTTPRequestHandler):
    """A byte every tenth of a second, for ever: each read comes well within a timeout."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        import time

        self.send_response(200)
        if self.path == "/chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif self.path == "/huge":
            self.send_header("Content-Length", "999999999999")
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):
            while True:
                self.wfile.write(b"1\r\nx\r\n" if self.path == "/chunked" else b"x")
                self.wfile.flush()
                time.sleep(0.1)


def test_a_server_that_trickles_for_ever_is_left_at_the_deadline() -> None:
    import time

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        started = time.perf_counter()
        results = fetch_all_sync(
            [FetchRequest("Slow", base + p) for p in ("/chunked", "/plain", "/huge")], timeout=1.5
        )
        took = time.perf_counter() - started
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert [r.error for r in results] == [
        f"Slow: timed out after 1.5s ({base}/chunked)",
        f"Slow: timed out after 1.5s ({base}/plain)",
        f"Slow: response larger than 10,000,000 bytes ({base}/huge)",
    ]
    assert took < 3


def test_ipv6_site_local_addresses_are_not_public() -> None:
    """fec0::/10 (site-local, deprecated but still routed inside some networks) was
    taken for public: a feed's picture there was fetched."""
    from digest.web.fetch_guard import is_public

    urls = ["http://[fec0::1]/p.jpg", "http://[feff::1]:8080/p.jpg"]
    results = fetch_all_sync([FetchRequest("Site", u) for u in urls], allowed=is_public, timeout=3)
    for url, result in zip(urls, results, strict=True):
        assert result.error is not None and "is not a public address" in result.error, url


def test_a_deadline_for_all_stops_those_not_fetched_by_then() -> None:
    """One at a time, a server that answers one request at once and hangs on the rest:
    with `deadline`, fetch_all returns by then, the waiting ones failed too (`late`)."""
    import time

    from tests.feedserver import serve_feeds

    with serve_feeds({"/ok": b"fine"}, hang_seconds=10) as server:
        paths = ["/ok", "/hang/1", "/hang/2", "/hang/3"]
        started = time.perf_counter()
        results = fetch_all_sync(
            [FetchRequest("Slow", server.url(p)) for p in paths],
            concurrency=1,
            timeout=5,
            deadline=1.0,
        )
        took = time.perf_counter() - started
    assert took < 2
    assert results[0].body == b"fine" and not results[0].late
    for path, result in zip(paths[1:], results[1:], strict=True):
        assert result.late and result.body is None
        assert result.error == (
            f"Slow: not fetched within 1s, the deadline for all the fetches ({server.url(path)})"
        )
