"""Fetch source documents: many at once, politely, and never raising.

HTTP(S) through one :class:`httpx.AsyncClient` (bounded concurrency, redirects, gzip,
conditional GET, a deadline and a size cap per request); ``file:`` URLs and plain paths
from disk through the same call, so callers never branch. Every failure is a value in
:attr:`FetchResult.error` whose message names the source and the URL. This module must
not parse what it fetched and must not decide anything about articles.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache
from urllib.parse import urlsplit

from digest.collect._lazyimports import deferred_imports
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

with deferred_imports():  # trio (a probe) and httpx's command line: loaded when used
    import httpcore
    import httpx

    from digest.collect.lookups import Lookups, cut_short
    from digest.collect.netstream import AsyncioBackend

__all__ = [  # the records live in digest.collect.fetched; named here as callers know them
    "MAX_REDIRECTS",
    "USER_AGENT",
    "Allowed",
    "FetchRequest",
    "FetchResult",
    "fetch_all",
    "fetch_all_sync",
]

#: Whether an IP address may be connected to (digest.web.fetch_guard.is_public).
Allowed = Callable[[str], bool]
MAX_REDIRECTS = 5


async def fetch_all(
    requests: Sequence[FetchRequest],
    *,
    concurrency: int = 8,
    timeout: float = 15.0,
    max_bytes: int = MAX_BYTES,
    user_agent: str = USER_AGENT,
    allowed: Allowed | None = None,
    deadline: float | None = None,
    lookups: Lookups | None = None,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """Fetch every request, at most `concurrency` at a time; results in request order
    (`on_result` is called with each as it ends, in the order they end).

    With `deadline` (seconds for them all), those not fetched by then are stopped and
    failed, `late`; `timeout` is each request's own.

    With `allowed`, only http(s) URLs are fetched, and only from hosts whose every
    address it accepts (checked where the connection is made, and again at each
    redirect); proxies named in the environment are then not used, as they would
    make the connection themselves. For URLs a source's content names (its pictures),
    not the configured sources themselves.

    Host names are looked up through `lookups` (:mod:`digest.collect.lookups`; default
    the process's), within each request's time; an IP literal is not looked up, nor is
    the host of a request sent through a proxy (the proxy looks it up)."""
    gate = asyncio.Semaphore(max(1, concurrency))
    limits = httpx.Limits(max_connections=max(1, concurrency))
    async with httpx.AsyncClient(
        transport=_Transports(limits, allowed, lookups),
        mounts=_proxies(limits) if allowed is None else None,
        trust_env=allowed is None,
        limits=limits,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
    ) as client:

        async def one(request: FetchRequest) -> FetchResult:
            async with gate:
                started = time.perf_counter()
                if allowed is not None and not _web(request.url):
                    problem = "not an http:// or https:// address"
                    result = failed(request, problem, None, "scheme")
                else:
                    result = await _guarded(client, request, timeout, max_bytes)
                result = replace(result, elapsed=round(time.perf_counter() - started, 3))
            if on_result is not None:
                on_result(result)
            return result

        tasks = [asyncio.create_task(one(r)) for r in requests]
        if deadline is None or not tasks:
            return list(await asyncio.gather(*tasks))
        _done, pending = await asyncio.wait(tasks, timeout=deadline)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)  # their connections closed
        return [
            _late(r, deadline) if t in pending else t.result()
            for r, t in zip(requests, tasks, strict=True)
        ]


def fetch_all_sync(
    requests: Sequence[FetchRequest],
    *,
    concurrency: int = 8,
    timeout: float = 15.0,
    max_bytes: int = MAX_BYTES,
    user_agent: str = USER_AGENT,
    allowed: Allowed | None = None,
    deadline: float | None = None,
    lookups: Lookups | None = None,
    on_result: Callable[[FetchResult], None] | None = None,
) -> list[FetchResult]:
    """:func:`fetch_all` for synchronous callers (must not be called inside a running loop)."""
    return asyncio.run(
        fetch_all(
            requests,
            concurrency=concurrency,
            timeout=timeout,
            max_bytes=max_bytes,
            user_agent=user_agent,
            allowed=allowed,
            deadline=deadline,
            lookups=lookups,
            on_result=on_result,
        )
    )


def _web(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@cache
def _tls(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """httpx's verifying TLS context (certifi, or the SSL_CERT_FILE/DIR named), made once
    a process: loading the CA bundle costs 20 ms, and the scheduler collects again and
    again in one process."""
    return httpx.create_ssl_context()


def _transport(
    tls: ssl.SSLContext | None,
    limits: httpx.Limits,
    allowed: Allowed | None = None,
    lookups: Lookups | None = None,
) -> httpx.AsyncHTTPTransport:
    """httpx's transport, its httpcore pool on asyncio's transports rather than AnyIO's
    (:mod:`digest.collect.netstream`: a quarter less CPU for a 304). Without a TLS
    context it is for http:// only."""
    # verify=False makes httpx's unused context cheaply; no https:// request comes here
    transport = httpx.AsyncHTTPTransport(verify=tls or False, limits=limits)
    if hasattr(transport, "_pool"):  # httpx's attribute; without it, AnyIO as before
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(allowed, lookups),
        )
    elif allowed is not None:  # never fetch unchecked what was to be checked
        raise RuntimeError("httpx's transport has no connection pool to check addresses in")
    return transport


