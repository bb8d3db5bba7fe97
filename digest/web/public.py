"""The subscriber's endpoints: unsubscribe, preferences, confirmation, subscribe form.

Every link a subscriber gets carries a signed token for one purpose; a tampered
token, a token made for another purpose, or one for a subscriber who no longer
exists gets a 404 and changes nothing (but a one-click unsubscribe, below).

- `/u/<token>`: GET shows one button and changes nothing (link scanners prefetch
  it); POST with `List-Unsubscribe=One-Click` (RFC 8058; form-encoded or multipart,
  as mail providers and the button send it) unsubscribes and answers 200 without a
  redirect. It needs no cookie and no CSRF token: the URL's signature is the proof.
  Repeating it changes nothing and still answers 200, as does the POST of a
  subscription erased since (`forget`): the state it asks for holds. Once the address
  is unsubscribed (or bounced, complained), the GET shows that, with the link to
  subscribe again when the preferences page allows it.
- `/c/<token>`: GET shows a confirm button, POST confirms (pending -> active). A GET
  must not confirm: scanners that open every link would confirm subscriptions someone
  else typed in for an address, which double opt-in exists to prevent. The token
  carries when it was made; after `CONFIRM_FOR` (7 days) the page is a 410 that says
  so and links to the form, which sends a new one. A link of a list since removed from
  the configuration confirms nothing (410: that list is no longer sent). The first
  confirmation mails the welcome off the request (digest.subscribers.welcome).
- `/p/<token>`: the preferences form (sections, plain text, time zone, pause); CSRF
  protected; saving takes effect for the next send. An unsubscribed reader can
  subscribe again there (the page after a one-click unsubscribe links to it); a
  bounced or complained address cannot, nor one that bounced on another list, nor on
  a list no longer configured.
- `/subscribe`: the public form (CSRF protected); pending plus a confirmation email,
  unless the list has `double_opt_in = false` (then active, and welcomed). It never
  reveals whether an address was known, and never revives an unsubscribed, bounced,
  complained or forgotten one. The request does the same steps for every address
  (check the form, count the attempt per client and per address in the database,
  `[serve] subscribe_*` limits, 429 beyond them);
  the subscription and its confirmation mail are made off the request, in one
  background thread, so neither the answer nor its timing tells a known address from
  a new one. The visitor's name is cut to 200 characters and loses control characters.
  (An unsubscribed reader comes back through a link we mailed them, the preferences
  page, not the form: the form cannot prove the address is the visitor's, and an
  address that left gets no mail, not even a confirmation, until its owner asks.)

A token or URL id beyond any row id (see :data:`digest.web.MAX_ROW_ID`) is a 404.
Every word a page adds is `t(...)`/:func:`~digest.web.common.text`, in the newsletter's
language (:data:`digest.render.page_strings.PAGE_STRINGS`).

Views do no SQL and build no messages themselves; they go through the store and
:mod:`digest.subscribers`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

from flask import (
    Blueprint,
    Response,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from digest.app import App
from digest.errors import ConfigError, DigestError, SubscriberError
from digest.records import SUPPRESSED, TEST_COPY, Subscriber
from digest.sections import spelled
from digest.store import OWN_CHOICE
from digest.subscribers import MAX_NAME, check_timezone, mailbox_key, normalise_email, subscribe
from digest.subscribers.addresses import one_line
from digest.subscribers.confirm import CONFIRM_FOR
from digest.subscribers.welcome import welcome_job
from digest.tokens import BadToken, Purpose
from digest.web.background import Background
from digest.web.common import MAX_ROW_ID, client_key, text, web
from digest.web.csrf import check_csrf, csrf_problem
from digest.web.stale_key import refuse_link

log = logging.getLogger(__name__)

bp = Blueprint("public", __name__)


@bp.after_request
def _no_store(response: Response) -> Response:
    # Pages behind a subscriber's token are personal: no shared cache keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _subscriber(purpose: Purpose, token: str) -> Subscriber:
    try:
        subscriber_id = web().app.tokens.read(purpose, token)
    except BadToken:
        refuse_link()
    return _row(subscriber_id)


def _row(subscriber_id: int) -> Subscriber:
    w = web()
    if subscriber_id == TEST_COPY:  # a test copy's link (the desk's "Send a test")
        title, message = text("link.test_title"), text("link.test")
        abort(make_response(_page("web/error.html", title=title, message=message)))
    if not 0 < subscriber_id <= MAX_ROW_ID:  # signed, but for no row there can be
        abort(404, text("link.gone"))
    sub = w.app.store.subscriber_by_id(subscriber_id)
    if sub is None:
        abort(404, text("link.gone"))
    return sub


def _list_title(list_name: str) -> str:
    news = web().app.settings.newsletter
    try:
        return web().app.settings.list(list_name).title or news.name
    except ConfigError:
        return news.name


def _list_gone(list_name: str) -> bool:
    """True for a list no longer in the configuration: nothing of it is sent any more,
    so its links must not confirm, rejoin or promise the next edition."""
    try:
        web().app.settings.list(list_name)
    except ConfigError:
        return True
    return False


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


# -- unsubscribe: the routes are digest.web.unsubscribe's ---------------------------------
def _can_rejoin(sub: Subscriber) -> bool:
    """Whether `sub` may subscribe again from their preferences page (:func:`_rejoin`)."""
    if sub.status != "unsubscribed" or _list_gone(sub.list):
        return False
    return not web().app.store.bounced([sub.email])


# -- double opt-in ----------------------------------------------------------------------
@bp.route("/c/<token>", methods=["GET", "POST"])
def confirm(token: str) -> tuple[str, int]:
    w = web()
    try:
        subscriber_id, issued = w.app.tokens.read_dated("confirm", token)
    except BadToken:
        refuse_link()
    sub = _row(subscriber_id)
    now = w.now()
    gone = _list_gone(sub.list)
    # A link made before links carried their time has no age: it is expired too.
    expired = sub.status == "pending" and (issued is None or now - issued > CONFIRM_FOR)
    done = False
    if request.method == "POST" and not (expired or gone):
        welcome = w.app.settings.list(sub.list).welcome
        done = w.app.store.confirm(sub.id, welcome=welcome, now=now)  # once: pending only
        if done and welcome and not _background().submit(welcome_job(w.app, sub.id, now)):
            log.error("confirm: queue full; the welcome to list %s is left due", sub.list)
        sub = w.app.store.subscriber_by_id(sub.id) or sub
    return _page(
        "web/confirm.html",
        410 if expired or gone else 200,
        subscriber=sub,
        list_title=_list_title(sub.list),
        done=done,
        expired=expired,
        gone=gone,
        days=CONFIRM_FOR.days,
        subscribe_url=url_for(".subscribe_form", list=sub.list),
        preferences_url=url_for(".preferences", token=w.app.tokens.make("preferences", sub.id)),
    )


# -- preferences ------------------------------------------------------------------------
def _sections() -> list[str]:
    """The sections subscribers can choose: the configured sources' sections, in order."""
    return list(web().app.settings.sections)


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


