"""What every blueprint shares: the request's :class:`Web` (the App and the clock), the
security headers, and the largest row id a URL may name.

A leaf of the web side: the blueprint modules import it, and :mod:`digest.web`
registers the blueprints; no blueprint module imports the package.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import abort, current_app, request

if TYPE_CHECKING:
    from digest.app import App

Clock = Callable[[], datetime]

#: Applied to every response unless a view set its own.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The pages' URLs carry subscriber tokens: never send them on as a Referer.
    "Referrer-Policy": "no-referrer",
}


#: The largest row id the databases store (PostgreSQL INTEGER); a larger id in a URL or
#: a token names nothing, and must not reach the database (it overflows there).
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Web:
    """What the views need: the wired newsletter and the clock."""

    app: App
    clock: Clock

    def now(self) -> datetime:
        return self.clock()


def web() -> Web:
    """The current request's :class:`Web` (inside a view)."""
    found = current_app.extensions["digest"]
    assert isinstance(found, Web)
    return found


def refuse_nul() -> None:
    """A 400 naming the field for a query or form value holding NUL (a blueprint's
    before_request). The desk and the archive look up or store what they are given,
    and on PostgreSQL (whose text cannot hold NUL) that was a 500 (DataError); the
    public pages clean what a visitor types instead (a name's NUL becomes a space)."""
    fields = [*request.args.items(multi=True), *(request.view_args or {}).items()]
    if request.method == "POST":
        fields += request.form.items(multi=True)
    for name, value in fields:
        if isinstance(value, str) and "\x00" in value:
            abort(400, f"The field {name[:40]!r} holds a NUL character (U+0000).")


__all__ = ["MAX_ROW_ID", "SECURITY_HEADERS", "Clock", "Web", "refuse_nul", "web"]
