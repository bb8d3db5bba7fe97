"""Work the public pages do off the request: one job at a time in a daemon thread.

The subscribe form answers at once, the same for every address (it must not tell
whether an address is subscribed), and mails the confirmation here; the confirm page
answers at once and mails the welcome here (an SMTP server that is slow or down never
holds up, or fails, a confirmation).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Background:
    """Jobs run one at a time in a daemon thread, off the request (bounded queue). The
    thread ends once it has had nothing to do for `idle` seconds, and the next job
    starts another: an idle server (or a test process) keeps no thread for it."""

    def __init__(self, size: int = 1000, idle: float = 2.0) -> None:
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue(size)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # the queue's last job and the thread's end
        self._idle = idle

    def submit(self, job: Callable[[], None]) -> bool:
        with self._lock:
            try:
                self._queue.put_nowait(job)
            except queue.Full:
                return False
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="digest-subscribe", daemon=True
                )
                self._thread.start()
        return True

    def wait(self, timeout: float) -> bool:
        """Wait until every job submitted so far has run; False if `timeout` seconds
        passed first (for tests, and a server that stops)."""
        with self._queue.all_tasks_done:
            return self._queue.all_tasks_done.wait_for(
                lambda: not self._queue.unfinished_tasks, timeout
            )

    def _run(self) -> None:
        while True:
            try:
                job = self._queue.get(timeout=self._idle)
            except queue.Empty:
                with self._lock:  # no job can come in between: submit takes the lock
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            try:
                job()
            except Exception:  # one job's failure must not stop the rest
                log.exception("work off the request (a subscription, a welcome) failed")
            finally:
                self._queue.task_done()