@bp.route("/p/<token>", methods=["GET", "POST"])
def preferences(token: str) -> tuple[str, int] | BaseResponse:
    sub = _subscriber("preferences", token)
    w = web()
    scope = f"preferences:{sub.id}"
    sections = _sections()
    lst_tz = "UTC"
    with contextlib.suppress(ConfigError):
        lst_tz = w.app.settings.list(sub.list).timezone
    mine = spelled(sub.sections, sections)  # as stored before imports checked: any case
    chosen = [s for s in sections if not sub.sections or s in mine]
    values: dict[str, Any] = {
        "sections": chosen,
        "text_only": sub.format == "text",
        "timezone": sub.timezone or "",
        "paused": w.app.store.is_paused(sub.id),
    }
    # Each error by the field it is about: the page ties the message to that field.
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and request.form.get("action") == "rejoin":
        check_csrf(scope)
        rejoined = _rejoin(sub)
        return redirect(url_for(".preferences", token=token, rejoined=int(rejoined)), code=303)
    if request.method == "POST" and sub.status in SUPPRESSED:
        check_csrf(scope)  # a save from a page left open: mail is not coming, nothing saved
        return redirect(url_for(".preferences", token=token), code=303)
    if request.method == "POST":
        check_csrf(scope)
        form = request.form
        values = {
            "sections": [s for s in sections if s in form.getlist("section")],
            "text_only": form.get("format") == "text",
            "timezone": form.get("timezone", "").strip(),
            "paused": form.get("delivery") == "paused",
        }
        if sections and not values["sections"]:
            errors["section"] = text("prefs.no_section")
        if values["timezone"]:
            try:
                check_timezone(values["timezone"])
            except SubscriberError:
                errors["timezone"] = text("prefs.bad_timezone")
        if not errors:
            everything = set(values["sections"]) == set(sections)
            w.app.store.set_preferences(
                sub.id,
                # Every section ticked is stored as "all", so new sections arrive too.
                sections=() if everything else values["sections"],
                format="text" if values["text_only"] else "html",
                timezone=values["timezone"] or None,
                paused=values["paused"],
                origin=OWN_CHOICE,  # the reader's own: an import never undoes it
                now=w.now(),
            )
            return redirect(url_for(".preferences", token=token, saved=1), code=303)
        status = 400
    return _page(
        "web/preferences.html",
        status,
        subscriber=sub,
        list_title=_list_title(sub.list),
        scope=scope,
        all_sections=sections,
        values=values,
        zones=_zones(),
        list_timezone=lst_tz,
        errors=errors,
        saved=request.method == "GET" and request.args.get("saved") == "1",
        rejoined=request.args.get("rejoined"),
        gone=_list_gone(sub.list),
        ended=sub.status in SUPPRESSED,
        can_rejoin=_can_rejoin(sub),
        unsubscribe_url=url_for(".unsubscribe", token=w.app.tokens.make("unsubscribe", sub.id)),
    )


