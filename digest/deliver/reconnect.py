"""A mail server that cannot be reached: how often, and how soon, the engine tries the
connection again before it pauses the send, and what it tells the operator.

A refused connection (nothing listens on the port, the server is down or restarting)
is no message's fault and no address's: it is not retried per message nor counted
towards `max_consecutive_failures` (which took 25 messages, each retried with back-off:
minutes, with every one of them deferred). The same message waits while the connection
is tried again at short, doubling intervals; after CONNECT_TRIES in a row the send
pauses, trying nobody else, and `digest send ID` resumes it. An address that never
answers (no refusal: blackholed, or a server that never greets) costs each try
`[transport] connect_timeout` (5 s), not `timeout` (30 s, kept for every later
exchange): the send pauses within about 25 s, not 2 minutes. Reads the clock; sends
nothing itself.
"""

from __future__ import annotations

import time

#: Connections tried in a row (the first included) before the send pauses.
CONNECT_TRIES = 4
#: The first wait between two tries, at most (then doubled: 0.5, 1 and 2 s by default).
FIRST_WAIT = 0.5


class Reconnect:
    """Counts the failed connections in a row of one engine."""

    def __init__(self, retry_delay: float) -> None:
        self.first = min(retry_delay, FIRST_WAIT)
        self.tries = 0
        self.since = 0.0

    def failed(self) -> float | None:
        """One more connection failed: seconds to wait before the next try, or None
        when it is time to give up."""
        if self.tries == 0:
            self.since = time.monotonic()
        self.tries += 1
        return None if self.tries >= CONNECT_TRIES else self.first * 2 ** (self.tries - 1)

    def connected(self) -> None:
        self.tries = 0

    def gave_up(self, error: str, edition_id: int) -> str:
        """Why the send stopped, in the operator's words."""
        took = time.monotonic() - self.since
        return (
            f"edition {edition_id} paused: {error} ({self.tries} tries in {took:.1f} s); "
            f"nothing more was tried; `digest send {edition_id}` resumes"
        )
