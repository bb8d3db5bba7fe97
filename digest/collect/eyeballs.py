"""Connect to the first of a host's addresses that answers, as asyncio's own connect does.

`loop.create_connection(host, port, happy_eyeballs_delay=...)` looks the host up
itself, in asyncio's default executor, whose threads a nameserver that never answers
keeps busy (:mod:`digest.collect.lookups`). :func:`happy_eyeballs` is the rest of that
call, for addresses looked up already: families interleaved (an IPv6 address, then an
IPv4 one, ...), the next attempt started when one fails or `delay` seconds after it
began, the first socket to connect kept and the others closed; when all fail, the one
error (or asyncio's "Multiple exceptions: ..."). :func:`literal` is an IP literal's
address, which needs no lookup at all.
Must not: look a name up, or judge an address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import socket
from asyncio.staggered import staggered_race
from typing import Any

__all__ = ["AddrInfo", "happy_eyeballs", "literal"]

#: One of getaddrinfo's answers: (family, type, proto, canonname, sockaddr).
AddrInfo = tuple[Any, ...]


def literal(host: str, port: int) -> AddrInfo | None:
    """`host`'s one address if it is an IP literal (without a zone: the loop would look
    "fe80::1%eth0" up), else None."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.version == 4:
        return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))
    if "%" in host:
        return None
    return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port, 0, 0))


def _interleaved(infos: list[AddrInfo]) -> list[AddrInfo]:
    """Addresses alternating by family, each family's in its order (RFC 8305)."""
    families: dict[int, list[AddrInfo]] = {}
    for info in infos:
        families.setdefault(info[0], []).append(info)
    rounds = itertools.zip_longest(*families.values())
    return [info for info in itertools.chain.from_iterable(rounds) if info is not None]


async def happy_eyeballs(
    infos: list[AddrInfo], local: tuple[str, int] | None, delay: float | None
) -> socket.socket:
    """A connected non-blocking socket to the first of `infos` that answers (see the
    module); `local`, an address to bind to first. OSError when none does."""
    loop = asyncio.get_running_loop()
    connected: list[socket.socket] = []

    async def attempt(info: AddrInfo) -> socket.socket:
        family, kind, proto, _name, address = info
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            if local is not None:
                sock.bind(local)
            await loop.sock_connect(sock, address)
        except BaseException:
            sock.close()
            raise
        connected.append(sock)
        return sock

    infos = _interleaved(infos)
    winner: socket.socket | None = None
    try:
        if len(infos) == 1:  # no race to run
            winner = await attempt(infos[0])
            return winner
        attempts = [lambda info=info: attempt(info) for info in infos]
        winner, _index, errors = await staggered_race(attempts, delay)
    finally:
        for sock in connected:  # the race's losers, and all of them if it was cancelled
            if sock is not winner:
                sock.close()
    if winner is not None:
        return winner
    problems = [e for e in errors if e is not None] or [OSError("no address to connect to")]
    if len(problems) == 1 or len({str(e) for e in problems}) == 1:
        raise problems[0]
    raise OSError(f"Multiple exceptions: {', '.join(str(e) for e in problems)}")
