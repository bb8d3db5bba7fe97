"""httpcore's network layer on asyncio's own transports, for the feed fetcher.

httpcore reaches asyncio through AnyIO, whose stream wrappers cost more CPU than the
HTTP itself for a conditional GET answered 304 (a cancel scope per read and write, and
a dict of socket attributes built each time the pool asks whether an idle connection
was closed, several times a request). :class:`AsyncioBackend` is the same
:class:`httpcore.AsyncNetworkBackend` contract on a plain :class:`asyncio.Protocol`:
bytes are buffered as they arrive, a read takes them, a write waits only when the
transport asks it to, and "is readable" (the server closed an idle connection, or
sent what nobody asked for) is a look at that buffer. Timeouts and failures are
httpcore's exceptions, as with AnyIO, so httpx maps them the same way.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import httpcore

from digest.collect.eyeballs import AddrInfo, happy_eyeballs
from digest.collect.eyeballs import literal as _literal
from digest.collect.lookups import LOOKUPS, LookupFailed, Lookups

#: Bytes buffered before the transport stops reading (a read drains them).
READ_LIMIT = 1 << 18
_EXTRA = {"client_addr": "sockname", "server_addr": "peername", "socket": "socket"}
#: Seconds before the next of a host's addresses is tried while one is still connecting.
HAPPY_EYEBALLS_DELAY = 0.25


def _seconds(timeout: float | None) -> str:
    return "time" if timeout is None else f"{timeout:g}s"


def _socket_readable(protocol: _Protocol, transport: asyncio.BaseTransport) -> bool:
    """Whether the connection's socket has bytes or an end waiting (or is gone); one
    poll object a connection, made at the first question."""
    sock = transport.get_extra_info("socket")
    if sock is None or sock.fileno() < 0:
        return True
    if not hasattr(select, "poll"):
        return bool(select.select([sock.fileno()], [], [], 0)[0])
    if protocol.poller is None:
        protocol.poller = select.poll()
        protocol.poller.register(sock.fileno(), select.POLLIN)
    return bool(protocol.poller.poll(0))


class _Protocol(asyncio.Protocol):
    """A connection's received bytes, end and fault, and whether it may be written to."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.eof = False
        self.lost = False
        self.error: Exception | None = None
        self.transport: asyncio.Transport | None = None
        self.paused_reading = False
        self.poller: Any = None  # select.poll, where there is one
        self._readable: asyncio.Future[None] | None = None
        self._writable: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_LIMIT and self.transport is not None:
            self.transport.pause_reading()
            self.paused_reading = True
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.lost = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _wake(self) -> None:
        if self._readable is not None and not self._readable.done():
            self._readable.set_result(None)

    async def readable(self) -> None:
        self._readable = asyncio.get_running_loop().create_future()
        try:
            await self._readable
        finally:
            self._readable = None

    async def writable(self) -> None:
        if self._writable is not None:
            await self._writable


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection (plain or TLS) as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol, tls: bool = False):
        self._transport = transport
        self._protocol = protocol
        self._tls = tls

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._protocol
        if not p.buffer and not p.eof:
            try:
                async with asyncio.timeout(timeout):
                    await p.readable()
            except TimeoutError:
                raise httpcore.ReadTimeout(f"no data in {_seconds(timeout)}") from None
        if p.buffer:
            data = bytes(p.buffer[:max_bytes])
            del p.buffer[:max_bytes]
            if p.paused_reading and len(p.buffer) <= READ_LIMIT and not p.lost:
                p.paused_reading = False
                self._transport.resume_reading()
            return data
        if p.error is not None:
            raise httpcore.ReadError(str(p.error) or type(p.error).__name__)
        return b""  # the server closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        p = self._protocol
        if p.lost or self._transport.is_closing():
            raise httpcore.WriteError(str(p.error or "the connection is closed"))
        self._transport.write(buffer)
        try:
            async with asyncio.timeout(timeout):
                await p.writable()
        except TimeoutError:
            raise httpcore.WriteTimeout(f"could not write in {_seconds(timeout)}") from None
        if p.lost:
            raise httpcore.WriteError(str(p.error or "the connection is closed"))

    async def aclose(self) -> None:
        # A TLS transport's close waits for the server's close_notify; as AnyIO's stream
        # does for httpcore (standard_compatible=False), a client that is done need not.
        if self._tls:
            self._transport.abort()
        else:
            self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context, server_hostname=server_hostname
                )
        except TimeoutError:
            self._transport.abort()
            problem = f"TLS handshake not done in {_seconds(timeout)}"
            raise httpcore.ConnectTimeout(problem) from None
        except (OSError, EOFError) as exc:  # ssl.SSLError is an OSError
            self._transport.abort()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        if transport is None:  # the connection was closed meanwhile
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._protocol.transport = transport
        return AsyncioStream(transport, self._protocol, tls=True)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection with bytes or an end: unusable
            p = self._protocol  # (an end the loop has not seen yet is in the socket)
            return bool(p.buffer) or p.eof or _socket_readable(p, self._transport)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        return self._transport.get_extra_info(_EXTRA[info]) if info in _EXTRA else None


