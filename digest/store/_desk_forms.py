"""Desk forms refused, kept for the one page the redirect after them lands on.

An editor's words typed into a desk form that was refused ("Add a story" by hand: a
headline, a link, a summary, a source) are more than a session cookie carries, so the
desk keeps them here under a random token that only that editor's signed session holds
(:mod:`digest.web.desk_said`), and the edition page it redirects to takes them: read
once, then gone. Tokens are stored as SHA-256 digests; a row lives at most
:data:`FORM_LIFETIME`, and older ones go whenever a form is kept. Nothing here knows of
HTTP or cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select

from digest.store import schema as t
from digest.store._base import Base, storable, utc

#: How long a refused form waits for the page its redirect lands on.
FORM_LIFETIME = timedelta(hours=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class DeskFormsMixin(Base):
    def keep_form(self, editor_id: int, words: Mapping[str, str], *, now: datetime) -> str:
        """Keep `words` (field name -> text) for editor `editor_id`; the token to take
        them back with (:meth:`take_form`)."""
        token = secrets.token_urlsafe(24)
        forms = t.desk_forms
        with self.engine.begin() as conn:
            conn.execute(delete(forms).where(forms.c.created_at < now - FORM_LIFETIME))
            conn.execute(
                insert(forms).values(
                    token=_digest(token),
                    editor_id=editor_id,
                    words={str(k): storable(str(v)) for k, v in words.items()},
                    created_at=now,
                )
            )
        return token

    def take_form(self, token: str, editor_id: int, *, now: datetime) -> dict[str, str] | None:
        """The words kept under `token` for editor `editor_id`, deleted as they are read
        (None: taken already, too old, or another editor's)."""
        forms = t.desk_forms
        this = (forms.c.token == _digest(token), forms.c.editor_id == editor_id)
        with self.engine.begin() as conn:
            row = conn.execute(select(forms.c.words, forms.c.created_at).where(*this)).first()
            if row is None or not conn.execute(delete(forms).where(*this)).rowcount:
                return None  # none, or another request took it first
        created = utc(row.created_at)
        if created is None or created < now - FORM_LIFETIME:
            return None
        words = row.words if isinstance(row.words, dict) else {}
        return {str(k): str(v) for k, v in words.items()}
