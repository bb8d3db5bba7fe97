"""Editors: who may log in to the desk, with a salted, slow hash of each password.

Passwords are hashed with werkzeug's `generate_password_hash` (scrypt, a random salt
per hash) and never stored or returned in clear. :meth:`EditorsMixin.check_editor`
costs one hash check whether or not the address is known, so a failed login takes as
long for an unknown address as for a wrong password. Each editor has a session
generation, bumped at logout and at a password reset: the desk puts it in the session
cookie and refuses a cookie carrying an older one. Nothing here reads cookies.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from digest.errors import DigestError
from digest.store import schema as t
from digest.store._base import utc
from digest.store._throttles import ThrottlesMixin

#: Shortest password `add_editor` accepts.
MIN_PASSWORD = 10


@functools.cache
def dummy_hash() -> str:
    """Checked against when an address is unknown, so that both failures cost the same
    (made once per process; `digest serve` makes it before its first request)."""
    return _hash("digest: no such editor")


def _hash(password: str) -> str:
    # werkzeug (0.17 s to import) only when a password is set or checked: a collect or
    # a send opens the store without it.
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)


def _check(hashed: str, password: str) -> bool:
    from werkzeug.security import check_password_hash

    return check_password_hash(hashed, password)


class EditorError(DigestError):
    """An editor's address or password is not acceptable (the message says why)."""


@dataclass(frozen=True, slots=True)
class Editor:
    """Someone who may log in to the desk."""

    id: int
    email: str  # lower-cased
    created_at: datetime
    #: Changes whenever the password does: a session made before a reset stops working.
    stamp: str
    #: Bumped at logout and password reset: sessions made before stop working.
    generation: int = 0


def normalise_editor_email(email: str) -> str:
    value = email.strip().lower()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in value):
        raise EditorError(f"{email!r} is not an email address")
    if len(value) > 320:
        raise EditorError(f"{email[:40]}…: an address is at most 320 characters")
    return value


def _editor(row: Any) -> Editor:
    created = utc(row.created_at)
    assert created is not None
    stamp = hashlib.sha256(row.password_hash.encode()).hexdigest()[:16]
    return Editor(int(row.id), row.email, created, stamp, int(row.session_generation or 0))


class EditorsMixin(ThrottlesMixin):
    def add_editor(self, email: str, password: str, *, now: datetime) -> bool:
        """Create an editor or reset their password; True when the editor is new."""
        address = normalise_editor_email(email)
        if len(password) < MIN_PASSWORD:
            raise EditorError(
                f"{address}: the password is too short (at least {MIN_PASSWORD} characters)"
            )
        hashed = _hash(password)
        e = t.editors
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(e)
                .where(e.c.email == address)
                .values(password_hash=hashed, session_generation=e.c.session_generation + 1)
            ).rowcount
            if changed:
                return False
            conn.execute(insert(e).values(email=address, password_hash=hashed, created_at=now))
        return True

    def remove_editor(self, email: str) -> bool:
        address = email.strip().lower()
        with self.engine.begin() as conn:
            gone = conn.execute(delete(t.editors).where(t.editors.c.email == address)).rowcount
        return bool(gone)

    def editors(self) -> list[Editor]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.editors).order_by(t.editors.c.email))
            return [_editor(r) for r in rows]

    def editor_by_id(self, editor_id: int) -> Editor | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.editors).where(t.editors.c.id == editor_id)).first()
        return None if row is None else _editor(row)

    def end_sessions(self, editor_id: int) -> None:
        """Log the editor out everywhere: every session cookie made so far stops working."""
        e = t.editors
        with self.engine.begin() as conn:
            conn.execute(
                update(e)
                .where(e.c.id == editor_id)
                .values(session_generation=e.c.session_generation + 1)
            )

    def check_editor(self, email: str, password: str) -> Editor | None:
        """The editor when the password is theirs, else None (one hash check either way)."""
        address = email.strip().lower()[:320]
        with self.engine.connect() as conn:
            row = conn.execute(select(t.editors).where(t.editors.c.email == address)).first()
        hashed = row.password_hash if row is not None else dummy_hash()
        good = _check(hashed, password)
        return _editor(row) if row is not None and good else None
