"""The conditional GETs of an unchanged collect, through the standard library (issue 16).

A collect with nothing changed sends one conditional GET a source and gets 304s back.
Through httpx those cost more than the rest of the command: asyncio, httpx, httpcore
and AnyIO imported (about 60 ms) and some 0.6 ms of CPU a request. :func:`revalidate`
sends them with :mod:`http.client` instead, from a few threads, each keeping one
connection open per host, and answers only what it can answer as
:func:`digest.collect.fetch.fetch_all` would, from the same request:

- 304: not modified, with the validators the answer gave (else those sent);
- 2xx: the body, inflated under the same cap (:mod:`digest.collect.inflate`): a feed
  that changed is fetched once, not twice;
- 4xx and 5xx: the same error ("HTTP 404 Not Found");
- the request's time spent: the same "timed out after" (a name lookup's too).

Everything else is handed back (None) for the full client to fetch, whose redirects,
happy eyeballs, proxies and words for a failure stay the only ones: a redirect, a name
that does not resolve, a connection or TLS handshake that fails, an answer that is not
HTTP/1.1, an address httpx would write otherwise (non-ASCII, user info, a fragment),
and any proxy named in the environment (then nothing is sent here at all).
Must not: follow a redirect, use a proxy, parse what it fetched, or raise.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from digest.collect.fetched import (
    MAX_BYTES,
    USER_AGENT,
    FetchRequest,
    FetchResult,
    failed,
    read_file,
    too_large,
)
from digest.collect.inflate import BadCoding, BodyTooLarge, Inflater
from digest.collect.lookups import LOOKUPS, LookupFailed, Lookups, LookupTimedOut

if TYPE_CHECKING:
    import ssl

__all__ = ["CONNECT_SECONDS", "proxied", "revalidate"]

#: How long one address is tried before the request is handed to the full client (which
#: tries a host's other addresses side by side): a host whose IPv6 route is a black
#: hole costs this, not the request's whole timeout.
CONNECT_SECONDS = 3.0
_PORTS = {"http": 80, "https": 443}
# What a URL may hold to be sent as written: httpx would write anything else otherwise.
_WRITTEN = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]+")
_IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")
_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


class _HandOver(Exception):
    """The request is left to the full client."""


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a request goes, and the URL as httpx writes it (the result's)."""

    scheme: str
    host: str
    port: int
    path: str  # the request target: path and query
    netloc: str  # the Host header
    url: str


def _target(url: str) -> _Target | None:
    """The target of an http(s) URL written as httpx would write it, else None."""
    if not _WRITTEN.fullmatch(url) or "@" in url or url.endswith("?"):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in _PORTS or not host or {".", ".."} & set(parts.path.split("/")):
        return None  # dot segments: httpx removes them
    if ":" in host:  # IPv6: a literal socket reads, written as given (httpx keeps its case)
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            return None
        netloc = parts.netloc[: parts.netloc.index("]") + 1]
    elif host[-1].isdigit() and not _IPV4.fullmatch(host):  # "0177.1": httpx refuses it
        return None
    else:
        netloc = host
    if port is not None and port != _PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    written = f"{scheme}://{netloc}{parts.path}{query}"  # no path: httpx writes none
    return _Target(
        scheme, host, port or _PORTS[scheme], (parts.path or "/") + query, netloc, written
    )


def proxied(environ: dict[str, str] | None = None) -> bool:
    """Whether the environment names a proxy for http(s) (httpx's client would use it)."""
    env = os.environ if environ is None else environ
    return any(value.strip() for key, value in env.items() if key.lower() in _PROXY_VARIABLES)


