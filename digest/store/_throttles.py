"""Throttles: how many attempts a key (an address typed, a client) made in a window.

One row per (scope, key) holds the start of the current fixed window and the attempts
counted in it. :meth:`ThrottlesMixin.reserve` takes one attempt with a single atomic
UPDATE *before* the caller does the work (a slow password hash, a confirmation mail),
so any number of requests in any number of `digest serve` processes, arriving at once,
get at most `limit` reservations per window. Keys are stored as SHA-256 digests, never
as the address or client itself. Nothing here knows of HTTP or passwords.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from digest.store import schema as t
from digest.store._base import Base

#: Rows whose window started longer ago than this are deleted now and then.
FORGET_AFTER = timedelta(days=2)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ThrottlesMixin(Base):
    def reserve(
        self, scope: str, key: str, *, limit: int, window: timedelta, now: datetime
    ) -> bool:
        """Count one attempt for `key` unless it already has `limit` in the current
        window; True when the attempt may go ahead."""
        th = t.throttles
        digest = _digest(key)
        this = (th.c.scope == scope, th.c.key == digest)
        if secrets.randbelow(500) == 0:
            self._forget_throttles(now - FORGET_AFTER)
        for _ in range(4):
            with self.engine.begin() as conn:
                taken = conn.execute(
                    update(th)
                    .where(*this, th.c.window_start > now - window, th.c.count < limit)
                    .values(count=th.c.count + 1)
                ).rowcount
                if taken:
                    return True
                renewed = conn.execute(
                    update(th)
                    .where(*this, th.c.window_start <= now - window)
                    .values(window_start=now, count=1)
                ).rowcount
                if renewed:
                    return True
                if conn.execute(select(th.c.count).where(*this)).first() is not None:
                    full = select(th.c.count).where(
                        *this, th.c.window_start > now - window, th.c.count >= limit
                    )
                    if conn.execute(full).first() is not None:
                        return False  # the window is full
                    # Changed between the two updates (another request renewed the
                    # window: PostgreSQL then matches neither): count against it.
                    continue
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(th).values(scope=scope, key=digest, window_start=now, count=1)
                    )
                return True
            except IntegrityError:
                continue  # another request made the row first: count against it
        return False

    def attempts(self, scope: str, key: str, *, window: timedelta, now: datetime) -> int:
        """How many attempts `key` has counted in its current window (0: none)."""
        th = t.throttles
        with self.engine.connect() as conn:
            found = conn.execute(
                select(th.c.count).where(
                    th.c.scope == scope,
                    th.c.key == _digest(key),
                    th.c.window_start > now - window,
                )
            ).scalar()
        return int(found or 0)

    def release(self, scope: str, key: str) -> None:
        """Give back one attempt reserved for `key` (the work showed it was no abuse, e.g.
        the right password): only failures should use up a window."""
        th = t.throttles
        with self.engine.begin() as conn:
            conn.execute(
                update(th)
                .where(th.c.scope == scope, th.c.key == _digest(key), th.c.count > 0)
                .values(count=th.c.count - 1)
            )

    def clear_throttle(self, scope: str, key: str) -> None:
        """Forget the attempts of `key` (a login that succeeded)."""
        th = t.throttles
        with self.engine.begin() as conn:
            conn.execute(delete(th).where(th.c.scope == scope, th.c.key == _digest(key)))

    def _forget_throttles(self, before: datetime) -> None:
        th = t.throttles
        with self.engine.begin() as conn:
            conn.execute(delete(th).where(th.c.window_start < before))