async def _wrapped(sock: socket.socket) -> tuple[asyncio.Transport, _Protocol]:
    """The loop's transport of a connected socket (closed if that fails)."""
    try:
        return await asyncio.get_running_loop().create_connection(_Protocol, sock=sock)
    except BaseException:
        sock.close()
        raise


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections through the running asyncio loop (Happy Eyeballs, as AnyIO's).

    A host name is looked up through `lookups` (:mod:`digest.collect.lookups`, default
    the process's), not asyncio's default executor: the lookup gives up at the connect
    timeout, naming the host, and a nameserver that never answers cannot pile up
    threads in `digest run`, nor keep a collect from ending (asyncio waits for its
    executor's threads when a loop closes). An IP literal is not looked up at all (no
    thread); the connection pool keeps connections, so a lookup is made a new
    connection, not a request. The host's addresses are then tried as asyncio's
    `create_connection(happy_eyeballs_delay=0.25)` tries them: families interleaved,
    the next attempt started when one fails or after 0.25 s, the first to connect kept.

    With `allowed`, the host is refused (a ConnectError naming it) unless `allowed`
    accepts every address it has; the connection then goes to those checked addresses
    only, one after the other, so a name that resolves elsewhere a moment later cannot
    slip past (URLs a feed names, such as its pictures', that must not reach private
    networks)."""

    def __init__(
        self, allowed: Callable[[str], bool] | None = None, lookups: Lookups | None = None
    ) -> None:
        self.allowed = allowed
        self.lookups = lookups or LOOKUPS

    async def _resolved(self, host: str, port: int, timeout: float | None) -> list[AddrInfo]:
        """`host`'s addresses (getaddrinfo's tuples), a literal's without a lookup."""
        literal = _literal(host, port)
        if literal is not None:
            return [literal]
        try:
            infos = await self.lookups.aresolve(host, port, timeout)
        except LookupFailed as exc:
            raise httpcore.ConnectError(str(exc)) from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        if not infos:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        return infos

    async def _checked(self, host: str, port: int, timeout: float | None) -> list[str]:
        infos = await self._resolved(host, port, timeout)
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            if self.allowed is not None and not self.allowed(address):
                shown = host if host == address else f"{host} ({address})"
                raise httpcore.ConnectError(
                    f"{shown} is not a public address ([serve] allow_private_fetch = true "
                    "allows private networks)"
                )
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        started = loop.time()
        # The lookup has its own timeout, so that its error names the host.
        if self.allowed is None:
            infos, checked = await self._resolved(host, port, timeout), None
        else:
            infos, checked = [], await self._checked(host, port, timeout)
        left = None if timeout is None else max(timeout - (loop.time() - started), 0.0)
        try:
            async with asyncio.timeout(left):
                if checked is None:
                    sock = await happy_eyeballs(infos, local, HAPPY_EYEBALLS_DELAY)
                    transport, protocol = await _wrapped(sock)
                else:
                    transport, protocol = await self._connect_checked(host, checked, port, local)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection in {_seconds(timeout)}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        for option in socket_options or ():
            transport.get_extra_info("socket").setsockopt(*option)
        return AsyncioStream(transport, protocol)

    async def _connect_checked(
        self, host: str, addresses: list[str], port: int, local: tuple[str, int] | None
    ) -> tuple[asyncio.Transport, _Protocol]:
        """A connection to the first of `host`'s checked addresses that answers."""
        loop = asyncio.get_running_loop()
        problem: OSError = OSError(f"{host}: no address")
        for address in addresses:
            try:
                return await loop.create_connection(_Protocol, address, port, local_addr=local)
            except OSError as exc:
                problem = exc
        raise problem

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await loop.create_unix_connection(_Protocol, path)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection in {_seconds(timeout)}") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from None
        return AsyncioStream(transport, protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


__all__ = ["AsyncioBackend", "AsyncioStream"]
