"""What every blueprint shares: the request's :class:`Web` (the App and the clock), the
security headers, and the largest row id a URL may name.

A leaf of the web side: the blueprint modules import it, and :mod:`digest.web`
registers the blueprints; no blueprint module imports the package.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import abort, current_app, has_request_context, request

if TYPE_CHECKING:
    from digest.app import App
    from digest.render.language import Strings

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


#: Blueprints whose pages are English whatever the newsletter's language: the editor
#: desk and the providers' webhooks (read by the newsroom and by machines).
ENGLISH_BLUEPRINTS = frozenset({"desk", "hooks"})
#: `app.extensions` key of the page strings: (the newsletter's language's, English).
STRINGS_KEY = "digest.strings"


def _english_page() -> bool:
    return has_request_context() and request.blueprint in ENGLISH_BLUEPRINTS


def text(key: str, **fields: object) -> str:
    """A fixed string of the page being answered (`t(...)` in the web templates), from
    :data:`digest.render.page_strings.PAGE_STRINGS`: in the newsletter's language on a
    subscriber's pages, the archive and an address no route knows; English on the desk."""
    strings: tuple[Strings, Strings] = current_app.extensions[STRINGS_KEY]
    return strings[1 if _english_page() else 0](key, **fields)


def has_text(key: str) -> bool:
    return key in current_app.extensions[STRINGS_KEY][1]


def page_language() -> str:
    """The `lang` of the page being answered: the language its fixed strings are in."""
    return "en" if _english_page() else web().app.settings.newsletter.language


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
            abort(400, text("form.nul", field=repr(name[:40])))


def client_key() -> str:
    """The client a throttle counts: the peer address (X-Forwarded-For's only through
    ProxyFix, when `[serve] proxies` says so), an IPv6 address by its /64. One host or
    customer is given a whole /64, so counting each of its 2**64 addresses apart let
    one client pose as any number of them."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


__all__ = [
    "ENGLISH_BLUEPRINTS",
    "MAX_ROW_ID",
    "SECURITY_HEADERS",
    "Clock",
    "Web",
    "client_key",
    "has_text",
    "page_language",
    "refuse_nul",
    "text",
    "web",
]
