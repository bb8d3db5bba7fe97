"""Wall-clock arithmetic for the scheduler: send windows and cron slots in a delivery zone.

Job: parse a list's `send_window` (`parse_window`), move an instant to the window's next
opening (`postpone`), and turn a cron `schedule` read in a zone into UTC instants, one
per wall time, across daylight-saving changes. The events built from these (grouping,
merging, misfire) are :mod:`digest.schedule.events`. And write an instant as people read
it on a zone's clock, the zone named (`wall_clock`), wherever digest shows a time.
Must not: read the clock (every instant is passed in), touch the database or the App,
or know about lists, editions or subscribers.

- **Cron as crontab(5) reads it** (:func:`cron_trigger`): day of week 0 or 7 is Sunday,
  1 Monday (APScheduler's own `from_crontab` counts 0 as Monday: "0 8 * * 1" ran on
  Tuesdays), and a schedule restricting both the day of the month and the day of the
  week fires on either, as cron does (APScheduler: on both).
- **Cron in the delivery zone.** A list's `schedule` is read in its `timezone` with
  APScheduler's CronTrigger, so a 07:00 slot stays at 07:00 local across daylight-saving
  changes and its UTC hour moves. A wall time that does not exist (02:30 on a
  spring-forward day) is *shifted* forward by the gap: it runs at 03:30 summer time, the
  instant 02:30 would have been on the old offset. A wall time that happens twice (02:30
  on a fall-back day) runs *once*, at its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# -- send windows ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Window:
    """Days and hours when mail may go out, read on the delivery zone's clock."""

    days: frozenset[int]  # 0 = Monday
    start: int  # minutes after midnight
    end: int  # minutes after midnight, after start; 1440 = the end of the day


def _minutes(text: str) -> int:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not m or int(m.group(2)) > 59 or int(m.group(1)) > 24:
        raise ValueError(f"{text!r} is not a time HH:MM")
    value = int(m.group(1)) * 60 + int(m.group(2))
    if value > 1440:
        raise ValueError(f"{text!r} is after 24:00")
    return value


def parse_window(text: str) -> Window:
    """`"Mon-Fri 07:00-19:00"`, `"Sat,Sun 09:00-12:00"`, `"08:00-20:00"` (every day)."""
    parts = text.split()
    if len(parts) not in (1, 2):
        raise ValueError(f"{text!r} is not 'DAYS HH:MM-HH:MM'")
    days: set[int] = set(range(7))
    if len(parts) == 2:
        days = set()
        for item in parts[0].lower().split(","):
            ends = item.split("-")
            if len(ends) > 2 or any(e[:3] not in DAYS or len(e) < 3 for e in ends):
                raise ValueError(f"{item!r} is not a day or a range of days such as Mon-Fri")
            first, last = DAYS.index(ends[0][:3]), DAYS.index(ends[-1][:3])
            days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    hours = parts[-1].split("-")
    if len(hours) != 2:
        raise ValueError(f"{parts[-1]!r} is not a range of hours such as 07:00-19:00")
    start, end = _minutes(hours[0]), _minutes(hours[1])
    if start >= end:
        raise ValueError(f"{parts[-1]!r} must start before it ends (within one day)")
    return Window(frozenset(days), start, end)