def _proxies(limits: httpx.Limits) -> dict[str, httpx.AsyncBaseTransport | None]:
    """Transports for the proxies named in the environment (HTTP_PROXY, HTTPS_PROXY,
    ALL_PROXY; NO_PROXY's hosts None: not proxied), as the client mounts them: httpx
    reads the environment only for a client without a transport of its own."""
    from httpx._utils import get_environment_proxies  # httpx's reading of them

    found = get_environment_proxies()
    if not found:
        return {}
    tls = _tls(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    return {
        pattern: None
        if url is None
        else httpx.AsyncHTTPTransport(proxy=url, verify=tls, limits=limits)
        for pattern, url in found.items()
    }


class _Transports(httpx.AsyncBaseTransport):
    """The client's transports: one for http://, and one for https:// made at the first
    https:// request (its TLS context loads the CA bundle, a fifth of an unchanged
    `digest collect` of plain-HTTP or file feeds). Proxies named in the environment
    are the client's own mounts (:func:`_proxies`) and never come here."""

    def __init__(
        self, limits: httpx.Limits, allowed: Allowed | None = None, lookups: Lookups | None = None
    ) -> None:
        self._limits = limits
        self._allowed = allowed
        self._lookups = lookups
        self._plain = _transport(None, limits, allowed, lookups)
        self._tls: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "https":
            return await self._plain.handle_async_request(request)
        if self._tls is None:
            context = _tls(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
            self._tls = _transport(context, self._limits, self._allowed, self._lookups)
        return await self._tls.handle_async_request(request)

    async def aclose(self) -> None:
        await self._plain.aclose()
        if self._tls is not None:
            await self._tls.aclose()


def _late(request: FetchRequest, deadline: float) -> FetchResult:
    problem = f"not fetched within {deadline:g}s, the deadline for all the fetches"
    return replace(failed(request, problem, failure="timeout"), late=True)


def _connect_failure(message: str) -> str:
    """The kind of a failed connection, by netstream's and lookups' words for it."""
    if message.startswith("cannot resolve "):
        return "unresolved"
    if "timed out" in message:
        return "timeout"
    if "is not a public address" in message:
        return "private"
    return "unreachable"


async def _guarded(
    client: httpx.AsyncClient, request: FetchRequest, timeout: float, max_bytes: int
) -> FetchResult:
    try:
        scheme = urlsplit(request.url).scheme.lower()
        if scheme in {"http", "https"}:
            async with asyncio.timeout(timeout):
                return await _http(client, request, max_bytes)
        if scheme == "file" or len(scheme) <= 1:  # "C:\..." has a one-letter "scheme"
            return await asyncio.to_thread(read_file, request, max_bytes)
        return failed(request, f"unsupported URL scheme {scheme!r}", None, "scheme")
    except (TimeoutError, httpx.TimeoutException):
        if host := cut_short():  # the deadline ended a name lookup (its thread left)
            problem = f"name lookup timed out for {host} after {timeout:g}s"
            return failed(request, problem, None, "timeout")
        return failed(request, f"timed out after {timeout:g}s", None, "timeout")
    except httpx.TooManyRedirects:
        return failed(request, f"more than {MAX_REDIRECTS} redirects")
    except httpx.ConnectError as exc:
        problem = str(exc) or "connection refused"
        return failed(request, f"cannot connect: {problem}", None, _connect_failure(problem))
    except httpx.HTTPError as exc:
        return failed(request, f"{type(exc).__name__}: {exc or 'connection failed'}")
    except httpx.InvalidURL as exc:  # no HTTPError: an address httpx cannot read ("0177.0.0.1")
        return failed(request, f"not a valid address: {exc}", None, "invalid")
    except (OSError, ValueError) as exc:
        return failed(request, f"{type(exc).__name__}: {exc}")


async def _http(client: httpx.AsyncClient, request: FetchRequest, max_bytes: int) -> FetchResult:
    headers = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    async with client.stream("GET", request.url, headers=headers) as response:
        final = str(response.url)
        etag = response.headers.get("ETag") or request.etag
        modified = response.headers.get("Last-Modified") or request.last_modified
        if response.status_code == 304:
            await response.aread()  # the empty body read: the connection goes back to the pool
            return FetchResult(request.name, final, 304, None, etag, modified, not_modified=True)
        if response.status_code >= 400:
            reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
            return failed(request, reason, response.status_code, "http")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return failed(request, too_large(max_bytes), response.status_code, "too_large")
        # raw bytes, inflated here with a cap (httpx inflates a whole read at once)
        try:
            body = Inflater(response.headers.get("Content-Encoding", ""), max_bytes)
            chunks = [body.feed(chunk) async for chunk in response.aiter_raw()]
            chunks.append(body.flush())
        except BodyTooLarge:
            return failed(request, too_large(max_bytes), response.status_code, "too_large")
        except BadCoding as exc:
            return failed(request, str(exc), response.status_code)
        return FetchResult(
            request.name,
            final,
            response.status_code,
            b"".join(chunks),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            content_type=response.headers.get("Content-Type"),
        )
