"""Name lookups that give up in time, and cannot pile up threads in a long-lived process.

`socket.getaddrinfo` cannot be cancelled: a nameserver that never answers holds the
thread that asked until the system resolver gives up (30 s and more), and asyncio's
default executor, six threads here, is then full for every other lookup of the
process. `digest serve` and `digest run` live for weeks, so each lookup here runs in
a daemon thread of its own, its caller waits at most its timeout (then
:class:`LookupTimedOut`, naming the host), and the thread, left to end on its own, is
counted as stuck until it does. With :data:`MAX_STUCK` stuck, a new lookup is refused
at once (:class:`LookupRefused`) instead of starting one more thread: so the process
holds at most MAX_STUCK stuck lookup threads, plus those its callers are waiting on.

The resolver is a parameter (:class:`Lookups`'s `getaddrinfo`, default the system's):
the seam tests use to stand for a nameserver that never answers, as the system
resolver's nameserver cannot be pointed elsewhere from inside one process.
Must not: connect, or judge the addresses it finds.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from digest.errors import SourceError

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "LOOKUPS",
    "MAX_STUCK",
    "LookupFailed",
    "LookupRefused",
    "LookupTimedOut",
    "Lookups",
    "cut_short",
]

#: Lookups whose caller gave up, their threads still waiting for a nameserver, beyond
#: which new lookups are refused.
MAX_STUCK = 8

#: socket.getaddrinfo's shape: (host, port, type=...) -> [(family, type, proto, name, addr)].
GetAddrInfo = Callable[..., list[tuple[Any, ...]]]
Settle = Callable[[list[tuple[Any, ...]] | None, BaseException | None], None]


#: The host whose lookup the running task gave up when it was cancelled (a request's
#: own deadline ended it): what the request's error names.
_CUT_SHORT: ContextVar[str | None] = ContextVar("digest_lookup_cut_short", default=None)


def cut_short() -> str | None:
    """The host whose name lookup was under way when this task's wait was cancelled
    (by an enclosing deadline), or None: so that a request's "timed out" can say it
    was the name lookup, and for which host."""
    return _CUT_SHORT.get()


class LookupFailed(SourceError):
    """A host name could not be looked up in time (or at all)."""


class LookupTimedOut(LookupFailed):
    """The nameserver did not answer within the caller's time."""


class LookupRefused(LookupFailed):
    """Too many earlier lookups are still stuck: no thread is started for this one."""


def _seconds(timeout: float) -> str:
    return f"{round(max(timeout, 0.0), 1):g}s"


class Lookups:
    """Name lookups in daemon threads, each waited for at most its timeout, with at
    most `max_stuck` abandoned ones left running (see the module)."""

    def __init__(
        self, getaddrinfo: GetAddrInfo | None = None, *, max_stuck: int = MAX_STUCK
    ) -> None:
        self._getaddrinfo = getaddrinfo  # None: socket.getaddrinfo, as it is at each call
        self.max_stuck = max_stuck
        self._lock = threading.Lock()
        self._stuck = 0

    @property
    def stuck(self) -> int:
        """Lookups whose caller gave up and whose thread has not ended yet."""
        with self._lock:
            return self._stuck

    def _start(self, host: str, port: int, settle: Settle) -> Callable[[], None]:
        """Start the lookup in a thread that calls `settle` with its answer (unless the
        caller gave up); the returned function is the caller giving up."""
        with self._lock:
            if self._stuck >= self.max_stuck:
                raise LookupRefused(
                    f"name lookup for {host} refused: {self._stuck} earlier lookups are "
                    "still waiting for a nameserver that does not answer"
                )
        state = {"abandoned": False, "ended": False}

        def run() -> None:
            result: list[tuple[Any, ...]] | None = None
            error: BaseException | None = None
            try:
                lookup = self._getaddrinfo or socket.getaddrinfo
                result = lookup(host, port, type=socket.SOCK_STREAM)
            except Exception as exc:  # handed to the caller
                error = exc
            with self._lock:
                state["ended"] = True
                if state["abandoned"]:
                    self._stuck -= 1
                    return
            settle(result, error)

        def abandon() -> None:
            with self._lock:
                if not state["ended"] and not state["abandoned"]:
                    state["abandoned"] = True
                    self._stuck += 1

        threading.Thread(target=run, name=f"digest lookup {host}", daemon=True).start()
        return abandon

    def resolve(self, host: str, port: int, timeout: float | None) -> list[tuple[Any, ...]]:
        """getaddrinfo(host, port) for a blocking caller, waited for at most `timeout`
        seconds; LookupTimedOut or LookupRefused name the host, and the resolver's own
        error (OSError, UnicodeError) is raised as it is."""
        done = threading.Event()
        answer: list[Any] = [None, None]

        def settle(result: list[tuple[Any, ...]] | None, error: BaseException | None) -> None:
            answer[:] = [result, error]
            done.set()

        abandon = self._start(host, port, settle)
        if not done.wait(timeout):
            abandon()
            if not done.is_set():
                raise LookupTimedOut(
                    f"name lookup timed out for {host} after {_seconds(timeout or 0)}"
                )
        if answer[1] is not None:
            raise answer[1]
        return answer[0] or []

    async def aresolve(self, host: str, port: int, timeout: float | None) -> list[tuple[Any, ...]]:
        """:meth:`resolve` for a coroutine: the loop is never blocked, and cancelling
        the await gives the lookup up as its timeout does."""
        import asyncio  # only a coroutine's lookup needs it (not the blocking callers')

        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[tuple[Any, ...]]] = loop.create_future()

        def deliver(result: list[tuple[Any, ...]] | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result or [])

        def settle(result: list[tuple[Any, ...]] | None, error: BaseException | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: answer dropped
                loop.call_soon_threadsafe(deliver, result, error)

        abandon = self._start(host, port, settle)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            abandon()
            raise LookupTimedOut(
                f"name lookup timed out for {host} after {_seconds(timeout or 0)}"
            ) from None
        except asyncio.CancelledError:
            abandon()
            _CUT_SHORT.set(host)
            raise


#: The process's lookups: what the fetchers use unless given their own.
LOOKUPS = Lookups()
