"""Send events: which sends a list's schedule calls for, and which of them are due now.

Job: from a list's settings and explicit instants, list its sends in time order
(`iter_events`, `send_events`, `next_events`, `next_slots`), apply the send window (postpone
and merge), group local delivery's zones, name each send by its slot key (`send_time`
reads one back), and decide what is due at `now`, late or coalesced (`due_slots`). Built
on the wall-clock arithmetic of :mod:`digest.times`.
Must not: read the clock (`now` and `after` are passed in), touch the database or the
App, or send anything; performing the events is :mod:`digest.schedule.scheduler`'s job.

- **Misfire.** A slot whose send time passed while nothing ran (the process was down)
  still runs if it is at most `grace_minutes` late; otherwise it is recorded as `missed`
  and nothing is sent. Several late slots are coalesced: only the latest within the grace
  window runs, the earlier ones are recorded as `missed` ("coalesced"). Slots are looked
  at since the last send recorded; before the first one, since the scheduler first ran
  in this database (or over the grace window, on a first start). Slots more than seven
  days old are not looked at.
- **Send window** (`send_window = "Mon-Fri 07:00-19:00"`, in the delivery zone: the
  list's, or for local delivery each subscriber's). A slot outside it is postponed to the
  window's next opening; slots postponed to the same opening are merged: the latest is
  sent, the earlier ones recorded as `skipped`.
- **Local delivery** (`delivery = "local"`): the schedule is read in each subscriber's
  zone (none given: the list's). One edition per wall-clock slot ("2026-03-29T07:00"),
  built before the first zone reaches it, sent to each group of zones at their own slot.

Slot keys: a list-delivery slot is its UTC instant ("2026-03-29T05:00:00Z", also the
edition's slot); a local-delivery send is "<UTC send time>@<local wall time>" and its
edition's slot the local wall time. Keys sort by time, which gives the watermark.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from digest.codec import iso, parse_iso
from digest.config import ListSettings
from digest.times import _last_close, _window, _zone, _zone_slots, postpone

LOOKBACK = timedelta(days=7)  # late slots older than this are not looked at (nor recorded)


@dataclass(frozen=True, slots=True)
class SendEvent:
    """One send the schedule calls for: an edition, to a group of zones, at an instant."""

    key: str  # the send's slot key (schedule_runs.slot)
    edition_key: str  # the edition's slot key (editions.slot)
    at: datetime  # when it is sent (UTC): the slot, or the window opening it moved to
    slot: datetime  # the cron slot (UTC; for local delivery, in the first zone)
    zones: frozenset[str] | None = None  # local delivery: the subscribers' zones sent now
    merged: tuple[str, ...] = ()  # keys of earlier slots postponed to the same opening

    @property
    def postponed(self) -> bool:
        return self.at != self.slot


def _zone_events(
    lst: ListSettings, zone_name: str, after: datetime, local: bool
) -> Iterator[SendEvent]:
    """The sends of one zone whose send time is after `after`, in time order."""
    zone, window = _zone(zone_name), _window(lst.send_window)
    begin = after
    if window is not None and postpone(after, zone, window) != after:
        # Inside a closed period: slots since it began are postponed past `after`.
        begin = _last_close(after, zone, window) - timedelta(microseconds=1)

    def keys(slot: datetime, wall: str, at: datetime) -> tuple[str, str]:
        if local:
            return f"{iso(at)}@{wall}", wall
        key = iso(slot)
        assert key is not None
        return key, key

    group: list[tuple[datetime, str]] = []
    group_at: datetime | None = None
    for slot, wall in _zone_slots(lst.schedule, zone, begin):
        at = postpone(slot, zone, window)
        if group and at != group_at:
            assert group_at is not None
            if group_at > after:
                (last, last_wall), earlier = group[-1], group[:-1]
                key, ekey = keys(last, last_wall, group_at)
                merged = tuple(keys(s, w, group_at)[0] for s, w in earlier)
                yield SendEvent(key, ekey, group_at, last, None, merged)
            group = []
        group.append((slot, wall))
        group_at = at
    if group and group_at is not None and group_at > after:  # a schedule that ends
        (last, last_wall), earlier = group[-1], group[:-1]
        key, ekey = keys(last, last_wall, group_at)
        yield SendEvent(
            key, ekey, group_at, last, None, tuple(keys(s, w, group_at)[0] for s, w in earlier)
        )


def iter_events(
    lst: ListSettings, after: datetime, zones: frozenset[str] | None = None
) -> Iterator[SendEvent]:
    """Every send after `after`, in time order (endless for most schedules).

    List delivery: the schedule in the list's zone. Local delivery: in each of `zones`
    (the subscribers' zones; default the list's), sends at the same instant of the same
    edition grouped into one event.
    """
    if lst.delivery != "local":
        yield from _zone_events(lst, lst.timezone, after, local=False)
        return
    names = sorted(zones or {lst.timezone})

    def stream(name: str) -> Iterator[SendEvent]:
        for event in _zone_events(lst, name, after, local=True):
            yield replace(event, zones=frozenset({name}))

    streams = [stream(name) for name in names]
    pending: SendEvent | None = None
    for event in heapq.merge(*streams, key=lambda e: (e.at, e.edition_key)):
        if pending is not None and (pending.at, pending.edition_key) == (
            event.at,
            event.edition_key,
        ):
            assert pending.zones is not None and event.zones is not None
            pending = replace(
                pending,
                zones=pending.zones | event.zones,
                merged=tuple(sorted({*pending.merged, *event.merged})),
            )
            continue
        if pending is not None:
            yield pending
        pending = event
    if pending is not None:
        yield pending


def send_events(
    lst: ListSettings, after: datetime, until: datetime, zones: frozenset[str] | None = None
) -> list[SendEvent]:
    """The sends with a send time in (after, until]."""
    out = []
    for event in iter_events(lst, after, zones):
        if event.at > until:
            break
        out.append(event)
    return out


def next_events(
    lst: ListSettings, after: datetime, count: int, zones: frozenset[str] | None = None
) -> list[SendEvent]:
    out = []
    for event in iter_events(lst, after, zones):
        out.append(event)
        if len(out) >= count:
            break
    return out


def next_slots(lst: ListSettings, after: datetime, count: int) -> list[datetime]:
    """The next `count` send times after `after`, in UTC (the list's zone and window)."""
    return [e.at for e in next_events(replace(lst, delivery="list"), after, count)]


def send_time(lst: ListSettings, key: str) -> datetime:
    """When the send with this slot key goes (or went) out (UTC)."""
    head = key.split("@", 1)[0]
    when = parse_iso(head)
    assert when is not None
    if "@" in key:
        return when
    return postpone(when, _zone(lst.timezone), _window(lst.send_window))


def last_send_time(
    lst: ListSettings, edition_key: str, zones: frozenset[str] | None = None
) -> datetime:
    """When the last send of the edition with this slot key goes (or went) out (UTC):
    list delivery, its one send (:func:`send_time`); local delivery, its wall time
    ("2026-11-27T07:00") in the latest of `zones` (default the list's), moved by the
    send window there, as :func:`iter_events` reads it (a wall time in a gap, forward)."""
    if lst.delivery != "local" or "@" in edition_key:
        return send_time(lst, edition_key)
    wall = datetime.fromisoformat(edition_key)
    window = _window(lst.send_window)
    return max(
        postpone(wall.replace(tzinfo=_zone(name)).astimezone(UTC), _zone(name), window)
        for name in (zones or {lst.timezone})
    )


# -- what is due ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Due:
    """What to do about the sends whose time has come (see due_slots)."""

    run: tuple[SendEvent, ...] = ()
    missed: tuple[tuple[SendEvent, str], ...] = ()  # with the reason, for the record


def due_slots(
    lst: ListSettings,
    last_run: datetime | None,
    now: datetime,
    grace: timedelta,
    zones: frozenset[str] | None = None,
) -> Due:
    """The sends due at `now` since the last one recorded (`last_run`, a send time).

    Late by more than `grace`: missed. Within it: the latest per group of zones runs,
    earlier ones are coalesced into it (missed). With no `last_run` (a first start), only
    slots within the grace window are looked at: nothing counts as missed before that.
    """
    since = now - grace if last_run is None else last_run
    since = max(since, now - LOOKBACK)
    events = send_events(lst, since, now, zones)
    missed: list[tuple[SendEvent, str]] = []
    latest: dict[frozenset[str] | None, SendEvent] = {}
    for event in events:
        late = now - event.at
        if late > grace:
            missed.append(
                (
                    event,
                    f"missed: {_minutes_text(late)} late, beyond the grace window "
                    f"(grace_minutes = {lst.grace_minutes})",
                )
            )
            continue
        earlier = latest.get(event.zones)
        if earlier is not None:
            missed.append((earlier, f"coalesced: the later slot {event.key} runs instead"))
        latest[event.zones] = event
    run = tuple(sorted(latest.values(), key=lambda e: (e.at, e.key)))
    return Due(run, tuple(missed))


def _minutes_text(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:.0f} min"
