"""What happens to an edition once it is approved: who gets it, and when.

An editor approving an edition needs to know what the approval sets in motion, and the
answer must be the scheduler's own (:mod:`digest.schedule.sending`): it sends only
editions built for one of the list's slots (found by slot, never a hand-built one), at
the slot's send time (the list's zone and send window; `delivery = "local"`: each
subscriber's zone), and not once a slot is more than `grace_minutes` late. A
hand-built edition goes out only with `digest send ID`; meanwhile the scheduler builds
the slot's own edition, which an `approval = "auto"` list sends without anyone looking.
An edition built longer ago than `[edition] max_age_hours` by the time it would go out
is old news: the scheduler does not send it and `digest send ID` refuses it without
`--send-stale` (:func:`digest.gate.stale`), and the page says so, with its age. For
`delivery = "local"` that is its age at the first zone's send: once made, the later
zones get it however old by their morning, and the page names the zones whose readers
get news older than the setting, with its age at the last zone's slot. An
edition some of whose stories went out to the list in another edition is not sent either
(:func:`digest.gate.repeats`): the page names them, and the ways on.
The recipients are the ones a send would find due (active, not paused, not yet
delivered). Said in an editor's words, not the configuration's: the one command an
editor may need is shown as code (in a <code> element), everything else escaped.
Must not: change anything, or read the clock (callers pass `now`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup

from digest.app import App
from digest.gate import age_words, repeats, stale
from digest.schedule import delivery_zones, last_send_time, next_slots, send_time
from digest.store._editions import EditionInfo
from digest.times import wall_clock
from digest.web.desk import count


@dataclass(frozen=True, slots=True)
class Outlook:
    """The truth about an edition's send, in the editor's words."""

    recipients: int  # active subscribers of the list a send would deliver to now
    list: str
    when: Markup  # a sentence: when it goes out, or how it can (a command as <code>)
    note: Markup | None = None  # what the scheduler does instead, when that matters
    held: bool = False  # not sent as it is (`when` says why): its stories went out

    def html(self) -> Markup:
        """The whole of it, for the page: "36 active subscribers of “daily” will get
        it. It goes out at its slot, …"."""
        who = count(self.recipients, "active subscriber", "active subscribers")
        will = "would get it as it is" if self.held else "will get it"
        text = Markup("{} of “{}” {}. {}").format(who, self.list, will, self.when)
        return Markup("{} {}").format(text, self.note) if self.note else text


def local_time(when: datetime, zone: str) -> str:
    """An instant as the list's editors read it, in its zone:
    "Sat 28 Nov 2026, 07:00 CET (Europe/Copenhagen)"."""
    tz = ZoneInfo(zone)
    return f"{when.astimezone(tz):%a} {wall_clock(when, tz)} ({zone})"


def _by_hand(edition_id: int, old: bool = False) -> Markup:
    flag = " --send-stale" if old else ""
    return Markup("it goes out only when someone runs <code>digest send {}{}</code>").format(
        edition_id, flag
    )


def _old_news(app: App, info: EditionInfo, at: datetime, zone: str, now: datetime) -> Markup | None:
    """What the page says when the edition's news is too old to go out at `at` (now,
    or its slot's send time to come): its age and the setting, and what makes a fresh
    one (None: it is not too old)."""
    max_age = app.settings.edition.max_age_hours
    if max_age is None or stale(info.id, info.built_for, max_age, at) is None:
        return None
    age = age_words(at - info.built_for)
    return Markup(
        "Its news is old: it was built for {}, {}, longer than [edition] max_age_hours "
        "({:g} hours) allows, so it is sent only if someone asks for it with --send-stale; "
        "<code>digest build</code> makes a fresh edition."
    ).format(
        local_time(info.built_for, zone),
        f"{age} before its slot" if at > now else f"{age} ago",
        max_age,
    )


