"""CSRF protection for browser forms: a signed token bound to the browser's session.

`csrf_field(scope)` (a template global) puts a hidden field in a form; `check_csrf(scope)`
in the view that receives it aborts with 400 unless the field carries a token signed
with the app's secret key, made for the same scope, for the same browser session, and
less than `MAX_AGE` seconds old. The session holds only a random id. Views that are
authenticated by a signed token in their URL and must work without cookies (the
RFC 8058 one-click unsubscribe) do not use this. No new dependency: itsdangerous.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape

from digest.netaddr import is_loopback_host
from digest.web.common import text, web

FIELD = "csrf_token"
MAX_AGE = 6 * 3600  # seconds a form stays valid
_SESSION_KEY = "csrf"


def _serializer() -> URLSafeTimedSerializer:
    secret = current_app.secret_key
    if not secret:
        raise RuntimeError("the Flask app has no secret key; CSRF tokens cannot be signed")
    return URLSafeTimedSerializer(secret, salt="digest.csrf")


def csrf_token(scope: str = "") -> str:
    """A token for a form of this scope (e.g. "subscribe", "preferences:12")."""
    sid = session.get(_SESSION_KEY)
    if not isinstance(sid, str):
        sid = session[_SESSION_KEY] = secrets.token_urlsafe(18)
    token = _serializer().dumps([sid, scope])
    assert isinstance(token, str)
    return token


def csrf_field(scope: str = "") -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD, escape(csrf_token(scope))
    )


def check_csrf(scope: str = "") -> None:
    """Abort with 400 unless the submitted form carries a valid token for `scope`."""
    if problem := csrf_problem(scope):
        abort(400, text(problem, base_url=web().app.settings.newsletter.base_url))


def csrf_problem(scope: str = "") -> str | None:
    """Why the submitted form's token is not valid for `scope` (the key of the words
    that say so: "form.no_session", "form.expired", "form.foreign"), or None. For a
    view that answers a stale form with the form again, filled in as it came."""
    token = request.form.get(FIELD, "")
    sid = session.get(_SESSION_KEY)
    if not token or not isinstance(sid, str):
        return "form.needs_https" if _secure_cookie_dropped() else "form.no_session"
    try:
        value = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return "form.expired"
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not hmac.compare_digest(str(value[0]), sid)
        or value[1] != scope
    ):
        return "form.foreign"
    return None


def _secure_cookie_dropped() -> bool:
    """Whether a missing session cookie is one the browser could not keep: the cookie is
    marked Secure (`base_url` is https) and this request came over plain HTTP to a host
    other than loopback (browsers keep a Secure cookie only over HTTPS, or on
    localhost). Reloading never helps there; reaching the desk over HTTPS does."""
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    host = urlsplit(f"//{request.host}").hostname or ""
    return secure and not request.is_secure and not is_loopback_host(host)


def init_app(web: Flask) -> None:
    web.jinja_env.globals["csrf_field"] = csrf_field
    web.jinja_env.globals["csrf_token"] = csrf_token
