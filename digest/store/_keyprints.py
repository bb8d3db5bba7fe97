"""The fingerprints of the keys that sign subscribers' links (never the keys).

One row per key ever recorded: the one `current` key that signs, the `old` ones that
still verify (a rotation's grace window), the `retired` ones. :meth:`admit_key` decides
whether a process's keys may sign: a known key with one read; else under a lock
(PostgreSQL: an advisory lock; SQLite: the write lock), recording the first key of a
project and a rotation made in the environment. What a refusal says is
:mod:`digest.keyguard`'s; nothing here reads a key file or the environment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, insert, select, text, update

from digest.store import schema as t
from digest.store._base import Base, utc

Role = Literal["current", "old", "retired"]
#: The PostgreSQL advisory lock held while the roles are read and changed.
KEYS_LOCK = 0x6B657973  # "keys"


@dataclass(frozen=True, slots=True)
class KeyRole:
    """What the database records of one key."""

    fingerprint: str  # digest.keys.fingerprint of the key, hex
    role: Role  # current: signs; old: still verifies; retired: no longer verifies
    since: datetime  # when it took this role


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a process's keys may sign, and what the database records instead."""

    admitted: bool
    change: Literal["known", "first", "rotated", "refused"]
    mine: KeyRole | None  # the process's signing key's row (None: not recorded)
    current: KeyRole | None  # the database's signing key (before a rotation recorded)


class KeyprintsMixin(Base):
    def key_roles(self) -> dict[str, KeyRole]:
        """Every recorded key by fingerprint."""
        with self.engine.connect() as conn:
            return _roles(conn)

    def has_signed(self) -> bool:
        """Whether links signed with some key may have gone out: a key is recorded, or
        (a database from before the record) an edition or a welcome was sent."""
        s = t.subscribers
        with self.engine.connect() as conn:
            for query in (
                select(t.signing_keys.c.fingerprint).limit(1),
                select(t.deliveries.c.id).limit(1),
                select(s.c.id).where(s.c.welcome.in_(("sending", "sent", "failed"))).limit(1),
            ):
                if conn.execute(query).first() is not None:
                    return True
        return False

    def admit_key(self, current: str, old: Sequence[str], *, now: datetime) -> Admission:
        """May a process whose keys have these fingerprints (`current` signs) sign?

        Yes when `current` is recorded as the current or an old key; when nothing is
        recorded yet (it is recorded then, `old` as old); and when `old` holds the
        recorded current key: a rotation made in the environment or the key file
        (recorded: `current` signs now, the previous one is old). Else no."""
        with self.engine.connect() as conn:  # the usual answer, without the write lock
            mine = _roles(conn).get(current)
        if mine is not None and mine.role != "retired":
            return Admission(True, "known", mine, None)
        with self._locked() as conn:
            roles = _roles(conn)
            mine = roles.get(current)
            newest = next((r for r in roles.values() if r.role == "current"), None)
            if mine is not None and mine.role != "retired":
                return Admission(True, "known", mine, newest)
            if not roles:
                rows = [{"fingerprint": current, "role": "current", "since": now}]
                rows += [{"fingerprint": f, "role": "old", "since": now} for f in old]
                conn.execute(insert(t.signing_keys), _unique(rows))
                return Admission(True, "first", None, None)
            if mine is None and newest is not None and newest.fingerprint in old:
                _make_current(conn, current, roles, now)
                return Admission(True, "rotated", None, newest)
            return Admission(False, "refused", mine, newest)

    def record_rotation(self, current: str, *, now: datetime) -> None:
        """`current` signs from now on; the key that signed until now verifies (old)."""
        with self._locked() as conn:
            _make_current(conn, current, _roles(conn), now)

    def record_retirement(self, *, now: datetime) -> int:
        """The old keys no longer verify: how many were retired."""
        k = t.signing_keys
        with self._locked() as conn:
            done = conn.execute(
                update(k).where(k.c.role == "old").values(role="retired", since=now)
            )
            return int(done.rowcount)

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        """A transaction that holds the key roles' lock until it ends."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KEYS_LOCK})
            elif conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn


def _roles(conn: Connection) -> dict[str, KeyRole]:
    k = t.signing_keys
    rows = conn.execute(select(k.c.fingerprint, k.c.role, k.c.since))
    return {r.fingerprint: KeyRole(r.fingerprint, r.role, utc(r.since) or r.since) for r in rows}


def _unique(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    seen: dict[object, dict[str, object]] = {}
    for row in rows:
        seen.setdefault(row["fingerprint"], row)
    return list(seen.values())


def _make_current(conn: Connection, current: str, roles: dict[str, KeyRole], now: datetime) -> None:
    k = t.signing_keys
    conn.execute(update(k).where(k.c.role == "current").values(role="old", since=now))
    if current in roles:
        conn.execute(update(k).where(k.c.fingerprint == current).values(role="current", since=now))
    else:
        conn.execute(insert(k).values(fingerprint=current, role="current", since=now))
