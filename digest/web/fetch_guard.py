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

import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import httpcore

from digest.collect.fetch import USER_AGENT
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


class _CheckedBackend(httpcore.SyncBackend):
    """Resolves the host itself, refuses it unless every address is allowed, and
    connects to an address it checked."""

    def __init__(self, allowed: Allowed) -> None:
        self.allowed = allowed

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                problem = exc
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
) -> Page:
    """GET `url`, following up to five redirects, each checked; SourceError (or
    PrivateAddress) names the URL and what went wrong."""
    deadline = time.monotonic() + timeout
    limits = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    with httpcore.ConnectionPool(
        network_backend=_CheckedBackend(allowed), max_connections=2
    ) as pool:
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
                        if time.monotonic() > deadline:
                            raise SourceError(f"{url[:200]}: timed out after {timeout:g}s")
                        chunks.append(chunk)
                    kind = headers.get(b"content-type")
                    return Page(url, b"".join(chunks), kind.decode("latin-1") if kind else None)
            except httpcore.TimeoutException:
                raise SourceError(f"{url[:200]}: timed out after {timeout:g}s") from None
            except httpcore.ConnectError as exc:
                raise SourceError(f"{url[:200]}: cannot connect ({exc})") from None
            except (httpcore.ProtocolError, httpcore.NetworkError) as exc:
                raise SourceError(f"{url[:200]}: {type(exc).__name__}: {exc}") from None
            except httpcore.UnsupportedProtocol as exc:
                raise SourceError(f"{url[:200]}: {exc}") from None
    raise SourceError(f"{url[:200]}: more than {MAX_REDIRECTS} redirects")


__all__ = ["Page", "PrivateAddress", "fetch_page", "is_public"]
