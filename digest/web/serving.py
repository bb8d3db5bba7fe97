"""A `digest serve` process tells the database it runs (:mod:`digest.store._serving`):
marked seen at start, again every beat in a daemon thread, and forgotten when it stops,
so `digest database copy` knows not to copy a database it still writes to."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from digest.errors import DigestError
from digest.store import Store
from digest.store._serving import BEAT, serve_name

log = logging.getLogger(__name__)


class ServeLease:
    """This process's row: :meth:`start` marks it (and keeps it fresh), :meth:`stop`
    removes it. A beat the database refuses is logged; the pages go on being served."""

    def __init__(
        self, store: Store, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store, self.clock = store, clock
        self.name = serve_name(socket.gethostname(), os.getpid(), secrets.token_hex(4))
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="digest-serve-lease", daemon=True)

    def start(self) -> None:
        try:
            self.store.mark_serving(self.name, now=self.clock())  # before the first request
        except DigestError as exc:  # a read-only database file: the pages are served
            log.warning("could not record that digest serve runs: %s", exc)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        try:
            self.store.stop_serving(self.name)
        except DigestError as exc:
            log.warning("could not record that this digest serve stopped: %s", exc)

    def _beat(self) -> None:
        while not self._stopped.wait(BEAT.total_seconds()):
            try:
                self.store.mark_serving(self.name, now=self.clock())
            except DigestError as exc:
                log.warning("could not record that digest serve still runs: %s", exc)
