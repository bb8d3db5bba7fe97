"""Whether a list's scheduled sends can carry news that is still fresh.

The scheduler builds a list's edition `build_ahead_minutes` before its first send (with
`delivery = "local"`, the first zone's; a send window moves both alike) and skips the
first send of an edition built longer ago than `[edition] max_age_hours`
(:func:`digest.gate.stale`). A send begun goes on: a local list's later zones are sent
the same edition however old it is by then, so the zones' spread loses no send.

- Built further ahead than `max_age_hours`: every edition the scheduler builds ahead is
  skipped, so nothing ever goes out. The file contradicts itself, and :func:`check`
  refuses it (a ConfigError, as for `[database] keep_days` shorter than a build reads
  back): good mail software does not start a schedule that can never send.
- Built within it, but sent late enough within `grace_minutes` to pass it: only late
  sends (the scheduler was down at the slot) are skipped. That can send, so it is a
  warning (:func:`late_sends`), said by `digest run` and `digest schedule`.

Must not: read the clock, the database or the subscribers' zones.
"""

from __future__ import annotations

from pathlib import Path

from digest.config.checks import key_line
from digest.config.settings import EditionSettings, ListSettings, Settings
from digest.errors import ConfigError

__all__ = ["check", "late_sends"]


def _where(file: Path, table: str, *keys: str | None) -> str:
    """`FILE:LINE` of the first of `keys` written in `table` (None: its header)."""
    for key in keys:
        if line := key_line(file, table, key):
            return f"{file}:{line}"
    return str(file)


def _max_age(file: Path, edition: EditionSettings) -> str:
    line = key_line(file, "edition", "max_age_hours")
    said = f"line {line}" if line else "the default"
    return f"[edition] max_age_hours = {edition.max_age_hours:g} ({said})"


def _hours(minutes: float) -> str:
    hours = minutes / 60
    return f"{hours:g} hour" if hours == 1 else f"{hours:g} hours"


def check(file: Path, lists: tuple[ListSettings, ...], edition: EditionSettings) -> None:
    """Raise ConfigError for the first list whose scheduler would skip every send as
    old news: it builds each edition longer before its send than `max_age_hours`."""
    if edition.max_age_hours is None:
        return
    most = edition.max_age_hours * 60
    for i, lst in enumerate(lists):
        if lst.build_ahead_minutes <= most:
            continue
        first = " before its first zone's send" if lst.delivery == "local" else " before its send"
        table = f"lists[{i}]"
        written = key_line(file, table, "build_ahead_minutes") is not None
        default = "" if written else " (the default)"
        raise ConfigError(
            f"{_where(file, table, 'build_ahead_minutes', None)}: {table} ({lst.name}): "
            f"build_ahead_minutes = {lst.build_ahead_minutes}{default} builds each edition "
            f"{_hours(lst.build_ahead_minutes)}{first}: older by then than "
            f"{_max_age(file, edition)} allows, so the scheduler would skip every send as "
            f"old news. Set build_ahead_minutes at most {most:g}, or raise [edition] "
            "max_age_hours (it also bounds how old the articles a build reads may be)"
        )


def late_sends(settings: Settings) -> tuple[str, ...]:
    """A warning for each list whose sends are old news when late within its grace
    window: `build_ahead_minutes` and `grace_minutes` together pass `max_age_hours`."""
    edition, file = settings.edition, settings.path
    if edition.max_age_hours is None:
        return ()
    most = edition.max_age_hours * 60
    out = []
    for i, lst in enumerate(settings.lists):
        if lst.build_ahead_minutes + lst.grace_minutes <= most:
            continue
        late = most - lst.build_ahead_minutes
        where = _where(file, f"lists[{i}]", "grace_minutes", "build_ahead_minutes", None)
        out.append(
            f"{where}: lists[{i}] ({lst.name}): a send "
            f"more than {late:g} minutes late is skipped as old news, though grace_minutes "
            f"= {lst.grace_minutes} would send it up to {lst.grace_minutes} minutes late: "
            f"build_ahead_minutes = {lst.build_ahead_minutes} builds each edition "
            f"{_hours(lst.build_ahead_minutes)} ahead, and {_max_age(file, edition)} "
            f"leaves {late:g} minutes for the send to be late. Lower "
            "build_ahead_minutes or grace_minutes, or raise [edition] max_age_hours"
        )
    return tuple(out)
