"""The wire under :mod:`digest.collect.revalidate`: HTTP/1.1 through :mod:`http.client`,
held to what httpx (h11) would send and accept, and to each request's whole time.

- :func:`target`: a URL as httpx writes it (its request target and Host), or None for
  one it would write otherwise;
- :func:`sendable`: a stored validator httpx would send as it is;
- :class:`Connections`: one thread's kept-alive connections, made through the bounded
  name lookups (:mod:`digest.collect.lookups`) and, for https, httpx's verifying TLS;
- :func:`exchange`: a request sent as httpx writes it, and the answer's head;
- :func:`well_formed`: an answer's head h11 would read the same way (no folded, NUL or
  non-ASCII header values, a single decimal Content-Length, no transfer coding but
  chunked); http.client reads much more leniently;
- :class:`Deadlines`: a request's socket shut down when its time is up, so a server
  that trickles bytes cannot hold a request past its timeout (http.client's socket
  timeout only bounds the wait for each byte).
Anything it cannot do as httpx would raises :class:`HandOver`.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from digest.collect.fetched import USER_AGENT, FetchRequest
from digest.collect.lookups import LookupFailed, Lookups, LookupTimedOut

if TYPE_CHECKING:
    import ssl

#: How long one address is tried before the request is handed to the full client (which
#: tries a host's other addresses side by side): a host whose IPv6 route is a black
#: hole costs this, not the request's whole timeout.
CONNECT_SECONDS = 3.0
PORTS = {"http": 80, "https": 443}
# What a URL may hold to be sent as written: httpx would write anything else otherwise.
_WRITTEN = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]+")
IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # a header's name (RFC 9110)
_VALUE = re.compile(r"[\x20-\x7e\t]*")  # printable ASCII: no CR, LF, NUL or other bytes
_SENDABLE = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


class HandOver(Exception):
    """The request is left to the full client."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a request goes, and the URL as httpx writes it (the result's)."""

    scheme: str
    host: str
    port: int
    path: str  # the request target: path and query
    netloc: str  # the Host header
    url: str


def target(url: str) -> Target | None:
    """The target of an http(s) URL written as httpx would write it, else None."""
    if not _WRITTEN.fullmatch(url) or "@" in url or url.endswith("?"):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in PORTS or not host or {".", ".."} & set(parts.path.split("/")):
        return None  # dot segments: httpx removes them
    if ":" in host:  # IPv6: a literal socket reads, written as given (httpx keeps its case)
        try:
            socket.inet_pton(socket.AF_INET6, host)
        except OSError:
            return None
        netloc = parts.netloc[: parts.netloc.index("]") + 1]
    elif host[-1].isdigit() and not IPV4.fullmatch(host):  # "0177.1": httpx refuses it
        return None
    else:
        netloc = host
    if port is not None and port != PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = f"?{parts.query}" if parts.query else ""
    written = f"{scheme}://{netloc}{parts.path}{query}"  # no path: httpx writes none
    return Target(scheme, host, port or PORTS[scheme], (parts.path or "/") + query, netloc, written)


def sendable(value: str | None) -> bool:
    """Whether a stored validator goes on the wire as it is (printable ASCII, no edge
    spaces): httpx refuses anything else, and so the request is its to fail."""
    return value is None or _SENDABLE.fullmatch(value) is not None


def well_formed(response: http.client.HTTPResponse) -> bool:
    """Whether h11 would read the answer's head as http.client did."""
    if response.msg.defects or not _VALUE.fullmatch(response.reason):
        return False
    for name, value in response.msg.items():
        if not _TOKEN.fullmatch(name) or not _VALUE.fullmatch(value):
            return False
    lengths = response.msg.get_all("Content-Length") or []
    if len(lengths) > 1 or not all(v.strip().isdigit() for v in lengths):
        return False
    codings = response.msg.get_all("Transfer-Encoding") or []
    return all(v.strip().lower() == "chunked" for v in codings) and len(codings) <= 1


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


def left(ends: float) -> float:
    """Seconds to `ends`; TimeoutError when none are left."""
    remaining = ends - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    return remaining


