"""Fetch one page for the desk ("add a story by URL") without reaching private networks.

An editor's URL is fetched by the server, from inside the network it runs in: a URL
naming loopback, a private range, link-local (cloud metadata at 169.254.169.254),
multicast or a reserved address would let the desk read or poke services that are not
public (SSRF). :func:`fetch_page` therefore checks every address a host name
resolves to, on the first request and on every redirect, and connects only to an
address it checked (the check sits in the connection layer, so a name that resolves
differently a moment later, or a proxy from the environment, cannot slip past it).
`[serve] allow_private_fetch = true` lifts the check (tests, an intranet desk).
This module must not parse pages or store anything.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import httpcore

from digest.collect.fetch import USER_AGENT
from digest.collect.lookups import LOOKUPS, LookupFailed, Lookups
from digest.errors import SourceError
from digest.netaddr import is_public

MAX_REDIRECTS = 5

Allowed = Callable[[str], bool]


class PrivateAddress(SourceError):
    """A URL (or a redirect) leads to an address that is not public."""


@dataclass(frozen=True, slots=True)
class Page:
    """What a fetch gave: the final URL after redirects, and the body."""

    url: str
    body: bytes
    content_type: str | None


class _Deadline:
    """The time a whole fetch may take: what is left of it, for each step."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def left(self, timeout: float | None) -> float:
        """A step's timeout: its own, or less if the fetch's time ends sooner (a
        ReadTimeout when it has ended: the step is not tried)."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the fetch's time is up")
        return left if timeout is None else min(timeout, left)

    @property
    def over(self) -> bool:
        """Whether the time is up (a step cut short at the end counts: its timer may
        have fired a hair early)."""
        return time.monotonic() >= self.ends - 0.05


class _Bounded(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake waits no longer than
    what is left of the fetch's time: a server that answers one byte at a time, each
    within the read timeout, still cannot hold the fetch past its deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._deadline.left(timeout))
        return _Bounded(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself (through `lookups`, within the fetch's time), refuses it
    unless every address is allowed, and connects to an address it checked."""

    def __init__(self, allowed: Allowed, lookups: Lookups, deadline: _Deadline) -> None:
        self.allowed = allowed
        self.lookups = lookups
        self.deadline = deadline

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = self.lookups.resolve(host, port, self.deadline.left(timeout))
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            if not self.allowed(address):
                shown = host if host == address else f"{host} ({address})"
                raise PrivateAddress(
                    f"{shown} is not a public address; the desk does not fetch from "
                    "private networks ([serve] allow_private_fetch = true allows it)"
                )
        problem: Exception = httpcore.ConnectError(f"{host}: no address")
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address, port, self.deadline.left(timeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                problem = exc
            else:
                return _Bounded(stream, self.deadline)
        raise problem


def _parts(url: str) -> SplitResult:
    """`url`'s parts, its port read; SourceError for an address that cannot be read (a
    redirect to "http://[::1/" or a port of 99999 had been a ValueError, a 500)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as exc:
        raise SourceError(f"{url[:200]}: not a valid address ({exc})") from None
    return parts


def _joined(url: str, target: str) -> str:
    try:
        return urljoin(url, target)
    except ValueError as exc:
        raise SourceError(f"{target[:200]}: not a valid address ({exc})") from None


def _host_header(url: str) -> bytes:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return (host + (f":{parts.port}" if parts.port else "")).encode("idna")


def fetch_page(
    url: str,
    *,
    allowed: Allowed = is_public,
    timeout: float = 15.0,
    max_bytes: int = 5_000_000,
    deadline: float | None = None,
    lookups: Lookups | None = None,
) -> Page:
    """GET `url`, following up to five redirects, each checked; SourceError (or
    PrivateAddress) names the URL and what went wrong.

    `timeout` is each step's (a name lookup, a connection, a read); `deadline` (default
    `timeout`) the whole fetch's, name lookups, redirects and body included: a site
    that answers each step just in time, or drips its page, is given up when it ends
    (:class:`FetchDeadline`, naming the address). Names are looked up through
    `lookups` (:mod:`digest.collect.lookups`; default the process's)."""
    limit = _Deadline(timeout if deadline is None else deadline)
    first = url
    limits = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    backend = _CheckedBackend(allowed, lookups or LOOKUPS, limit)
    with httpcore.ConnectionPool(network_backend=backend, max_connections=2) as pool:
        for _ in range(MAX_REDIRECTS + 1):
            parts = _parts(url)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise SourceError(f"{url[:200]}: expected an http:// or https:// address")
            try:
                with pool.stream(
                    "GET",
                    url,
                    headers=[
                        (b"Host", _host_header(url)),
                        (b"User-Agent", USER_AGENT.encode()),
                        (b"Accept", b"text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"),
                        (b"Accept-Encoding", b"identity"),
                    ],
                    extensions={"timeout": limits},
                ) as response:
                    headers = {k.lower(): v for k, v in response.headers}
                    status = response.status
                    if status in (301, 302, 303, 307, 308) and b"location" in headers:
                        target = headers[b"location"].decode("latin-1").strip()
                        url = _joined(url, target)
                        continue
                    if status >= 400:
                        raise SourceError(f"{url[:200]}: HTTP {status}")
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_stream():
                        size += len(chunk)
                        if size > max_bytes:
                            raise SourceError(
                                f"{url[:200]}: the page is larger than {max_bytes:,} bytes"
                            )
                        chunks.append(chunk)
                    kind = headers.get(b"content-type")
                    return Page(url, b"".join(chunks), kind.decode("latin-1") if kind else None)
            except LookupFailed as exc:
                if limit.over:
                    raise _late(first, url, limit, str(exc)) from None
                raise SourceError(f"{url[:200]}: {exc}") from None
            except httpcore.TimeoutException:
                if limit.over:
                    raise _late(first, url, limit) from None
                raise SourceError(f"{url[:200]}: timed out after {timeout:g}s") from None
            except httpcore.ConnectError as exc:
                raise SourceError(f"{url[:200]}: cannot connect ({exc})") from None
            except (httpcore.ProtocolError, httpcore.NetworkError) as exc:
                raise SourceError(f"{url[:200]}: {type(exc).__name__}: {exc}") from None
            except httpcore.UnsupportedProtocol as exc:
                raise SourceError(f"{url[:200]}: {exc}") from None
    raise SourceError(f"{url[:200]}: more than {MAX_REDIRECTS} redirects")


class FetchDeadline(SourceError):
    """A fetch was given up at its deadline (for all its steps together)."""


def _late(first: str, url: str, limit: _Deadline, step: str = "") -> FetchDeadline:
    where = "" if url == first else f"; it had been redirected to {url[:200]}"
    where += f"; {step}" if step else ""
    return FetchDeadline(
        f"{first[:200]}: no page within {limit.seconds:g}s, the most a fetch is given "
        f"(name lookups, redirects and the page together){where}"
    )


__all__ = ["FetchDeadline", "Page", "PrivateAddress", "fetch_page", "is_public"]