def _at_minutes(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall time (fold 0: a time in a gap shifts forward)."""
    day += timedelta(days=minutes // 1440)
    wall = datetime.combine(day, dtime(minutes % 1440 // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def postpone(when: datetime, zone: ZoneInfo, window: Window | None) -> datetime:
    """`when` if the window is open then, else the window's next opening (UTC)."""
    if window is None:
        return when
    local = when.astimezone(zone)
    for i in range(8):
        day = local.date() + timedelta(days=i)
        if day.weekday() not in window.days:
            continue
        opens, closes = _at_minutes(day, window.start, zone), _at_minutes(day, window.end, zone)
        if opens <= when < closes:
            return when
        if opens > when:
            return opens
    raise AssertionError("a window opens at least once a week")


def _last_close(when: datetime, zone: ZoneInfo, window: Window) -> datetime:
    """The latest closing of the window at or before `when` (which is outside it)."""
    local = when.astimezone(zone)
    for i in range(-1, 9):
        day = local.date() - timedelta(days=i)
        closes = _at_minutes(day, window.end, zone)
        if day.weekday() in window.days and closes <= when:
            return closes
    raise AssertionError("a window closes at least once a week")


# -- the day of a slot -----------------------------------------------------------------
def slot_day(slot: str | None, built_for: datetime, zone: ZoneInfo) -> date:
    """The day an edition is for, on the delivery zone's calendar.

    A slot's own day: a list slot is a UTC instant ("2026-11-26T23:30:00Z", Friday the
    27th at 00:30 in Copenhagen), a local-delivery slot a wall time ("2026-11-27T07:00",
    the 27th in every zone it reaches). Without a slot (built by hand), the day it was
    built for. The build time is not the day: the scheduler builds ahead of the slot,
    the evening before a slot just after midnight or in a zone ahead of the list's.
    """
    if slot:
        try:
            when = datetime.fromisoformat(slot.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return when.date() if when.tzinfo is None else when.astimezone(zone).date()
    return built_for.astimezone(zone).date()


# -- instants as people read them -----------------------------------------------------
def wall_clock(when: datetime, zone: ZoneInfo) -> str:
    """`when` on `zone`'s clock with the zone named: "5 Dec 2026, 00:30 CET" ("CEST" in
    summer); a zone with no abbreviation of its own by its offset ("UTC-03")."""
    at = when.astimezone(zone)
    return f"{at.day} {at:%b %Y, %H:%M} {clock_name(at)}".rstrip()


def clock_name(at: datetime) -> str:
    """The name of the zone `at` is on: its abbreviation ("CET", "CEST"), or for a zone
    with none of its own its offset ("UTC-03")."""
    name = at.tzname() or ""
    return f"UTC{name}" if name[:1] in ("+", "-") else name


# -- cron slots in a zone -------------------------------------------------------------
@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=256)
def _window(text: str | None) -> Window | None:
    return None if text is None else parse_window(text)


def _zone_slots(schedule: str, zone: ZoneInfo, after: datetime) -> Iterator[tuple[datetime, str]]:
    """Cron slots after `after`: (UTC instant, local wall time), one per wall time."""
    trigger = cron_trigger(schedule, zone)
    # Start a little early so that the first occurrence of a doubled wall time is seen.
    # A wall time earlier than one already seen is a repeat (the fall-back hour's second
    # 02:00 after its first 02:30): wall times as "YYYY-MM-DDTHH:MM" sort like times.
    fire = trigger.get_next_fire_time(None, (after - timedelta(hours=3)).astimezone(zone))
    latest_wall = ""
    while fire is not None:
        wall = fire.replace(tzinfo=None).isoformat(timespec="minutes")
        if wall > latest_wall:
            if fire > after:
                yield fire.astimezone(UTC), wall
            latest_wall = wall
        fire = trigger.get_next_fire_time(fire, fire)


# -- crontab(5) ------------------------------------------------------------------------
#: Days of the week in cron's order (0 = Sunday; 7 is Sunday too).
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
#: APScheduler's names, which it also numbers from Monday = 0.
_APS_DAYS = {0: "sun", 1: "mon", 2: "tue", 3: "wed", 4: "thu", 5: "fri", 6: "sat"}


def cron_trigger(schedule: str, zone: ZoneInfo, *, end_date: datetime | None = None) -> BaseTrigger:
    """A list's `schedule` ("min hour day month dow") as crontab(5) reads it, for
    APScheduler: its day of week as cron numbers it (0 or 7 Sunday, 1 Monday, names
    sun-sat), and a schedule whose day of the month and day of the week are both
    restricted (neither starts with "*") firing on either. ValueError names what is
    wrong."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError(f"five fields 'min hour day month dow' expected, got {len(fields)}")
    minute, hour, day, month, dow = fields
    days = cron_weekdays(dow)

    def trigger(day: str, days: str) -> CronTrigger:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=days,
            timezone=zone,
            end_date=end_date,
        )

    if day.startswith("*") or dow.startswith("*"):
        return trigger(day, days)
    return OrTrigger([trigger(day, "*"), trigger("*", days)])


def cron_weekdays(field: str) -> str:
    """A crontab day-of-week field as APScheduler's day_of_week: "*" as it is, anything
    else as the names of the days it gives ("1-5" is "mon,tue,wed,thu,fri"; "*/2" is
    "sun,tue,thu,sat")."""
    if field == "*":
        return "*"
    chosen: set[int] = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        step = int(step_text) if step_text.isdigit() else 0
        if slash and step < 1:
            raise ValueError(f"day of the week {item!r}: a step is a whole number from 1")
        if base == "*":
            first, last = 0, 7
        elif "-" in base:
            low, high = base.split("-", 1)
            first, last = _cron_day(low), _cron_day(high, end=True)
        elif slash:
            raise ValueError(f"day of the week {item!r}: a step needs a range or '*'")
        else:
            first = last = _cron_day(base)
        if first > last:
            raise ValueError(f"day of the week {item!r}: a range runs from low to high")
        chosen.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(_APS_DAYS[d] for d in sorted(chosen))


def _cron_day(text: str, *, end: bool = False) -> int:
    """One day of the week as cron numbers it, 0-7; "sun" ends a range as 7."""
    name = text.lower()
    if name in _CRON_DAYS:
        number = _CRON_DAYS.index(name)
        return 7 if end and number == 0 else number
    if text.isdigit() and int(text) <= 7:
        return int(text)
    raise ValueError(f"day of the week {text!r}: 0-7 (0 and 7 are Sunday) or sun-sat")
