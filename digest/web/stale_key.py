"""A link that does not verify, told apart from a process that missed a key rotation.

A process reads its keys once, at its start (digest.app.App.keys). After `digest keys
rotate`, or a rotation made in the environment that the next command records, mail
signed with the new key goes out while a `digest serve` not yet restarted cannot read
its links: it answered them 404 "This link is not valid", and an RFC 8058 one-click
unsubscribe, which a mail provider does not retry after a 404, was lost.

So a token that does not verify is checked against the database's record of keys
(digest.store._keyprints, fingerprints only): when the database's signing key is none
of this process's keys, the process is out of date, not the link. It answers 503 with
Retry-After (a provider retries a one-click POST; a reader is told to try again) and
logs that it must be restarted. This is safe: the record changes only by a rotation,
never by a request, and a process that holds the signing key answers a bad link 404
as before. Only links that fail pay for the one small read.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from flask import abort
from werkzeug.exceptions import ServiceUnavailable

from digest import keys
from digest.web.common import text, web

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before it tries the link again.
RETRY_AFTER = 120


def missed_rotation() -> str | None:
    """The database's signing key's fingerprint when this process does not hold it (a
    rotation since it started), else None."""
    app = web().app
    held = {keys.fingerprint(k) for k in app.keys.all}
    roles = app.store.key_roles()
    newest = next((r.fingerprint for r in roles.values() if r.role == "current"), None)
    return newest if newest is not None and newest not in held else None


def refuse_link() -> NoReturn:
    """Answer a token that does not verify: 503 (try again) when this process missed a
    key rotation, else 404 "This link is not valid"."""
    newest = missed_rotation()
    if newest is not None:
        log.warning(
            "a link did not verify and the database signs with key %s, which this process "
            "does not hold (a key rotation since it started): restart it; answering 503",
            newest[:12],
        )
        raise ServiceUnavailable(text("link.restarting"), retry_after=RETRY_AFTER)
    abort(404, text("link.invalid"))
