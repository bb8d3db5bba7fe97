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
HTTP/1.x or that h11 would read otherwise (:func:`~digest.collect.plainhttp.well_formed`),
a body shorter than its Content-Length, a stored validator httpx would not send, an
address httpx would write otherwise (non-ASCII, user info, a fragment, dot segments),
and any proxy named in the environment (then nothing is sent here at all). A request
handed back after waiting gets the full client's whole timeout again: at worst twice.
Must not: follow a redirect, use a proxy, parse what it fetched, or raise.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from digest.collect.fetched import (
    MAX_BYTES,
    FetchRequest,
    FetchResult,
    failed,
    read_file,
    too_large,
)
from digest.collect.inflate import BadCoding, BodyTooLarge, Inflater
from digest.collect.lookups import LOOKUPS, Lookups, LookupTimedOut
from digest.collect.plainhttp import (
    PORTS,
    Connections,
    Deadlines,
    HandOver,
    Target,
    exchange,
    left,
    sendable,
    target,
    well_formed,
)

__all__ = ["proxied", "revalidate"]

_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})


def proxied(environ: dict[str, str] | None = None) -> bool:
    """Whether the environment names a proxy for http(s) (httpx's client would use it)."""
    env = os.environ if environ is None else environ
    return any(value.strip() for key, value in env.items() if key.lower() in _PROXY_VARIABLES)


def _fetch(
    conns: Connections, request: FetchRequest, timeout: float, max_bytes: int
) -> FetchResult | None:
    to = target(request.url)
    if to is None or not (sendable(request.etag) and sendable(request.last_modified)):
        return None
    ends = time.monotonic() + timeout
    conn: http.client.HTTPConnection | None = None
    try:
        conn, response = exchange(conns, to, request, ends)
        result = _answer(request, to, response, ends, max_bytes)
    except LookupTimedOut:
        problem = f"name lookup timed out for {to.host} after {timeout:g}s"
        return failed(request, problem, None, "timeout")
    except Exception:  # HandOver, a timeout, anything unforeseen: decided below
        result = None
    finally:
        conns.deadlines.done()
    if time.monotonic() >= ends:  # the time was up (the socket shut down): however it ended
        result = failed(request, f"timed out after {timeout:g}s", None, "timeout")
    if conn is not None:
        if result is not None and result.not_modified:
            conns.give_back(to, conn)
        else:
            conn.close()  # a body unread or read: the connection is not trusted again
    return result


def _answer(
    request: FetchRequest,
    to: Target,
    response: http.client.HTTPResponse,
    ends: float,
    max_bytes: int,
) -> FetchResult:
    """A 304's, an error's or a 2xx's result; HandOver for anything else."""
    status = response.status
    if response.version not in (10, 11) or not well_formed(response):
        raise HandOver
    if status == 304:
        response.read()
        etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
        validators = (etag or request.etag, modified or request.last_modified)
        return FetchResult(request.name, to.url, 304, None, *validators, not_modified=True)
    if status >= 400:  # the body unread, as the full client leaves it
        return failed(request, f"HTTP {status} {response.reason}".strip(), status, "http")
    if not 200 <= status < 300:
        raise HandOver  # a redirect: the full client's
    declared = response.getheader("Content-Length")
    if declared is not None and int(declared) > max_bytes:
        return failed(request, too_large(max_bytes), status, "too_large")
    try:
        body, size = _body(response, ends, max_bytes)
    except BodyTooLarge:
        return failed(request, too_large(max_bytes), status, "too_large")
    except BadCoding as exc:
        return failed(request, str(exc), status)
    if declared is not None and size != int(declared):
        raise HandOver  # cut short: the full client reports how
    etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
    content_type = response.getheader("Content-Type")
    return FetchResult(request.name, to.url, status, body, etag, modified, content_type)


def _body(response: http.client.HTTPResponse, ends: float, max_bytes: int) -> tuple[bytes, int]:
    """The body inflated under the cap, and how many bytes came (before inflating)."""
    inflater = Inflater(response.getheader("Content-Encoding", ""), max_bytes)
    chunks, size = [], 0
    while chunk := response.read(65536):
        left(ends)
        size += len(chunk)
        chunks.append(inflater.feed(chunk))
    chunks.append(inflater.flush())
    return b"".join(chunks), size


def _one(
    conns: Connections, request: FetchRequest, timeout: float, max_bytes: int
) -> FetchResult | None:
    try:
        scheme = urlsplit(request.url).scheme.lower()
        if scheme in PORTS:
            return _fetch(conns, request, timeout, max_bytes)
        if scheme == "file" or len(scheme) <= 1:  # "C:\\..." has a one-letter "scheme"
            return read_file(request, max_bytes)
    except Exception:  # never a worker's death: the full client fetches it
        return None
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
    if proxied() or not requests:
        return results
    todo = list(enumerate(requests))
    lock = threading.Lock()
    deadlines = Deadlines()

    def work() -> None:
        conns = Connections(lookups or LOOKUPS, deadlines)
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
    deadlines.stop()
    return results
