"""The editor desk's blueprint: login, logout, and the guard in front of every desk page.

Every desk URL (`/editions...`, `/sources`, `/lists`) needs a logged-in editor: a GET
without one is sent to `/login?next=` (back to it after), anything else answers 401,
changes nothing, and shows a login link back to the page with the text the editor
typed (a session that ended mid-edit must not lose their words). A
login is a signed Flask session cookie (HttpOnly, SameSite=Lax, Secure behind https)
holding the editor's id and a stamp of their password hash, so a password reset or a
removed editor ends every session. Every form carries a CSRF token
(:mod:`digest.web.csrf`, scope "desk"; "login" for the login form); a form refused
with a 400 (its token expired while the page stayed open) shows the editor's words
back, as a 401 does. The cookie also
carries the editor's session generation, which logout bumps: a copy of the cookie
kept from before is logged out. Failed logins cost one password-hash check whether
or not the address exists. Every login attempt is counted in the database *before*
the hash is checked, per client (`[serve] login_client_limit`, 20) and per address
typed (`login_limit`, 5) in a fixed window (`login_window_seconds`, 15 minutes), so
parallel guesses from any number of processes get at most that many checks. A
successful login gives its attempt back to the client (only failures use up a
client's window) and clears the address's count; the per-address limit locks an
account for at most one window. The client is the peer address, or X-Forwarded-For
only when `[serve] proxies` says how many proxies to trust (an IPv6 client counts by
its /64), so behind a proxy each client has its own limit and a guesser elsewhere
does not use up the editor's.

Pages live in :mod:`digest.web.desk_pages`, form actions in
:mod:`digest.web.desk_actions` (both routes of this module's `bp`, which
:func:`digest.web.create_app` registers), the work on editions in
:mod:`digest.web.desk_edition`. This module must not render editions or change them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from digest.render.language import babel_locale
from digest.store._editors import Editor
from digest.times import wall_clock
from digest.web.common import client_key, refuse_nul, web
from digest.web.csrf import check_csrf

bp = Blueprint("desk", __name__)
bp.before_request(refuse_nul)  # a NUL in a filter or form: 400, not a 500

SCOPE = "desk"
_SESSION = "editor"
#: Endpoints of this blueprint that need no login.
_OPEN = frozenset({"desk.login"})
#: Desk pages: no script at all; frames only from this server (the previews).
DESK_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


#: Throttle scopes (rows in the `throttles` table, shared by every serve process).
LOGIN_CLIENT = "login:client"
LOGIN_ADDRESS = "login:address"


def _reserve_login(address: str, client: str, now: datetime) -> bool:
    """Count this attempt before the password hash is checked; False when the client or
    the address typed has used up its attempts for the window."""
    w = web()
    limits = w.app.settings.serve
    window = timedelta(seconds=limits.login_window_seconds)
    store = w.app.store
    # The client first: a client spraying many addresses never uses up their attempts.
    return store.reserve(
        LOGIN_CLIENT, client, limit=limits.login_client_limit, window=window, now=now
    ) and store.reserve(LOGIN_ADDRESS, address, limit=limits.login_limit, window=window, now=now)


def current_editor() -> Editor | None:
    """The logged-in editor of this request, or None."""
    if "editor" in g:
        found: Editor | None = g.editor
        return found
    editor = None
    value = session.get(_SESSION)
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], int):
        candidate = web().app.store.editor_by_id(value[0])
        if (
            candidate is not None
            and candidate.stamp == value[1]
            and candidate.generation == value[2]
        ):
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
    return _expired()


#: Form fields an editor types, shown back when their change was not stored (the session
#: ended before the POST, or someone else changed the edition).
_TYPED = {"title": "Headline", "summary": "Summary", "url": "Link", "source": "Source"}


def typed_words() -> list[tuple[str, str]]:
    """What the editor typed into this request's form, as (label, text) pairs."""
    return [
        (label, request.form.get(name, "")[:5000])
        for name, label in _TYPED.items()
        if request.form.get(name, "").strip()
    ]


def _expired() -> BaseResponse:
    """A POST without a login (the session expired or was ended mid-edit): nothing is
    changed, but the editor gets a way back (a login link that returns to the page) and
    the words they typed, rather than a bare error that loses both."""
    args = request.view_args or {}
    edition_id = args.get("edition_id")
    target = (
        url_for("desk.edition", edition_id=edition_id)
        if isinstance(edition_id, int)
        else url_for("desk.editions")
    )
    body = render_template("web/desk/expired.html", next=target, typed=typed_words(), editor=None)
    return make_response(body, 401)


