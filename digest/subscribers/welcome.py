"""The welcome message after a subscriber's first confirmation (double opt-in) or
sign-up on the subscribe form (single opt-in): what they signed up for, when editions
come on the list's clock, the latest edition in the archive, how to change their
choices and how to leave.

It is sent once: the confirmation makes it due in the same UPDATE
(:meth:`digest.store.Store.confirm`), a single opt-in sign-up in an UPDATE of a
subscriber who never had one (:meth:`~digest.store.Store.welcome_due`; an import or an
operator's add never does), and a sender claims it before handing it over
(:meth:`~digest.store.Store.claim_welcome`), so a second click, a retried request or a
second server sends none. A transport that refuses it (after `[transport] retries`
quick retries of a transient failure) leaves it `failed`: logged with the list's name
and the subscriber's id (never the address: the transport's reason names it, and is
logged without it), noted in the subscriber's history. `digest run` tries it again
(:func:`retry_failed_welcomes`) once each wait of :data:`RETRY_WAITS` after the last
attempt is over, claiming it each time, until it was tried :data:`ATTEMPTS` times; the
last failure is logged once as the last. `digest subscribers welcome --list L`
(:func:`send_due_welcomes`) sends a due or failed one whatever its attempts. A welcome
left `sending` (its sender died after the claim, perhaps after handing it over) is
never tried again: a reader may miss it, never get it twice. A list with `welcome =
false` makes none due, and retries none.

Headers as an edition has them (digest.message): From and Reply-To, List-Id,
List-Unsubscribe with the signed one-click link and List-Unsubscribe-Post, each made
with :mod:`digest.headers`, which refuses a value with a line break (DeliveryError)
rather than let it add a header. In the newsletter's language, multipart/alternative as
an edition is: the plain text format=flowed by the edition's own functions
(digest.render.text.flowed_part, digest.message.alternative), then HTML from the
theme's `web/welcome-email.html` with the edition's stylesheet, inlined as the
edition's is (digest.render.inline). Renders no edition; opens one SMTP connection per
message (digest.deliver.mail.send_one).
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Literal

from digest.errors import DeliveryError, DigestError
from digest.records import Subscriber

if TYPE_CHECKING:
    from digest.app import App

#: What one `send_welcome` did: handed over, refused by the transport (or a header
#: value with a line break), or nothing (none to claim: another sender has it, it went).
Outcome = Literal["sent", "failed", "none"]

log = logging.getLogger(__name__)

#: The edition statuses the archive lists (digest.web.archive.LISTED, and REACHED: a
#: send cancelled after it reached readers): the latest of these is linked.
ARCHIVED, REACHED = ("sent",), ("cancelled",)

#: How long `digest run` waits after a failed attempt before the next: after the first
#: (at the confirmation) 15 minutes, then 1, 4 and 12 hours (about 17 hours in all).
RETRY_WAITS = (
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
)
#: The attempts `digest run` makes in all; after the last, the welcome stays failed.
ATTEMPTS = len(RETRY_WAITS) + 1
#: The most welcomes one tick of one list tries again (the rest: the next minute's).
RETRIES_PER_TICK = 20


def welcome_message(app: App, subscriber: Subscriber, *, now: datetime) -> bytes:
    """The welcome message for `subscriber`, as bytes ready to send (DKIM-signed by
    :func:`digest.deliver.mail.send_one`). DeliveryError when a header value (from the
    configuration or the address) holds a line break."""
    from digest.headers import (
        address_line,
        domain_of,
        format_address,
        header_line,
        list_id_line,
        unsubscribe_value,
    )
    from digest.message import alternative

    news = app.settings.newsletter
    lst = app.settings.list(subscriber.list)
    title = lst.title or news.name
    subject, text, html = _bodies(app, subscriber, title, now)
    domain = domain_of(news.sender)
    nonce = secrets.token_hex(8)  # a resend after a failure is a message of its own
    unsubscribe = app.links.unsubscribe_url(subscriber.id).encode("ascii")
    content_type, body = alternative(text, html)
    head = [
        address_line("From", news.sender),
        b"To: " + format_address(subscriber.name, subscriber.email).encode("utf-8") + b"\r\n",
        header_line("Subject", subject),
        header_line("Date", format_datetime(now)),
        header_line("Message-ID", f"<digest.welcome.{subscriber.id}.{nonce}@{domain}>"),
        address_line("Reply-To", news.reply_to) if news.reply_to else b"",
        list_id_line(title, f"{lst.name}.{domain}"),
        b"List-Unsubscribe:" + unsubscribe_value(unsubscribe) + b"\r\n",
        # RFC 8058: one click only with an https link (as digest.compose says for editions)
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        if news.base_url.startswith("https://")
        else b"",
        b"Auto-Submitted: auto-generated\r\n",
        b"MIME-Version: 1.0\r\n",
        content_type,
    ]
    return b"".join(head) + b"\r\n" + body


def _bodies(app: App, subscriber: Subscriber, title: str, now: datetime) -> tuple[str, str, str]:
    """The subject, the flowed plain text and the HTML (its CSS inlined), in the
    newsletter's language, from the theme's `web/welcome-email.txt` and `.html`."""
    from markupsafe import Markup

    from digest.headers import split_address
    from digest.render import SOFT, Theme, direction, flowed_part, inline
    from digest.render.language import Strings
    from digest.render.welcome_strings import WELCOME_STRINGS
    from digest.subscribers.cadence import cadence, cadence_lines

    news = app.settings.newsletter
    lst = app.settings.list(subscriber.list)
    t = Strings(news.language, WELCOME_STRINGS)
    lang = str(t.locale).replace("_", "-")
    latest = app.store.editions_with_status(ARCHIVED, lst.name, reached=REACHED, limit=1)
    theme = Theme(app.settings.templates)
    subject = t("welcome.subject", list=title)
    # Thanks for what the reader did: confirmed (double opt-in), or signed up on a list
    # that asks no confirmation (they were asked to confirm nothing).
    confirmed = any(e.origin == "confirm" for e in app.store.events(subscriber.id))
    context = {
        "t": t,
        "thanks": "welcome.confirmed" if confirmed else "welcome.signed_up",
        "newsletter": news,
        "list_title": title,
        "subject": subject,
        "email": subscriber.email,
        "schedule": cadence_lines(cadence(lst, subscriber.timezone, now=now), t, title),
        "latest_url": f"{news.base_url}/archive/{latest[0].id}" if latest else "",
        "sender": split_address(news.sender)[1],
        "preferences_url": app.links.preferences_url(subscriber.id),
        "unsubscribe_url": app.links.unsubscribe_url(subscriber.id),
    }
    text = flowed_part(theme.render("web/welcome-email.txt", soft=SOFT, **context))
    html = theme.render(
        "web/welcome-email.html",
        e=Strings(news.language),  # the edition's words for its links
        lang=lang,
        dir=direction(lang),
        css=Markup(theme.render("email.css")),
        responsive_css=Markup(theme.render("email-responsive.css")),
        **context,
    )
    return subject, text, inline(html)


def send_welcome(
    app: App,
    subscriber_id: int,
    *,
    now: datetime,
    states: tuple[str, ...] = ("due",),
    waits: tuple[timedelta, ...] | None = None,
) -> Outcome:
    """Claim the subscriber's welcome and send it (with `waits`, a retry: only a failed
    one whose wait is over). "none" when there was none to claim (another sender has
    it, it went, none was made due, its wait is not over); "failed" when it could not
    be handed over: then it is `failed`, logged with the list's name and in their
    history."""
    from digest.deliver.mail import send_one

    tried = app.store.claim_welcome(subscriber_id, now=now, states=states, waits=waits)
    if not tried:
        return "none"
    sub = app.store.subscriber_by_id(subscriber_id)
    if sub is None:  # erased between the claim and now
        return "none"
    error: str | None = None
    try:
        data = welcome_message(app, sub, now=now)
        policy = app.settings.transport
        for attempt in range(policy.retries + 1):
            try:
                send_one(app.settings, app.transport(), sub.email, data, name=_name(sub), now=now)
                break
            except DeliveryError as exc:
                if exc.permanent or attempt == policy.retries:
                    raise
                time.sleep(policy.retry_delay * 2**attempt)
    except DigestError as exc:
        error = str(exc)
        _log_failure(sub, tried, error)
    app.store.welcome_done(sub.id, error=error, now=now)
    return "sent" if error is None else "failed"


def _log_failure(sub: Subscriber, attempt: int, error: str) -> None:
    """A failed attempt, in the log: the subscriber's id and list, the reason without
    the address (the history, in the database, keeps it whole)."""
    reason = re.sub(re.escape(sub.email), f"subscriber {sub.id}", error, flags=re.IGNORECASE)
    command = f"digest subscribers welcome --list {sub.list} sends it"
    if attempt == ATTEMPTS:
        what = f"after {ATTEMPTS} attempts; digest run tries no more ({command})"
    elif attempt < ATTEMPTS:
        wait = _shown_wait(RETRY_WAITS[attempt - 1])
        what = f"(attempt {attempt} of {ATTEMPTS}; digest run tries again in {wait}; {command})"
    else:
        what = f"(attempt {attempt}; {command})"
    log.warning(
        "welcome to subscriber %s of list %s not sent %s: %s", sub.id, sub.list, what, reason
    )


def _shown_wait(wait: timedelta) -> str:
    minutes = int(wait.total_seconds() // 60)
    return f"{minutes} minutes" if minutes < 60 else f"{minutes // 60} h"


def _name(sub: Subscriber) -> str:
    return f"welcome-{sub.id}"


def welcome_job(app: App, subscriber_id: int, now: datetime) -> Callable[[], None]:
    """`send_welcome` as a job to run off the request (digest.web.background)."""

    def job() -> None:
        send_welcome(app, subscriber_id, now=now)

    return job


@dataclass(frozen=True, slots=True)
class Welcomed:
    """What `send_due_welcomes` did."""

    sent: int
    failed: int


def send_due_welcomes(app: App, list_name: str, *, now: datetime) -> Welcomed:
    """Send every welcome of the list that is due or failed (each claimed first); none
    once the list has `welcome = false`."""
    if not app.settings.list(list_name).welcome:
        return Welcomed(0, 0)
    done = [
        send_welcome(app, sub.id, now=now, states=("due", "failed"))
        for sub in app.store.welcomes_due(list_name)
    ]
    return Welcomed(done.count("sent"), done.count("failed"))


def retry_failed_welcomes(app: App, list_name: str, *, now: datetime) -> Welcomed:
    """`digest run`'s retry: send the list's failed welcomes whose wait is over (at most
    :data:`RETRIES_PER_TICK`), each claimed first (the claim checks the wait again), so
    of several schedulers one tries it; none once the list has `welcome = false`. The
    first that fails again ends this tick's retries: the relay is likely still down,
    and a tick that waits on it holds up the list's sends (the rest, their wait over,
    are tried at the next tick)."""
    if not app.settings.list(list_name).welcome:
        return Welcomed(0, 0)
    found = app.store.welcome_retries(list_name, now=now, waits=RETRY_WAITS, limit=RETRIES_PER_TICK)
    sent = 0
    for sid in found:
        outcome = send_welcome(app, sid, now=now, states=("failed",), waits=RETRY_WAITS)
        if outcome == "failed":
            return Welcomed(sent, 1)
        sent += outcome == "sent"
    return Welcomed(sent, 0)
