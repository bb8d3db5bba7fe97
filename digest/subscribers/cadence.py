"""A list's schedule as a reader is told it: how often editions come, at what time on
which clock, and when the next one is due, in the newsletter's language.

The words come from the send times themselves (:func:`digest.schedule.events.next_slots`:
the cron schedule read in the zone, the send window applied), not from the cron text:
four weeks of them that repeat each week ("every Monday and Thursday at 07:00") are
told as such; anything else (monthly, hourly, times moved by daylight saving) only as
"a schedule of its own" and the next send. Reads no clock (`now` is passed in), sends
nothing, touches no database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_day_names
from babel.lists import format_list

from digest.config import ListSettings
from digest.render.language import Strings

#: The send times looked at: four weeks, so that a weekly rhythm shows four times.
WEEKS = 4
#: More send times than this in four weeks is not told as a weekly rhythm (12 a day).
MOST = 7 * 12 * WEEKS
#: At most this many times of day are listed ("at 07:00, 12:00 and 18:00").
MOST_TIMES = 3


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a list's editions come, on one zone's clock."""

    zone: str  # the IANA zone the times are on
    days: tuple[int, ...] | None  # weekdays (0 = Monday) of a weekly rhythm; None: none
    times: tuple[str, ...]  # "HH:MM" of a weekly rhythm
    next: datetime | None  # the next send (UTC); None: the schedule sends no more


def cadence(lst: ListSettings, zone: str | None, *, now: datetime) -> Cadence:
    """The list's rhythm after `now` on the clock of `zone` (for a list delivered at
    each reader's local hour, the reader's; else, or with none, the list's)."""
    from digest.schedule.events import next_slots

    name = zone if zone and lst.delivery == "local" else lst.timezone
    slots = next_slots(replace(lst, timezone=name, delivery="list"), now, MOST + 1)
    tz = ZoneInfo(name)
    # (now, now + four weeks]: the slots come after `now`, so each weekly one is there 4 times
    window = [s.astimezone(tz) for s in slots if s <= now + timedelta(weeks=WEEKS)]
    first = slots[0] if slots else None
    pairs = {(s.weekday(), f"{s:%H:%M}") for s in window}
    days = tuple(sorted({d for d, _ in pairs}))
    times = tuple(sorted({h for _, h in pairs}))
    weekly = (
        0 < len(window) <= MOST
        and len(times) <= MOST_TIMES
        and pairs == {(d, h) for d in days for h in times}
        and len(window) == WEEKS * len(pairs)
    )
    return Cadence(name, days if weekly else None, times if weekly else (), first)


def cadence_lines(found: Cadence, t: Strings, list_title: str) -> list[str]:
    """The sentences that tell a reader `found`: the rhythm, then the next send."""
    locale = t.locale
    lines: list[str] = []
    if found.days is not None:
        times = format_list([clock(t, locale) for t in found.times], locale=locale)
        if len(found.days) == 7:
            lines.append(t("welcome.daily", list=list_title, times=times, zone=found.zone))
        else:
            names = get_day_names("wide", locale=locale)
            days = format_list([names[d] for d in found.days], locale=locale)
            lines.append(
                t("welcome.weekly", list=list_title, days=days, times=times, zone=found.zone)
            )
    else:
        lines.append(t("welcome.irregular", list=list_title, zone=found.zone))
    if found.next is not None:
        local = found.next.astimezone(ZoneInfo(found.zone))
        date = format_date(local.date(), "full", locale=locale)
        lines.append(t("welcome.next", date=date, time=clock(f"{local:%H:%M}", locale)))
    return lines


def clock(hhmm: str, locale: Locale) -> str:
    """A time of day ("07:30") as the language writes its 24-hour clock: Danish "07.30"
    (CLDR's short time), German "07:30". A language whose short time is a 12-hour one
    (English "7:30 AM") keeps "07:30", as its strings say "at 07:30 (... time)"."""
    pattern = locale.time_formats["short"].pattern
    if "H" not in pattern:
        return hhmm
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return format_time(time(hours, minutes), "short", locale=locale)