@bp.errorhandler(400)
def _bad_form(exc: HTTPException) -> tuple[str, int]:
    """A refused desk form (its CSRF token expired while the page stayed open, say):
    nothing was changed, and the words the editor typed are shown with the way back to
    the edition, rather than only the reason."""
    edition_id = (request.view_args or {}).get("edition_id")
    typed = typed_words() if request.method == "POST" else []
    message = exc.description or ""
    if not typed or not isinstance(edition_id, int):
        return render_template("web/error.html", code=400, title=exc.name, message=message), 400
    body = render_template(
        "web/desk/conflict.html",
        heading="Not changed",
        message=message,
        edition_id=edition_id,
        typed=typed,
    )
    return body, 400


@bp.after_request
def _headers(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers.setdefault("Content-Security-Policy", DESK_CSP)
    return response


def _safe_next(value: str | None) -> str:
    """Only a path on this server (never `//host`, `https://...`, or a control character
    that could split the Location header)."""
    if (
        value
        and len(value) <= 2000
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and value.isprintable()
        and not any(c.isspace() for c in value)
    ):
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
        client = client_key()
        address = email.lower()
        if not _reserve_login(address, client, now):
            error = "Too many failed attempts. Wait a few minutes and try again."
            status = 429
        else:
            editor = w.app.store.check_editor(email, request.form.get("password", ""))
            if editor is None:
                error = "That address and password do not match an editor."
                status = 401
            else:
                # Only failures count: this attempt is given back to the client (a busy
                # newsroom behind one address logs in often), and the address's lockout ends.
                w.app.store.release(LOGIN_CLIENT, client)
                w.app.store.clear_throttle(LOGIN_ADDRESS, address)
                session.clear()  # a fresh session (and CSRF id) for the logged-in editor
                session.permanent = True
                session[_SESSION] = [editor.id, editor.stamp, editor.generation]
                return redirect(target, code=303)
    elif current_editor() is not None:
        return redirect(target, code=303)
    return render_template(
        "web/desk/login.html", error=error, email=email, next=target, editor=None
    ), status


@bp.route("/logout", methods=["POST"])
def logout() -> BaseResponse:
    check_csrf(SCOPE)
    editor = current_editor()
    if editor is not None:
        # Everywhere: a copy of this cookie (or any other of the editor's) stops working.
        web().app.store.end_sessions(editor.id)
    session.clear()
    return redirect(url_for("desk.login"), code=303)


def stamp(value: datetime | str | None, list_name: str | None = None) -> str:
    """A time as the editors of list `list_name` read it, on the list's clock (the
    project's for None: :meth:`~digest.config.Settings.zone`), the zone named:
    "5 Dec 2026, 00:30 CET". A local-delivery slot is a wall time, no instant: that
    time on each subscriber's own clock."""
    if not value:
        return ""
    when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if when.tzinfo is None and isinstance(value, str):
        return f"{when.day} {when:%b %Y, %H:%M} subscriber's local time"
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return wall_clock(when, web().app.settings.zone(list_name))


_ENGLISH = babel_locale("en")


def count(n: int, one: str, other: str) -> str:
    """`n` and the word for it, by the plural rules the newsletter's strings use (the
    desk is in English): "1 story", "0 stories", "2 stories"."""
    return f"{n} {one if _ENGLISH.plural_form(n) == 'one' else other}"


#: The ledger's row statuses in the order the desk counts them.
_LEDGER_ORDER = ("sent", "claimed", "failed", "unsendable", "bounced")


def ledger_words(
    ledger: dict[str, int], status: str, always: tuple[str, ...] = ()
) -> list[tuple[str, int, str]]:
    """An edition's delivery counts as (row status, count, the editor's words), in a
    fixed order; statuses with no rows left out unless named in `always`. A copy the
    ledger has `claimed` is "being sent" while the edition is sending, and "unfinished"
    once the send stopped (the next send finishes it); a `failed` one is tried again."""
    words = {
        "sent": "sent",
        "claimed": "being sent" if status == "sending" else "unfinished",
        "failed": "to retry",
        "unsendable": "not sent (no SMTPUTF8)",
        "bounced": "bounced",
    }
    known = [*_LEDGER_ORDER, *sorted(set(ledger) - set(_LEDGER_ORDER))]
    return [(k, ledger.get(k, 0), words.get(k, k)) for k in known if ledger.get(k) or k in always]