def _rejoin(sub: Subscriber) -> bool:
    """Make an unsubscribed reader active again, at their own request through a link
    we mailed them (which proves the mailbox is theirs): no mail goes to an address that
    left until its owner asks. Never a bounced or complained one, nor an address that
    bounced on another list, nor to a list no longer sent. True if the status changed."""
    w = web()
    if not _can_rejoin(sub):
        return False
    return w.app.store.set_status(
        sub.id,
        "active",
        origin="web:preferences",
        detail="subscribed again",
        now=w.now(),
        only_from=("unsubscribed",),
    )


# -- subscribe --------------------------------------------------------------------------
SUBSCRIBE_CLIENT = "subscribe:client"
SUBSCRIBE_ADDRESS = "subscribe:address"


@bp.record_once
def _start(state: Any) -> None:
    state.app.extensions["digest.subscribe_jobs"] = Background()


def _background() -> Background:
    from flask import current_app

    found = current_app.extensions["digest.subscribe_jobs"]
    assert isinstance(found, Background)
    return found


def visitor_name(value: str) -> str:
    """A name typed into the form: control and format characters become spaces,
    whitespace is folded, and it is cut to the longest name stored."""
    spaced = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in value[:2000])
    return one_line(spaced)[:MAX_NAME]


def _make_subscription(
    app: App, list_name: str, email: str, name: str, now: datetime
) -> Callable[[], None]:
    def job() -> None:
        try:
            # A reader's own sign-up: confirmed by mail unless the list has
            # double_opt_in = false, else welcomed at once.
            subscribe(app, list_name, email, name, origin="web:subscribe", now=now, form=True)
        except DigestError as exc:  # a refused name, a transport failure: nothing to show
            log.warning("subscription to list %s not completed: %s", list_name, exc)

    return job


def _allowed(email: str, now: datetime) -> bool:
    """Count this post per client and per address; False beyond either limit."""
    w = web()
    limits = w.app.settings.serve
    window = timedelta(seconds=limits.subscribe_window_seconds)
    store = w.app.store
    return store.reserve(
        SUBSCRIBE_CLIENT, client_key(), limit=limits.subscribe_client_limit, window=window, now=now
    ) and store.reserve(
        SUBSCRIBE_ADDRESS,
        mailbox_key(email),
        limit=limits.subscribe_address_limit,
        window=window,
        now=now,
    )


@bp.route("/subscribe", methods=["GET", "POST"])
def subscribe_form() -> tuple[str, int]:
    w = web()
    lists = w.app.settings.lists
    titles = {lst.name: lst.title or w.app.settings.newsletter.name for lst in lists}
    values = {
        "list": request.values.get("list", lists[0].name),
        "email": request.form.get("email", "").strip()[:320],
        "name": visitor_name(request.form.get("name", "")),
    }
    if values["list"] not in titles:
        abort(404, text("link.no_list"))

    def form(errors: dict[str, str], status: int) -> tuple[str, int]:
        return _page(
            "web/subscribe.html", status, lists=titles, values=values, errors=errors, done=None
        )

    if request.method in ("GET", "HEAD"):
        return form({}, 200)
    if csrf_problem("subscribe"):  # a stale form: again, filled in, with a fresh token
        return form({"form": text("form.stale")}, 400)
    try:
        email = normalise_email(values["email"])
    except SubscriberError as exc:
        return form({"email": text("subscribe.email_invalid", reason=exc)}, 400)
    now = w.now()
    if not _allowed(email, now):
        return form({"form": text("subscribe.too_many")}, 429)
    job = _make_subscription(w.app, values["list"], email, values["name"], now)
    if not _background().submit(job):
        log.error("subscribe: the background queue is full")
        return form({"form": text("subscribe.busy")}, 503)
    lst = w.app.settings.list(values["list"])
    done = "confirm" if lst.confirms(form=True) else "subscribed"
    # The same answer, after the same steps, whether or not the address was known.
    return _page("web/subscribe.html", lists=titles, values=values, errors={}, done=done)