@cache
def _tls(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The verifying context httpx makes (SSL_CERT_FILE, SSL_CERT_DIR, else certifi's
    bundle), once a process."""
    import ssl

    if cert_file:
        context = ssl.create_default_context(cafile=cert_file)
    elif cert_dir:
        context = ssl.create_default_context(capath=cert_dir)
    else:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    context.set_alpn_protocols(["http/1.1"])
    return context


class _Connections:
    """One thread's open connections, one per scheme, host and port."""

    def __init__(self, lookups: Lookups) -> None:
        self._open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self._lookups = lookups

    def take(self, target: _Target, ends: float) -> tuple[http.client.HTTPConnection, bool]:
        """A connection to `target` (and whether it was open already)."""
        key = (target.scheme, target.host, target.port)
        conn = self._open.pop(key, None)
        if conn is not None and conn.sock is not None:
            return conn, True
        return self._connect(target, ends), False

    def give_back(self, target: _Target, conn: http.client.HTTPConnection) -> None:
        if conn.sock is not None:  # not closed by a "Connection: close"
            self._open[(target.scheme, target.host, target.port)] = conn

    def close(self) -> None:
        for conn in self._open.values():
            conn.close()
        self._open.clear()

    def _connect(self, target: _Target, ends: float) -> http.client.HTTPConnection:
        if ":" in target.host or _IPV4.fullmatch(target.host):
            family = socket.AF_INET6 if ":" in target.host else socket.AF_INET
            addresses = [(family, (target.host, target.port))]
        else:
            try:
                found = self._lookups.resolve(target.host, target.port, _left(ends))
            except LookupTimedOut:
                raise
            except (LookupFailed, OSError, UnicodeError) as exc:
                raise _HandOver from exc
            addresses = [(info[0], info[4]) for info in found]
        for family, address in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(min(CONNECT_SECONDS, _left(ends)))
                sock.connect(address)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if target.scheme == "https":
                    context = _tls(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
                    sock.settimeout(_left(ends))
                    sock = context.wrap_socket(sock, server_hostname=target.host)
            except (OSError, ValueError):
                sock.close()
                continue
            conn = http.client.HTTPConnection(target.host, target.port)
            conn.sock = sock
            conn.auto_open = 0  # never a connection of its own (an unbounded lookup)
            return conn
        raise _HandOver


def _left(ends: float) -> float:
    left = ends - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _send(conn: http.client.HTTPConnection, target: _Target, request: FetchRequest) -> None:
    """The request as httpx's client writes it: the same headers, in its order."""
    conn.putrequest("GET", target.path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", target.netloc)
    conn.putheader("Accept", "*/*")
    conn.putheader("Connection", "keep-alive")
    conn.putheader("User-Agent", USER_AGENT)
    conn.putheader("Accept-Encoding", "gzip, deflate")
    if request.etag:
        conn.putheader("If-None-Match", request.etag)
    if request.last_modified:
        conn.putheader("If-Modified-Since", request.last_modified)
    conn.endheaders()


def _exchange(
    conns: _Connections, target: _Target, request: FetchRequest, ends: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """The answer's head; an open connection the server closed meanwhile is retried
    once on a new one (as httpcore does)."""
    conn, reused = conns.take(target, ends)
    while True:
        try:
            assert conn.sock is not None
            conn.sock.settimeout(_left(ends))
            _send(conn, target, request)
            return conn, conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            conn.close()
            if not reused:
                raise _HandOver from exc
        except BaseException:
            conn.close()
            raise
        conn, reused = conns.take(target, ends)


def _fetch(
    conns: _Connections, request: FetchRequest, timeout: float, max_bytes: int
) -> FetchResult | None:
    target = _target(request.url)
    if target is None:
        return None
    ends = time.monotonic() + timeout
    conn: http.client.HTTPConnection | None = None
    try:
        conn, response = _exchange(conns, target, request, ends)
        status = response.status
        if response.version != 11 or not (200 <= status < 300 or status == 304 or status >= 400):
            conn.close()
            return None  # a redirect (or an HTTP/1.0 server's answer): the full client's
        if status >= 400:
            conn.close()  # the body unread, as the full client leaves it
            reason = f"HTTP {status} {response.reason}".strip()
            return failed(request, reason, status, "http")
        result = _answer(request, target, response, conn, ends, max_bytes)
        if result.error:
            conn.close()
        else:
            conns.give_back(target, conn)
        return result
    except (TimeoutError, LookupTimedOut) as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, LookupTimedOut):
            problem = f"name lookup timed out for {target.host} after {timeout:g}s"
            return failed(request, problem, None, "timeout")
        return failed(request, f"timed out after {timeout:g}s", None, "timeout")
    except Exception:  # _HandOver, and anything unforeseen: the full client fetches it
        if conn is not None:
            conn.close()
        return None


def _answer(
    request: FetchRequest,
    target: _Target,
    response: http.client.HTTPResponse,
    conn: http.client.HTTPConnection,
    ends: float,
    max_bytes: int,
) -> FetchResult:
    """A 304's or a 2xx's result, the body read and inflated under the cap."""
    etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
    if response.status == 304:
        response.read()
        validators = (etag or request.etag, modified or request.last_modified)
        return FetchResult(request.name, target.url, 304, None, *validators, not_modified=True)
    declared = response.getheader("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return failed(request, too_large(max_bytes), response.status, "too_large")
    try:
        body = Inflater(response.getheader("Content-Encoding", ""), max_bytes)
        chunks = []
        while True:
            if conn.sock is not None:  # the response reads through it: the time left
                conn.sock.settimeout(_left(ends))
            chunk = response.read(65536)
            if not chunk:
                break
            chunks.append(body.feed(chunk))
        chunks.append(body.flush())
    except BodyTooLarge:
        return failed(request, too_large(max_bytes), response.status, "too_large")
    except BadCoding as exc:
        return failed(request, str(exc), response.status)
    content_type = response.getheader("Content-Type")
    return FetchResult(
        request.name, target.url, response.status, b"".join(chunks), etag, modified, content_type
    )


def _one(
    conns: _Connections, request: FetchRequest, timeout: float, max_bytes: int
) -> FetchResult | None:
    try:
        scheme = urlsplit(request.url).scheme.lower()
    except ValueError:
        return None
    if scheme in _PORTS:
        return _fetch(conns, request, timeout, max_bytes)
    if scheme == "file" or len(scheme) <= 1:  # "C:\\..." has a one-letter "scheme"
        return read_file(request, max_bytes)
    return None


def revalidate(
    requests: Sequence[FetchRequest],
    *,
    concurrency: int = 8,
    timeout: float = 15.0,
    max_bytes: int = MAX_BYTES,
    lookups: Lookups | None = None,
) -> list[FetchResult | None]:
    """Each request's result, in request order; None for those handed back (all of
    them when the environment names a proxy). ``file:`` URLs and paths are read."""
    results: list[FetchResult | None] = [None] * len(requests)
    if proxied():
        return results
    todo = list(enumerate(requests))
    lock = threading.Lock()

    def work() -> None:
        conns = _Connections(lookups or LOOKUPS)
        try:
            while True:
                with lock:
                    if not todo:
                        return
                    index, request = todo.pop(0)
                results[index] = _one(conns, request, timeout, max_bytes)
        finally:
            conns.close()

    threads = [
        threading.Thread(target=work, name="digest revalidate", daemon=True)
        for _ in range(max(1, min(concurrency, len(requests))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
