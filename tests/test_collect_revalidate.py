"""An unchanged collect's conditional GETs through the standard library (issue 16):
what digest.collect.revalidate answers is what the full client (httpx) would have
answered to the same request, on a real server on loopback; the rest it hands back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from digest.collect.fetch import FetchRequest, FetchResult, fetch_all_sync
from digest.collect.lookups import Lookups
from digest.collect.plainhttp import target as _target
from digest.collect.revalidate import proxied, revalidate
from tests.test_fetch_tls import Server as TlsServer
from tests.test_fetch_tls import _certificate, _serve

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
ETAG = '"v1"'
MODIFIED = "Wed, 25 Nov 2026 10:00:00 GMT"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.seen: list[tuple[str, list[tuple[str, str]]]] = []  # path, headers in order
        self.peers: set[int] = set()  # client ports: one a connection
        self.stopping = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.seen.append((self.path, list(self.headers.items())))
            self.server.peers.add(self.client_address[1])
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.route(self.path.split("?")[0])

    def route(self, path: str) -> None:
        fresh = self.headers.get("If-None-Match") == ETAG
        fresh = fresh or self.headers.get("If-Modified-Since") == MODIFIED
        validators = {"ETag": ETAG, "Last-Modified": MODIFIED}
        if path in ("/feed", "/drop", "/close"):
            if path == "/drop":  # closes an idle connection without a word, as servers do
                self.close_connection = True
            extra = {"Connection": "close"} if path == "/close" else {}
            if fresh:
                self.reply(304, b"", {"ETag": ETAG, **extra})
            else:
                self.reply(200, FEED, {**validators, "Content-Type": "application/rss+xml"})
        elif path == "/plain-304":  # a 304 that gives no validators back
            self.reply(304, b"", {})
        elif path == "/gzip":
            self.reply(200, gzip.compress(FEED), {"Content-Encoding": "gzip", **validators})
        elif path == "/bomb":
            self.reply(200, gzip.compress(b"x" * 50_000), {"Content-Encoding": "gzip"})
        elif path == "/bad-gzip":
            self.reply(200, b"not gzip at all", {"Content-Encoding": "gzip"})
        elif path == "/big":
            self.reply(200, b"x" * 5000)
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in [b"y" * 1000] * 5:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/gone":
            self.reply(404, b"not here")
        elif path == "/broken":
            self.reply(503, b"later", {"Retry-After": "60"})
        elif path == "/redirect":
            self.reply(301, b"", {"Location": "/feed"})
        elif path == "/slow":
            self.server.stopping.wait(3)
            self.reply(200, FEED)
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


def _same(result: FetchResult) -> dict[str, Any]:
    """A result but the seconds it took."""
    return {k: v for k, v in dataclasses.asdict(result).items() if k != "elapsed"}


CASES = [
    ("/feed", ETAG, None),  # 304 by ETag
    ("/feed", None, MODIFIED),  # 304 by date
    ("/feed", '"old"', None),  # changed: the body, once
    ("/plain-304", ETAG, MODIFIED),  # a 304 without validators keeps those sent
    ("/gzip", None, None),
    ("/bomb", None, None),  # inflated past the cap
    ("/bad-gzip", None, None),
    ("/big", None, None),  # declared past the cap
    ("/big-chunked", None, None),  # read past the cap
    ("/gone", ETAG, None),
    ("/broken", ETAG, None),
    ("/feed?page=2&x=%2F", ETAG, None),
]


@pytest.mark.parametrize(("path", "etag", "modified"), CASES)
def test_each_answer_is_the_full_client_s(
    server: Server, path: str, etag: str | None, modified: str | None
) -> None:
    request = FetchRequest("S", server.url(path), etag, modified)
    [answered] = revalidate([request], max_bytes=4000)
    [full] = fetch_all_sync([request], max_bytes=4000)
    assert answered is not None
    assert _same(answered) == _same(full)
    # and the request was the one httpx sends, header for header, in its order
    (mine_path, mine), (its_path, its) = server.seen
    assert (mine_path, mine) == (its_path, its)


def test_a_changed_feed_s_body_comes_from_the_one_request(server: Server) -> None:
    [result] = revalidate([FetchRequest("S", server.url("/feed"), '"old"')])
    assert result is not None and result.status == 200 and result.body == FEED
    assert (result.etag, result.last_modified) == (ETAG, MODIFIED)
    assert len(server.seen) == 1


def test_a_timeout_is_the_full_client_s_words(server: Server) -> None:
    request = FetchRequest("Slow", server.url("/slow"), ETAG)
    started = time.monotonic()
    [answered] = revalidate([request], timeout=0.4)
    assert time.monotonic() - started < 2
    [full] = fetch_all_sync([request], timeout=0.4)
    assert answered is not None
    assert _same(answered) == _same(full)
    assert answered.error == f"Slow: timed out after 0.4s ({server.url('/slow')})"


def test_a_name_lookup_that_never_ends_times_out_naming_the_host() -> None:
    release = threading.Event()

    def nameserver(*args: object, **kwargs: object) -> list[tuple[Any, ...]]:
        release.wait(5)
        raise socket.gaierror("no answer")

    try:
        request = FetchRequest("Far", "http://feeds.example.org/rss", ETAG)
        [result] = revalidate([request], timeout=0.3, lookups=Lookups(nameserver))
    finally:
        release.set()
    assert result is not None and result.failure == "timeout"
    assert result.error == (
        "Far: name lookup timed out for feeds.example.org after 0.3s (http://feeds.example.org/rss)"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@127.0.0.1:{port}/feed",  # httpx sends the user info as Basic auth
        "http://127.0.0.1:{port}/feed#top",
        "http://127.0.0.1:{port}/f%C3%A9ed é",  # httpx writes it otherwise
        "http://0177.0.0.1:{port}/feed",  # no address httpx reads
        "http://127.0.0.1:{port}/redirect",  # redirects are the full client's
        "ftp://127.0.0.1:{port}/feed",
    ],
)
def test_what_it_cannot_answer_as_httpx_would_is_handed_back(server: Server, url: str) -> None:
    request = FetchRequest("S", url.format(port=server.server_address[1]), ETAG)
    assert revalidate([request]) == [None]


def test_a_refused_connection_is_handed_back_for_the_full_client_s_words() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    request = FetchRequest("Down", f"http://127.0.0.1:{port}/feed", ETAG)
    assert revalidate([request]) == [None]
    [full] = fetch_all_sync([request])
    assert full.error and "cannot connect" in full.error


def test_a_proxy_in_the_environment_leaves_every_request_to_the_full_client(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.org:3128")
    assert proxied()
    assert revalidate([FetchRequest("S", server.url("/feed"), ETAG)]) == [None]
    assert server.seen == []  # nothing was sent past the proxy
    assert not proxied({"NO_PROXY": "example.org", "https_proxy": " "})


def test_connections_are_kept_open_and_one_closed_meanwhile_is_opened_again(
    server: Server,
) -> None:
    paths = ["/feed"] * 12 + ["/drop"] * 4 + ["/close"] * 4 + ["/feed"] * 12
    requests = [FetchRequest(f"S{n}", server.url(p), ETAG) for n, p in enumerate(paths)]
    results = revalidate(requests, concurrency=3)
    assert all(r is not None and r.not_modified for r in results), results
    assert len(server.seen) == len(paths)  # none handed back, none sent twice
    assert len(server.peers) <= 3 + 8  # three kept open; one new after each close


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[TlsServer, Path]]:
    """An HTTPS server on loopback, and its certificate (a CA of its own)."""
    cert, key = _certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    for server in _serve(context):
        yield server, cert


def test_https_with_a_trusted_certificate_is_answered_over_one_connection(
    tls: tuple[TlsServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = tls
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    [changed] = fetch_all_sync([FetchRequest("S", server.url("/feed"))])
    assert changed.status == 200 and changed.etag
    again = [FetchRequest(f"S{n}", server.url("/feed"), changed.etag) for n in range(3)]
    connections = len(server.connections)
    answered = revalidate(again, concurrency=1)
    assert [r.status if r else None for r in answered] == [304, 304, 304]
    assert len(server.connections) == connections + 1  # kept open between them
    full = fetch_all_sync(again[:1])
    assert answered[0] is not None and _same(answered[0]) == _same(full[0])


def test_https_with_an_untrusted_certificate_is_handed_back(
    tls: tuple[TlsServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = tls[0]
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    request = FetchRequest("S", server.url("/feed"), '"v1"')
    assert revalidate([request]) == [None]  # no request was sent in the clear or trusted
    [full] = fetch_all_sync([request])
    assert full.error and "CERTIFICATE_VERIFY_FAILED" in full.error


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "HTTP://Example.ORG/Feed",
        "http://example.org:80/a",
        "https://example.org:443/a",
        "https://example.org:8443/a?b=c&&d=",
        "http://example.org/a%2fb;c=d",
        "http://example.org//a",
        "http://[::1]:8080/x",
        "http://[::FFFF:127.0.0.1]/x",
        "http://example.org/a'b(c)*!$",
        "http://example.org?x=1",
        "http://example.org/.well-known/feed",
        "http://example.org/a/../b",  # dot segments: httpx removes them; handed back
        "http://example.org/a?b=c d",
        "http://127.1/x",
    ],
)
def test_a_result_s_url_and_the_request_target_are_httpx_s(url: str) -> None:
    import httpx

    target = _target(url)
    if target is not None:
        written = httpx.URL(url)
        assert (target.url, target.path) == (str(written), written.raw_path.decode())


# -- a hostile or broken server: what h11 would refuse or read otherwise is handed back,
#    and no server holds a request past its timeout ------------------------------------


@contextmanager
def raw_server(answers: dict[str, bytes | Callable[[socket.socket], None]]) -> Iterator[RawServer]:
    """A server on loopback that answers each path with the bytes given (or a function
    writing to the socket), then closes the connection; it records the requests."""
    listener = socket.create_server(("127.0.0.1", 0))
    state = RawServer(listener.getsockname()[1])

    def serve(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            head = b""
            while b"\r\n\r\n" not in head and (chunk := conn.recv(4096)):
                head += chunk
            if not head:
                return
            state.requests.append(head)
            answer = answers[head.split(b" ")[1].decode()]
            if callable(answer):
                answer(conn)
            else:
                conn.sendall(answer)

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

    accepting = threading.Thread(target=accept, daemon=True)
    accepting.start()
    try:
        yield state
    finally:
        state.stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept (a close alone does not)
        listener.close()
        accepting.join(5)


@dataclasses.dataclass
class RawServer:
    port: int
    requests: list[bytes] = dataclasses.field(default_factory=list)
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _trickle(head: bytes, each: bytes, stop: threading.Event) -> Callable[[socket.socket], None]:
    def send(conn: socket.socket) -> None:
        conn.sendall(head)
        while not stop.wait(0.05):
            conn.sendall(each)

    return send


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_server_that_trickles_bytes_gets_no_more_than_the_timeout(where: str) -> None:
    stop = threading.Event()
    if where == "body":
        answer = _trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b"x", stop)
    else:
        answer = _trickle(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n', b"X-A: b\r\n", stop)
    try:
        with raw_server({"/t": answer}) as server:
            request = FetchRequest("Slow", server.url("/t"), ETAG)
            started = time.monotonic()
            [answered] = revalidate([request], timeout=0.5)
            took = time.monotonic() - started
    finally:
        stop.set()
    assert took < 1.5, took  # was: as long as the server kept sending
    assert answered is not None
    assert answered.error == f"Slow: timed out after 0.5s ({server.url('/t')})"


BROKEN = {
    "/short": b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: "v2"\r\n\r\n0123456789',
    "/folded": b'HTTP/1.1 304 Not Modified\r\nETag: "a\r\n b"\r\n\r\n',
    "/utf8": b'HTTP/1.1 304 Not Modified\r\nETag: "caf\xc3\xa9"\r\n\r\n',
    "/nul": b'HTTP/1.1 304 Not Modified\r\nETag: "a\x00b"\r\n\r\n',
    "/reason": b"HTTP/1.1 503 Indispon\xc3\xadvel\r\nContent-Length: 0\r\n\r\n",
    "/length": b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nbody",
    "/lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nbody!",
    "/coded": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
    "/name": b'HTTP/1.1 304 Not Modified\r\nETag : "v1"\r\n\r\n',
    "/http09": b"<rss/>",
}


@pytest.mark.parametrize("path", sorted(BROKEN))
def test_an_answer_h11_would_refuse_or_read_otherwise_is_handed_back(path: str) -> None:
    with raw_server(dict(BROKEN)) as server:
        [answered] = revalidate([FetchRequest("S", server.url(path), ETAG)], timeout=2)
    assert answered is None  # nothing stored from it: the full client decides


@pytest.mark.parametrize(
    ("etag", "modified"),
    [('"a\r\n b"', None), ('"a\x00b"', None), (None, "   "), ('"café"', None), (" x", None)],
)
def test_a_stored_validator_httpx_would_not_send_is_not_sent(
    etag: str | None, modified: str | None
) -> None:
    with raw_server({"/f": b"HTTP/1.1 304 Not Modified\r\n\r\n"}) as server:
        request = FetchRequest("S", server.url("/f"), etag, modified)
        assert revalidate([request]) == [None]
        assert server.requests == []


def test_a_path_with_a_nul_is_an_error_value_not_a_dead_thread(tmp_path: Path) -> None:
    for url in (f"file://{tmp_path}/a%00b", f"{tmp_path}/a\x00b"):
        request = FetchRequest("Nul", url)
        [answered] = revalidate([request])
        [full] = fetch_all_sync([request])
        assert answered is not None and answered.error and "null" in answered.error
        assert _same(answered) == _same(full)


def test_no_thread_is_left_behind(server: Server) -> None:
    """A collect's process may rank on every core only while it runs one thread
    (digest.rank.parallel forks): `digest build` collects first, then ranks."""
    revalidate([FetchRequest(f"S{n}", server.url("/feed"), ETAG) for n in range(12)])
    assert [t.name for t in threading.enumerate() if t.name.startswith("digest ")] == []