def _local(app: App, info: EditionInfo, now: datetime) -> tuple[Markup, Markup | None]:
    """When a local-delivery edition goes out, and what its age means. One send a zone,
    each at the slot's wall time there: the scheduler makes the first (the earliest
    zone's still within `grace_minutes`) only if its news is not old by then; once
    made, every later zone is sent the same edition however old by their morning."""
    assert info.slot is not None
    lst = app.settings.list(info.list)
    wall = datetime.fromisoformat(info.slot)
    slot = f"{wall:%a} {wall.day} {wall:%b %Y, %H:%M}"
    zones = delivery_zones(app.store, lst) or frozenset({lst.timezone})
    grace = timedelta(minutes=lst.grace_minutes)
    sends = sorted(
        (at, zone)
        for zone in zones
        if now - (at := last_send_time(lst, info.slot, frozenset({zone}))) <= grace
    )
    if not sends:  # every zone's slot is past the grace window: nothing calls for it
        old = _old_news(app, info, now, lst.timezone, now)
        when = Markup(
            "Its slot ({}) is more than {} past in every subscriber's time zone, too late "
            "to go out automatically: {}."
        ).format(slot, count(lst.grace_minutes, "minute", "minutes"), _by_hand(info.id, bool(old)))
        return when, old
    (first_at, first_zone), (last_at, last_zone) = sends[0], sends[-1]
    old = _old_news(app, info, max(first_at, now), lst.timezone, now)
    if old is not None:  # the first send is skipped, and with it every zone's
        when = Markup(
            "Its slot is {} in each subscriber's own time zone, the first at {}, but it does "
            "not go out automatically then: {}."
        ).format(slot, local_time(first_at, first_zone), _by_hand(info.id, True))
        return when, old
    when = Markup(
        "It goes out at its slot, {}, in each subscriber's own time zone ({} for those "
        "without one)."
    ).format(slot, lst.timezone)
    max_age = app.settings.edition.max_age_hours
    late = [z for at, z in sends if stale(info.id, info.built_for, max_age, at) is not None]
    if not late:
        return when, None
    note = Markup(
        "Readers in {} get it when its news is older than [edition] max_age_hours ({:g} "
        "hours) allows: {} old by the last of them, at {}; it goes to them all the same, "
        "as the send begun in {} goes on."
    ).format(
        ", ".join(dict.fromkeys(late)),
        max_age,
        age_words(last_at - info.built_for),
        local_time(last_at, last_zone),
        first_zone,
    )
    return when, note


def _repeated(app: App, info: EditionInfo) -> Markup | None:
    """What the page says when stories of the edition went out to the list in another
    edition (:func:`digest.gate.repeats`): neither `digest send` nor the scheduler
    makes its first send (None: they did not, or its send began)."""
    if app.store.ledger(info.id):
        return None
    note = repeats(app.store.edition(info.id), app.store.sent_by(info.list, but=info.id))
    if note is None:
        return None
    return Markup(
        "{}. It is not sent, so that nobody gets them twice: <code>digest send {}</code> "
        "refuses it and the scheduler skips it. Drop them here, or "
        "<code>digest build</code> makes a fresh edition without them."
    ).format(f"{note[0].upper()}{note[1:]}", info.id)


def outlook(app: App, info: EditionInfo, *, now: datetime) -> Outlook:
    """Who gets edition `info` and when, as the scheduler and `digest send` would do it;
    and, when its stories went out in another edition, that it is not sent."""
    found = _outlook(app, info, now=now)
    again = _repeated(app, info)
    if again is None:
        return found
    return replace(found, when=again, note=None, held=True)


def _outlook(app: App, info: EditionInfo, *, now: datetime) -> Outlook:
    lst = app.settings.list(info.list)
    recipients = app.store.due_count(info.id, info.list, list_timezone=lst.timezone)
    if info.slot is None:
        old = _old_news(app, info, now, lst.timezone, now)
        when = Markup("It was made by hand, so it is not sent automatically: {}.").format(
            _by_hand(info.id, old is not None)
        )
        upcoming = next_slots(lst, now, 1)
        note = old
        if upcoming and old is None:
            next_at = local_time(upcoming[0], lst.timezone)
            if lst.approval == "auto":
                note = Markup(
                    "The list's next edition, for {}, is a separate one: it is made and "
                    "sent automatically, without waiting for approval."
                ).format(next_at)
            else:
                note = Markup(
                    "The list's next edition, for {}, is a separate one, sent only if it "
                    "is approved too."
                ).format(next_at)
        return Outlook(recipients, info.list, when, note)
    if lst.delivery == "local":
        return Outlook(recipients, info.list, *_local(app, info, now))
    at = send_time(lst, info.slot)
    shown = local_time(at, lst.timezone)
    old = _old_news(app, info, max(at, now), lst.timezone, now)
    if now - at > timedelta(minutes=lst.grace_minutes):
        late = count(lst.grace_minutes, "minute", "minutes")
        when = Markup(
            "Its slot ({}) is more than {} past, too late to go out automatically: {}."
        ).format(shown, late, _by_hand(info.id, old is not None))
    elif old is not None:  # the scheduler makes no first send of old news
        when = Markup("Its slot is {}, but it does not go out automatically then: {}.").format(
            shown, _by_hand(info.id, True)
        )
    elif at <= now:
        when = Markup(
            "Its slot ({}) has just passed: it goes out at the scheduler's next round, shortly."
        ).format(shown)
    else:
        when = Markup("It goes out at its slot, {}.").format(shown)
    note = old
    if old is None and lst.approval == "auto" and info.status == "draft":
        note = Markup(
            "This list does not wait for approval: it goes out even if nobody approves it."
        )
    return Outlook(recipients, info.list, when, note)
