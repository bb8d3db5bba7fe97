"""A send's pace: `[transport] rate_per_second` and `rate_per_hour`, shared by its workers.

Each worker (a process of `digest send --workers N`) keeps its share of the limits: a
token bucket for the per-second rate and an exact sliding one-hour window, seeded from
the ledger's `sent_at` stamps of the last hour, so that every run and every process
together stays within the hour's quota (see :meth:`RateLimiter.share`). This module
only computes delays; it does not sleep, send or touch the database.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import timedelta

from digest.config import TransportSettings
from digest.deliver.interfaces import Clock, Ledger


class RateLimiter:
    """One worker's pace: its share of `rate_per_second` as a token bucket (a burst of
    one, so messages go out evenly) and of `rate_per_hour` as a sliding one-hour window
    (exact: a bucket would let a fresh run send up to twice the quota in its first
    hour). `recent` seeds the window with the monotonic times of earlier sends."""

    HOUR = 3600.0

    def __init__(
        self,
        per_second: float | None,
        per_hour: int | None,
        *,
        recent: Sequence[float] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._rate = per_second
        self._tokens = 1.0
        self._last = clock()
        self._quota = per_hour
        self._window: deque[float] = deque(sorted(recent)[-per_hour:] if per_hour else ())

    @classmethod
    def share(
        cls,
        per_second: float | None,
        per_hour: int | None,
        *,
        index: int,
        workers: int,
        recent: Sequence[float] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> RateLimiter:
        """Worker `index`'s part of limits meant for the whole send."""
        second = per_second / workers if per_second else None
        hour = None
        if per_hour:
            hour = per_hour // workers + (1 if index < per_hour % workers else 0)
        return cls(second, hour, recent=list(recent)[index::workers], clock=clock)

    def _refill(self, now: float) -> None:
        if self._rate:
            self._tokens = min(1.0, self._tokens + (now - self._last) * self._rate)
            self._last = now

    def delay(self) -> float:
        """Seconds to wait before the next message may go (0: now)."""
        now = self._clock()
        wait = 0.0
        if self._rate:
            self._refill(now)
            if self._tokens < 1.0:
                wait = (1.0 - self._tokens) / self._rate
        if self._quota is not None:
            while self._window and self._window[0] <= now - self.HOUR:
                self._window.popleft()
            if self._quota <= 0:
                return float("inf")
            if len(self._window) >= self._quota:
                wait = max(wait, self._window[0] + self.HOUR - now)
        return wait

    def take(self) -> None:
        """Count one message as gone (call after `delay()` returned 0)."""
        now = self._clock()
        if self._rate:
            self._refill(now)
            self._tokens -= 1.0
        if self._quota is not None:
            self._window.append(now)


#: Reserves `span` seconds of the shared pace from wall-clock `now`; returns their start.
Reserve = Callable[[float, float], float]


class SharedPace:
    """`rate_per_second` for every process that sends, together: slots are reserved from
    one row in the database (`Store.reserve_pace`), a few at a time (at most a quarter
    second's worth, so a stopped worker leaves others waiting no longer than that).
    `local` keeps this worker's part of the hourly quota as before. Same interface as
    :class:`RateLimiter`; times are wall-clock (processes share no monotonic clock)."""

    def __init__(
        self,
        reserve: Reserve,
        per_second: float,
        local: RateLimiter,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._reserve, self._local, self._clock = reserve, local, clock
        self._interval = 1.0 / per_second
        self._chunk = max(1, min(50, int(per_second / 4)))
        self._slots: deque[float] = deque()

    def delay(self) -> float:
        wait = self._local.delay()
        now = self._clock()
        while self._slots and self._slots[0] < now - self._interval:
            self._slots.popleft()  # missed: never caught up on with a burst
        if not self._slots:
            start = self._reserve(self._chunk * self._interval, now)
            self._slots.extend(start + i * self._interval for i in range(self._chunk))
        return max(wait, self._slots[0] - now)

    def take(self) -> None:
        if self._slots:
            self._slots.popleft()
        self._local.take()


def worker_pace(
    policy: TransportSettings,
    recent: Sequence[float],
    reserve: Reserve | None,
    *,
    index: int,
    workers: int,
) -> RateLimiter | SharedPace:
    """Worker `index`'s pace under `policy`. With a shared `reserve` (the database),
    `rate_per_second` holds for every process together; the hourly quota is always this
    worker's share, its window seeded with `recent` (monotonic times of earlier sends)."""
    per_second, per_hour = policy.rate_per_second, policy.rate_per_hour
    if reserve is not None and per_second:
        local = RateLimiter.share(None, per_hour, index=index, workers=workers, recent=recent)
        return SharedPace(reserve, per_second, local)
    return RateLimiter.share(per_second, per_hour, index=index, workers=workers, recent=recent)


def seeded_pace(
    policy: TransportSettings,
    ledger: Ledger,
    clock: Clock,
    pace: Reserve | None,
    *,
    index: int,
    workers: int,
) -> RateLimiter | SharedPace:
    """A worker's pace (:func:`worker_pace`), its hourly window seeded from the ledger's
    sends of the last hour."""
    recent: list[float] = []
    if policy.rate_per_hour:
        now, mono = clock(), time.monotonic()
        since = now - timedelta(seconds=RateLimiter.HOUR)
        for at in ledger.sent_since(since, limit=policy.rate_per_hour):
            recent.append(mono - (now - at).total_seconds())
    return worker_pace(policy, recent, pace, index=index, workers=workers)
