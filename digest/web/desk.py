"""The editor desk's blueprint: login, logout, and the guard in front of every desk page.

Every desk URL (`/editions...`, `/sources`, `/lists`) needs a logged-in editor: a GET
without one is sent to `/login`, anything else answers 401 and changes nothing. A
login is a signed Flask session cookie (HttpOnly, SameSite=Lax, Secure behind https)
holding the editor's id and a stamp of their password hash, so a password reset or a
removed editor ends every session. Every form carries a CSRF token
(:mod:`digest.web.csrf`, scope "desk"; "login" for the login form). Failed logins
cost one password-hash check whether or not the address exists, and an address or a
client that fails too often (5 and 20 times) is refused for the next 15 minutes.

Pages live in :mod:`digest.web.desk_pages`, form actions in
:mod:`digest.web.desk_actions`, the work on editions in :mod:`digest.web.desk_edition`.
This module must not render editions or change them.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from digest.codec import iso, parse_iso
from digest.store._editors import Editor, dummy_hash
from digest.web import web
from digest.web.csrf import check_csrf

bp = Blueprint("desk", __name__)

SCOPE = "desk"
_SESSION = "editor"
#: Endpoints of this blueprint that need no login.
_OPEN = frozenset({"desk.login"})
#: Desk pages: no script at all; frames only from this server (the previews).
DESK_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class LoginLimiter:
    """Failed logins in a sliding window, per address typed and per client address."""

    def __init__(
        self,
        per_address: int = 5,
        per_client: int = 20,
        window: timedelta = timedelta(minutes=15),
    ) -> None:
        self.limits = {"address": per_address, "client": per_client}
        self.window = window
        self._failures: dict[tuple[str, str], deque[datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, client: str) -> list[tuple[str, str]]:
        return [("address", address.strip().lower()), ("client", client)]

    def _recent(self, key: tuple[str, str], now: datetime) -> deque[datetime]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, address: str, client: str, now: datetime) -> bool:
        with self._lock:
            return any(
                len(self._recent(key, now)) >= self.limits[key[0]]
                for key in self._keys(address, client)
            )

    def failed(self, address: str, client: str, now: datetime) -> None:
        with self._lock:
            for key in self._keys(address, client):
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(address, "")[0], None)


def limiter() -> LoginLimiter:
    from flask import current_app

    found = current_app.extensions["digest.login_limiter"]
    assert isinstance(found, LoginLimiter)
    return found


def current_editor() -> Editor | None:
    """The logged-in editor of this request, or None."""
    if "editor" in g:
        found: Editor | None = g.editor
        return found
    editor = None
    value = session.get(_SESSION)
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int):
        candidate = web().app.store.editor_by_id(value[0])
        if candidate is not None and candidate.stamp == value[1]:
            editor = candidate
    g.editor = editor
    return editor


@bp.before_request
def _guard() -> BaseResponse | None:
    if request.endpoint in _OPEN or current_editor() is not None:
        return None
    if request.method in ("GET", "HEAD"):
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("desk.login", next=target), code=303)
    abort(401, "Log in to the editor desk first.")


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", DESK_CSP)
    return response


def _safe_next(value: str | None) -> str:
    """Only a path on this server (never `//host` or `https://...`)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        parts = urlsplit(value)
        if not parts.scheme and not parts.netloc:
            return value
    return url_for("desk.editions")


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | tuple[str, int]:
    error = None
    status = 200
    email = request.form.get("email", "").strip()[:320]
    target = _safe_next(request.values.get("next"))
    if request.method == "POST":
        check_csrf("login")
        w = web()
        now = w.now()
        client = request.remote_addr or ""
        if limiter().blocked(email, client, now):
            error = "Too many failed attempts. Wait a few minutes and try again."
            status = 429
        else:
            editor = w.app.store.check_editor(email, request.form.get("password", ""))
            if editor is None:
                limiter().failed(email, client, now)
                error = "That address and password do not match an editor."
                status = 401
            else:
                limiter().succeeded(email)
                session.clear()  # a fresh session (and CSRF id) for the logged-in editor
                session.permanent = True
                session[_SESSION] = [editor.id, editor.stamp]
                return redirect(target, code=303)
    elif current_editor() is not None:
        return redirect(target, code=303)
    return render_template(
        "web/desk/login.html", error=error, email=email, next=target, editor=None
    ), status


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    check_csrf(SCOPE)
    session.clear()
    return redirect(url_for("desk.login"), code=303)


def stamp(value: datetime | str | None) -> str:
    """A time as editors read it: "27 Nov 2026, 06:00 UTC"."""
    when = parse_iso(value) if isinstance(value, str) else value
    if when is None:
        return ""
    when = when.astimezone(UTC)
    return f"{when.day} {when:%b %Y, %H:%M} UTC"


def register(flask_app: Flask) -> None:
    """Add the desk and the public archive to the app (called by `create_app`)."""
    from digest.web import archive, desk_actions, desk_pages

    assert desk_actions and desk_pages  # their routes are on `bp`
    flask_app.extensions["digest.login_limiter"] = LoginLimiter()
    dummy_hash()  # so that the first failed login costs what every other one does
    flask_app.jinja_env.globals["desk_editor"] = current_editor
    flask_app.jinja_env.filters["stamp"] = stamp
    flask_app.jinja_env.filters["iso"] = iso
    flask_app.register_blueprint(bp)
    flask_app.register_blueprint(archive.bp)