class Deadlines:
    """Each worker's socket in use and when its request's time is up; a thread shuts a
    socket down then, which ends any read of it at once."""

    def __init__(self) -> None:
        self._due: dict[int, tuple[float, socket.socket]] = {}
        self._changed = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._watch, name="digest deadlines", daemon=True)
        self._thread.start()

    def watch(self, sock: socket.socket, ends: float) -> None:
        with self._changed:
            self._due[threading.get_ident()] = (ends, sock)
            self._changed.notify()

    def done(self) -> None:
        with self._changed:
            self._due.pop(threading.get_ident(), None)

    def stop(self) -> None:
        """Its thread ended: a process left with one thread may fork (digest.rank.parallel)."""
        with self._changed:
            self._stopped = True
            self._changed.notify()
        self._thread.join()

    def _watch(self) -> None:
        with self._changed:
            while not self._stopped:
                now = time.monotonic()
                for worker, (ends, sock) in list(self._due.items()):
                    if ends <= now:
                        del self._due[worker]
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_RDWR)
                soonest = min((ends for ends, _ in self._due.values()), default=None)
                self._changed.wait(None if soonest is None else max(0.0, soonest - now))


class Connections:
    """One thread's open connections, one per scheme, host and port."""

    def __init__(self, lookups: Lookups, deadlines: Deadlines) -> None:
        self._open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}
        self._lookups = lookups
        self.deadlines = deadlines

    def take(self, to: Target, ends: float) -> tuple[http.client.HTTPConnection, bool]:
        """A connection to `to` (and whether it was open already)."""
        conn = self._open.pop((to.scheme, to.host, to.port), None)
        if conn is not None and conn.sock is not None:
            return conn, True
        return self.connect(to, ends), False

    def give_back(self, to: Target, conn: http.client.HTTPConnection) -> None:
        if conn.sock is not None:  # not closed by a "Connection: close"
            self._open[(to.scheme, to.host, to.port)] = conn

    def close(self) -> None:
        for conn in self._open.values():
            conn.close()
        self._open.clear()

    def connect(self, to: Target, ends: float) -> http.client.HTTPConnection:
        if ":" in to.host or IPV4.fullmatch(to.host):
            family = socket.AF_INET6 if ":" in to.host else socket.AF_INET
            addresses = [(family, (to.host, to.port))]
        else:
            try:
                found = self._lookups.resolve(to.host, to.port, left(ends))
            except LookupTimedOut:
                raise
            except (LookupFailed, OSError, UnicodeError) as exc:
                raise HandOver from exc
            addresses = [(info[0], info[4]) for info in found]
        for family, address in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            self.deadlines.watch(sock, ends)
            try:
                sock.settimeout(min(CONNECT_SECONDS, left(ends)))
                sock.connect(address)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if to.scheme == "https":
                    context = _tls(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
                    sock.settimeout(left(ends))
                    sock = context.wrap_socket(sock, server_hostname=to.host)
                    self.deadlines.watch(sock, ends)
            except (OSError, ValueError):
                sock.close()
                continue
            conn = http.client.HTTPConnection(to.host, to.port)
            conn.sock = sock
            conn.auto_open = 0  # never a connection of its own (an unbounded lookup)
            return conn
        raise HandOver


def _send(conn: http.client.HTTPConnection, to: Target, request: FetchRequest) -> None:
    """The request as httpx's client writes it: the same headers, in its order."""
    conn.putrequest("GET", to.path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", to.netloc)
    conn.putheader("Accept", "*/*")
    conn.putheader("Connection", "keep-alive")
    conn.putheader("User-Agent", USER_AGENT)
    conn.putheader("Accept-Encoding", "gzip, deflate")
    if request.etag:
        conn.putheader("If-None-Match", request.etag)
    if request.last_modified:
        conn.putheader("If-Modified-Since", request.last_modified)
    conn.endheaders()


def exchange(
    conns: Connections, to: Target, request: FetchRequest, ends: float
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """The answer's head; an open connection the server closed meanwhile is retried
    once on a new one (as httpcore does)."""
    conn, reused = conns.take(to, ends)
    while True:
        try:
            assert conn.sock is not None
            conns.deadlines.watch(conn.sock, ends)
            conn.sock.settimeout(left(ends))
            _send(conn, to, request)
            return conn, conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError) as exc:
            conn.close()
            if not reused or time.monotonic() >= ends:
                raise HandOver from exc
        except BaseException:
            conn.close()
            raise
        conn, reused = conns.connect(to, ends), False
