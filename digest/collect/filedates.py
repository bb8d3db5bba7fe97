"""The date a folder's file gives for its article, in the forms people and site
generators write, or why it cannot be read.

Read: ISO 8601 with or without a time ("2020-03-01", "2020-03-01T10:30:00+01:00",
"2020/03/01 10:30"), RFC 2822 ("Sun, 01 Mar 2020 10:30:00 +0000"), and English month
names with the day before or after ("1 March 2020", "March 1, 2020", "Sunday, 1st Mar
2020", a time after: "March 1, 2020 10:30"). A numeric date with the day or the month
first is read only when just one of the two readings is a day ("15/03/2020");
"03/01/2020" is 3 January in Europe and 1 March in the US, so it is refused with both
readings. Other languages' month names are read in RFC 2822's order only ("1 mars
2020", "dim., 1 mars 2020 10:30": :mod:`digest.collect.foreigndates`); a name no table
there has is not, as a guess would date an article wrongly. A date without an offset
is in the source's zone (a date alone: its midnight there). A year before 1990 is a
placeholder for none, as on web pages (:data:`~digest.collect.pages.EARLIEST_YEAR`):
Hugo writes "0001-01-01".

:func:`file_date` raises :class:`UnreadDate` for a date given and not understood: the
folder skips that file with a warning rather than date its article "now" (an old story
would lead the next edition). Must not: read the clock or guess between readings.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from digest.collect.entry import as_utc, feed_date
from digest.collect.pages import EARLIEST_YEAR, parse_date
from digest.errors import SourceError

__all__ = ["DATE_KEYS", "UnreadDate", "file_date", "looks_like_a_date"]

#: Front-matter keys for when an article was published, first found wins: Hugo, Jekyll
#: and Eleventy write ``date`` (Hugo also ``publishDate``), Astro's blog ``pubDate``,
#: Ghost and WordPress exports ``published``; notes apps ``created``. (An ``updated`` or
#: ``lastmod`` is not when the story was published.)
DATE_KEYS = ("date", "publishDate", "published", "pubDate", "created")

_MONTH_WORDS = (
    "january jan", "february feb", "march mar", "april apr", "may", "june jun",
    "july jul", "august aug", "september sep sept", "october oct",
    "november nov", "december dec",
)  # fmt: skip
_MONTHS = {name: n for n, names in enumerate(_MONTH_WORDS, 1) for name in names.split()}
_MONTH_NAMES = [names.split()[0].capitalize() for names in _MONTH_WORDS]
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<m>[a-z]+)\.?"
_TIME = (
    r"(?:,?\s+(?:at\s+)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?)?"
)
_WORDS = [
    re.compile(rf"{_WEEKDAY}{_DAY}\s+(?:of\s+)?{_MONTH},?\s+(?P<y>\d{{4}}){_TIME}", re.I),
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+(?P<y>\d{{4}}){_TIME}", re.I),
]
#: Day and month in either order, then a four-digit year: "03/01/2020", "15.03.2020".
_NUMERIC = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})" + _TIME)
_DATE_SHAPE = re.compile(r"(?<!\d)(?:1[89]|2\d)\d\d(?!\d)|\d{1,4}[/.-]\d{1,2}")
_DATE_CHARS = 48
_YEAR = re.compile(r"\s*(\d{4})-\d")


class UnreadDate(SourceError):
    """A file gives a date that cannot be read; the reason, without the file's name."""


def looks_like_a_date(value: str) -> bool:
    """Whether a "Date:" line of a text file means to give one: short, with a year or
    digits in a date's shape. "Date: 1 Mrch 2020" is a date not understood; "Date: to be
    announced" and "Updated: 3 dead after the crash" are the story's text."""
    return len(value) <= _DATE_CHARS and bool(_DATE_SHAPE.search(value))


def file_date(value: object, zone: tzinfo) -> datetime | None:
    """`value` (a front-matter value or a "Date:" line's text) in UTC; None when it is
    empty (no date given); :class:`UnreadDate` when it cannot be read for sure."""
    if _placeholder(value):
        return None
    if isinstance(value, datetime):
        return _checked(as_utc(value, zone), value)
    if isinstance(value, date):
        return _checked(as_utc(datetime(value.year, value.month, value.day), zone), value)
    if not isinstance(value, str):  # a list, a number: `date: [2020, 3, 1]`
        raise UnreadDate(f"its date {value!r} is not a date (write it as 2020-03-01)")
    text = " ".join(value.split())
    when = parse_date(text, zone) or feed_date(text, None, zone)
    if when is None:
        when = _in_words(text, zone) or _numeric(text, zone)
    return _checked(when, value)


def _placeholder(value: object) -> bool:
    """Whether `value` gives no date: nothing, or a year before 1990 (Hugo's zero date
    "0001-01-01", a CMS's "0000-00-00"), which pages do for none."""
    if isinstance(value, date):
        return value.year < EARLIEST_YEAR
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    year = _YEAR.match(value) if isinstance(value, str) else None
    return year is not None and int(year[1]) < EARLIEST_YEAR


def _checked(when: datetime | None, value: object) -> datetime:
    shown = repr(value) if isinstance(value, str) else f"'{value}'"
    if when is None:
        raise UnreadDate(
            f"its date {shown} is not a date this can read (write it as 2020-03-01, "
            "2020-03-01 10:30 or 1 March 2020)"
        )
    return when


def _in_words(text: str, zone: tzinfo) -> datetime | None:
    for pattern in _WORDS:
        if (match := pattern.fullmatch(text)) and match["m"].lower() in _MONTHS:
            month = _MONTHS[match["m"].lower()]
            return _at(int(match["y"]), month, int(match["d"]), match, zone)
    return None


def _numeric(text: str, zone: tzinfo) -> datetime | None:
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    a, b, year = int(match["a"]), int(match["b"]), int(match["y"])
    day_first = _at(year, b, a, match, zone)
    month_first = _at(year, a, b, match, zone)
    if day_first and month_first and day_first != month_first:
        raise UnreadDate(
            f"its date {text!r} could be {_day(year, b, a)} or {_day(year, a, b)}: "
            f"write it as {year}-{b:02d}-{a:02d} or {year}-{a:02d}-{b:02d}"
        )
    return day_first or month_first


def _day(year: int, month: int, day: int) -> str:
    return f"{day} {_MONTH_NAMES[month - 1]} {year}"


def _at(year: int, month: int, day: int, match: re.Match[str], zone: tzinfo) -> datetime | None:
    hour, minute, second = (int(match[k] or 0) for k in ("H", "M", "S"))
    if ampm := match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm[0].lower() == "p" else 0)
    try:
        return as_utc(datetime(year, month, day, hour, minute, second), zone)
    except ValueError:
        return None  # "30 February 2020", "25:00"
