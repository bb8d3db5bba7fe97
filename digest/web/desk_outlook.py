"""What happens to an edition once it is approved: who gets it, and when.

An editor approving an edition needs to know what the approval sets in motion, and the
answer must be the scheduler's own (:mod:`digest.schedule.sending`): it sends only
editions built for one of the list's slots (found by slot, never a hand-built one), at
the slot's send time (the list's zone and send window; `delivery = "local"`: each
subscriber's zone), and not once a slot is more than `grace_minutes` late. A
hand-built edition goes out only with `digest send ID`; meanwhile the scheduler builds
the slot's own edition, which an `approval = "auto"` list sends without anyone looking.
The recipients are the ones a send would find due (active, not paused, not yet
delivered).
Must not: change anything, or read the clock (callers pass `now`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from digest.app import App
from digest.schedule import next_slots, send_time
from digest.store._editions import EditionInfo
from digest.times import wall_clock


@dataclass(frozen=True, slots=True)
class Outlook:
    """The truth about an edition's send, in the editor's words."""

    recipients: int  # active subscribers of the list a send would deliver to now
    list: str
    when: str  # a sentence: when it goes out, or how it can
    note: str | None = None  # what the scheduler does instead, when that matters

    def sentence(self) -> str:
        who = f"{self.recipients} active subscriber{'' if self.recipients == 1 else 's'}"
        text = f"{who} of list “{self.list}” will get it. {self.when}"
        return f"{text} {self.note}" if self.note else text


def local_time(when: datetime, zone: str) -> str:
    """An instant as the list's editors read it, in its zone:
    "Sat 28 Nov 2026, 07:00 CET (Europe/Copenhagen)"."""
    tz = ZoneInfo(zone)
    return f"{when.astimezone(tz):%a} {wall_clock(when, tz)} ({zone})"


def outlook(app: App, info: EditionInfo, *, now: datetime) -> Outlook:
    """Who gets edition `info` and when, as the scheduler and `digest send` would do it."""
    lst = app.settings.list(info.list)
    recipients = app.store.due_count(info.id, info.list, list_timezone=lst.timezone)
    by_hand = f"send it with `digest send {info.id}`"
    if info.slot is None:
        upcoming = next_slots(lst, now, 1)
        note = None
        if upcoming:
            next_at = local_time(upcoming[0], lst.timezone)
            if lst.approval == "auto":
                note = (
                    f"At the list's next slot ({next_at}) the scheduler builds and sends an "
                    'edition of its own, not this one (approval = "auto").'
                )
            else:
                note = (
                    f"The list's next slot ({next_at}) gets an edition of its own, which "
                    "goes out only if it is approved too."
                )
        return Outlook(recipients, info.list, f"No scheduled slot: {by_hand}.", note)
    if lst.delivery == "local":
        wall = datetime.fromisoformat(info.slot)
        when = (
            f"It goes out at its slot, {wall:%a} {wall.day} {wall:%b %Y, %H:%M} in each "
            f"subscriber's own time zone ({lst.timezone} for those without one), "
            "while `digest run` is running."
        )
        return Outlook(recipients, info.list, when)
    at = send_time(lst, info.slot)
    shown = local_time(at, lst.timezone)
    if now - at > timedelta(minutes=lst.grace_minutes):
        when = (
            f"Its slot ({shown}) passed more than grace_minutes = {lst.grace_minutes} "
            f"ago, so the scheduler will not send it: {by_hand}."
        )
    elif at <= now:
        when = f"Its slot ({shown}) has just passed: `digest run` sends it at its next run."
    else:
        when = f"It goes out at its slot, {shown}, while `digest run` is running."
    note = None
    if lst.approval == "auto" and info.status == "draft":
        note = 'This list does not wait for approval (approval = "auto").'
    return Outlook(recipients, info.list, when, note)
