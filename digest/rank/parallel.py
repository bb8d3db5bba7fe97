"""A pure computation spread over a machine's cores: forked child processes for Python
code (which holds the interpreter's lock), threads for numpy's (which lets it go).

Job of :func:`in_children`: run ``work(0)`` here and ``work(1) .. work(parts - 1)``
each in a child made with ``fork`` (it sees this process's data as it is, so nothing is
sent to it), and hand back the results in order (pickled through a pipe). A child that
fails in any way (an error, a signal, a result that does not arrive whole) has its part
worked out here instead, so that the answer never depends on the children: they only
save time. :func:`in_threads` runs the parts in threads instead; each must write only
its own share of any output.

Must not: fork a process with more than one thread (a lock another thread holds would
stay held in the child), fork where there is no ``fork`` (Windows) or where it is not
safe without ``exec`` (macOS), let a child return into the caller's code (a child always
ends in ``os._exit``), or leave a child behind.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Processes one computation uses at most, this one included.
MAX_PROCESSES = 4


def cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def processes(parts_available: int) -> int:
    """How many processes may work on ``parts_available`` parts here and now (1: this
    one alone): one per usable CPU, when forking is safe in this process."""
    if parts_available < 2 or not hasattr(os, "fork") or sys.platform != "linux":
        return 1
    if threading.active_count() != 1:
        return 1
    import multiprocessing

    if multiprocessing.current_process().daemon:  # a Celery worker's child: no children
        return 1
    return max(1, min(cpus(), MAX_PROCESSES, parts_available))


def in_children(work: Callable[[int], T], parts: int) -> list[T]:
    """``[work(k) for k in range(parts)]``, parts 1 and up worked out in forked children
    (a part whose child could not be made is worked out here)."""
    children: dict[int, tuple[int, int]] = {}  # part -> (pid, read end of its pipe)
    try:
        for k in range(1, parts):
            try:
                children[k] = _fork(work, k)
            except OSError:  # no memory or no process left for a child: this one does it
                break
        results = [work(0)]
        for k in range(1, parts):
            child = children.pop(k, None)
            results.append(work(k) if child is None else _collect(*child, work, k))
        return results
    finally:
        for pid, read in children.values():  # an error here: stopped and reaped
            os.close(read)
            _stop(pid)


def _fork(work: Callable[[int], T], k: int) -> tuple[int, int]:
    read, write = os.pipe()
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns when the process has other threads; numpy's BLAS keeps
            # idle native ones (never Python code, and nothing here calls BLAS), and
            # `processes` forks only when this is the one Python thread.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it; the parent reports
            payload = memoryview(pickle.dumps(work(k), protocol=pickle.HIGHEST_PROTOCOL))
            while payload:
                payload = payload[os.write(write, payload) :]
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int, work: Callable[[int], T], k: int) -> T:
    """Child ``pid``'s result (part ``k``), or the part worked out here if it failed."""
    chunks = []
    try:
        while chunk := os.read(read, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(read)
    try:
        _, status = os.waitpid(pid, 0)
        ended_well = os.waitstatus_to_exitcode(status) == 0
    except ChildProcessError:  # reaped already (SIGCHLD ignored): a whole pickle tells
        ended_well = True
    if ended_well:
        try:
            result: T = pickle.loads(b"".join(chunks))
            return result
        except Exception:  # a torn result: worked out here below
            pass
    return work(k)


def _stop(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def threads(parts_available: int) -> int:
    """How many threads should work on ``parts_available`` parts: one per usable CPU."""
    return max(1, min(cpus(), MAX_PROCESSES, parts_available))


def in_threads(work: Callable[[int], T], parts: int) -> list[T]:
    """``[work(k) for k in range(parts)]``, part 0 in this thread, each other in one of its own."""
    if parts <= 1:
        return [work(k) for k in range(parts)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(parts - 1, thread_name_prefix="digest-rank") as pool:
        later = [pool.submit(work, k) for k in range(1, parts)]
        first = work(0)
        return [first, *(future.result() for future in later)]
