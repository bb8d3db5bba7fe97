"""One person at a time: adding (and, where it is to confirm, sending the
confirmation; where not, to a reader who signed up on the form, the welcome),
removing and forgetting an address, and a subscriber as a dict.

Nothing here (`add`, the subscribe form) ever reactivates an unsubscribed, bounced or
complained address, re-adds one erased with `forget`, or adds to another list one that
bounced (a bounce is the mailbox's, not the list's). An unsubscribed reader comes back
only by asking through a link we mailed them (the preferences page,
digest.web.public). Renders no edition; opens no HTTP connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from digest.errors import SubscriberError
from digest.records import SUPPRESSED, Subscriber, address_key
from digest.store import SentNote, Store
from digest.subscribers.addresses import clean_name, mailbox_key, normalise_email
from digest.subscribers.confirm import CONFIRM_FOR, send_confirmation

if TYPE_CHECKING:
    from digest.app import App

CONFIRMATION_SENT = "confirmation sent"
RESEND_AFTER = timedelta(minutes=10)  # a pending address gets at most one per this
#: ... and at most this many while its links live (CONFIRM_FOR): whoever keeps typing
#: a stranger's address into the form cannot keep mailing it. One inbox (mailbox_key:
#: `ann+1@`, `ann+2@`... are one) gets no more, across the list's pending addresses.
CONFIRMATIONS_A_WEEK = 3


@dataclass(frozen=True, slots=True)
class Added:
    """What adding an address to a list did."""

    subscriber: Subscriber | None  # None: refused (suppressed or forgotten)
    created: bool  # a new subscription was made
    confirmation_sent: bool = False  # a double opt-in message went out
    reason: str = ""  # why nothing changed, for the operator (never shown on the web)
    welcome: str = ""  # a single opt-in sign-up's welcome: "sent", "failed" or "" (none)


def add_subscriber(
    store: Store,
    list_name: str,
    email: str,
    name: str = "",
    *,
    double_opt_in: bool,
    origin: str,
    now: datetime,
) -> Added:
    """Make a subscription: pending with double opt-in, else active. An existing one
    is left as it is (an operator's or a form's add never revives a suppressed one)."""
    email = normalise_email(email)
    name = clean_name(name)
    existing = store.subscriber(list_name, email)  # in any spelling (email_key)
    if existing is not None:
        spelled = "" if existing.email == email else f", as {existing.email}"
        if existing.status in SUPPRESSED:
            why = f"{email} is {existing.status} on list {list_name!r}{spelled}; not reactivated"
        else:
            why = f"{email} is already {existing.status} on list {list_name!r}{spelled}"
        return Added(existing, False, reason=why)
    if store.is_suppressed(email):
        return Added(None, False, reason=f"{email} was erased with `forget`; not re-added")
    if store.bounced([email]):
        return Added(None, False, reason=f"{email} bounced on another list; not added")
    status = "pending" if double_opt_in else "active"
    (sid,) = store.write_subscribers(
        list_name, [{"email": email, "name": name, "status": status}], origin=origin, now=now
    )
    return Added(store.subscriber_by_id(sid) if sid else None, bool(sid))


def subscribe(
    app: App,
    list_name: str,
    email: str,
    name: str = "",
    *,
    origin: str,
    now: datetime,
    form: bool = False,
) -> Added:
    """Add an address to a list and, when it is to confirm, send the confirmation
    (again, for someone still pending). `form`: a reader's own sign-up on the public
    form, which confirms unless the list has `double_opt_in = false`; an operator's
    `add` confirms only with `double_opt_in = true` (:meth:`ListSettings.confirms`).
    A form sign-up on a list without confirmation gets the welcome at once, unless the
    list has `welcome = false`; an operator's `add`, like an import, mails nobody on
    such a list. Raises SubscriberError for a bad address or name, DeliveryError when
    the confirmation cannot be handed over (a welcome that cannot is left failed, as a
    confirmed one's)."""
    lst = app.settings.list(list_name)
    added = add_subscriber(
        app.store,
        lst.name,
        email,
        name,
        double_opt_in=lst.confirms(form=form),
        origin=origin,
        now=now,
    )
    sub = added.subscriber
    if form and lst.welcome and sub and added.created and sub.status == "active":
        return replace(added, welcome=_welcome(app, sub.id, now))
    if sub is None or sub.status != "pending":
        return added
    # The decision and its record are one step (digest.store._confirmations): sign-ups
    # for one inbox at the same moment, in any thread or process, cannot each read
    # "2 sent" and each mail. Only a won claim is mailed; a lost one is a capped one.
    claim = app.store.claim_note(
        sub.id,
        list_name=sub.list,
        inbox=mailbox_key(sub.email),
        detail=CONFIRMATION_SENT,
        since=now - CONFIRM_FOR,
        refusal=partial(_refusal, sub, now),
        origin=origin,
        now=now,
    )
    if claim.event_id is None:
        return Added(sub, added.created, False, f"{added.reason}; {claim.refused}")
    try:
        send_confirmation(app, sub, now=now)
    except BaseException:
        app.store.drop_note(claim.event_id)  # not handed over: it uses up no confirmation
        raise
    return Added(sub, added.created, True, added.reason)


def _refusal(sub: Subscriber, now: datetime, sent: Sequence[SentNote]) -> str:
    """Why no confirmation may go to `sub` now, given those `sent` to the list's
    pending addresses at its domain while links live ("" when one may): one a
    :data:`RESEND_AFTER` and :data:`CONFIRMATIONS_A_WEEK` per address, and as many per
    inbox (:func:`mailbox_key`, as the form's per-inbox limit). A confirmed address's
    are not counted: its inbox's owner answered."""
    mine = [note.at for note in sent if note.subscriber_id == sub.id]
    if mine and now - max(mine) < RESEND_AFTER:
        # Someone still pending asked again: no flood of confirmations to one inbox.
        return "confirmation sent recently"
    if len(mine) >= CONFIRMATIONS_A_WEEK:
        # Nor a steady trickle: a stranger's address typed in again and again.
        return f"{CONFIRMATIONS_A_WEEK} confirmations sent in the last {CONFIRM_FOR.days} days"
    inbox = mailbox_key(sub.email)
    if sum(1 for note in sent if mailbox_key(note.email) == inbox) >= CONFIRMATIONS_A_WEEK:
        # Nor to one inbox under ever new tags: ann+1@, ann+2@... are each pending.
        return (
            f"{CONFIRMATIONS_A_WEEK} confirmations sent to {inbox} "
            f"in the last {CONFIRM_FOR.days} days"
        )
    return ""


def _welcome(app: App, subscriber_id: int, now: datetime) -> str:
    """Welcome a new single opt-in subscriber, once: the welcome is made due, then sent
    as a confirmed one's is (a failure is left to `digest run`'s retries). An import
    never comes here: nobody in it is mailed."""
    from digest.subscribers.welcome import send_welcome

    if not app.store.welcome_due(subscriber_id, now=now):
        return ""
    outcome = send_welcome(app, subscriber_id, now=now)
    return "" if outcome == "none" else outcome


def remove_subscriber(
    store: Store, list_name: str, email: str, *, status: str, origin: str, now: datetime
) -> bool:
    """Mark a subscription unsubscribed, bounced or complained; True if it changed."""
    if status not in SUPPRESSED:
        raise SubscriberError(f"status {status!r}: expected one of {', '.join(sorted(SUPPRESSED))}")
    sub = store.subscriber(list_name, normalise_email(email))
    if sub is None:
        from digest.errors import NotFound

        raise NotFound(f"{email.strip()}: not a subscriber of list {list_name!r}")
    return store.set_status(sub.id, status, origin=origin, now=now)


@dataclass(frozen=True, slots=True)
class Erasure:
    """What `forget` did with an address."""

    address: str  # as stored (normalised)
    erased: int  # subscriptions erased
    before: bool  # it had been erased (suppressed) already


def forget(store: Store, email: str, *, now: datetime, suppress_unknown: bool = False) -> Erasure:
    """Erase a person from every list, keeping only a suppression hash.

    An address no list has (a misspelling, most likely) raises :class:`SubscriberError`
    and nothing is stored, unless `suppress_unknown`: then only its hash is kept, so
    that nothing adds it (someone who asks never to be written to). One erased before
    is no error: the erasure stands."""
    try:
        address = normalise_email(email)
    except SubscriberError:
        address = address_key(email)  # erase whatever was stored under it anyway
    before = store.is_suppressed(address)
    erased = store.forget(address, now=now, suppress_unknown=suppress_unknown)
    if erased is None:
        raise SubscriberError(
            f"no list has {address} (is it spelt as subscribed?): nothing was erased or "
            "suppressed. To keep an address that never subscribed from ever being added "
            "(its owner asked not to be written to), run forget again with --suppress"
        )
    return Erasure(address, erased, before)


# -- out ------------------------------------------------------------------------------
def subscriber_dict(sub: Subscriber, *, paused: bool = False) -> dict[str, Any]:
    return {
        "email": sub.email,
        "name": sub.name,
        "status": sub.status,
        "list": sub.list,
        "sections": list(sub.sections),
        "timezone": sub.timezone,
        "format": sub.format,
        "paused": paused,
    }
