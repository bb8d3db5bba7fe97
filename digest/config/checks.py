"""The checks a configuration value goes through: how a TOML table is read, and what
makes a value acceptable.

:class:`Table` reads one table key by key (type, default, a check with the allowed
values in its message) and reports any key left over, naming the file and the key.
An error names the file and, where the key (or its table) is written, the line:
`digest.toml:38: unknown key 'edition.teasrs' in [edition]; did you mean 'teasers'?`.
The predicates below say what a value must be (a positive number, one line, one
address, a subject template, a database URL, a cron expression that fires, a locale).
This module knows no section of `digest.toml`; it only raises ConfigError.
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from digest.config.settings import SUBJECT_FIELDS
from digest.errors import ConfigError

T = TypeVar("T")


class Table:
    """A TOML table being read: tracks the keys used, so leftovers can be reported."""

    def __init__(self, file: Path, where: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: [{where}] must be a table, not {type(data).__name__}")
        self.file, self.where, self.data = file, where, data
        self.allowed: list[str] = []

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def at(self, key: str | None = None) -> str:
        """`FILE:LINE` of `key` in this table (None: of the table's header), else `FILE`."""
        line = key_line(self.file, self.where, key)
        return f"{self.file}:{line}" if line else str(self.file)

    def fail(self, key: str, allowed: str) -> ConfigError:
        value = self.data.get(key)
        return ConfigError(
            f"{self.at(key)}: {self._key(key)} = {value!r} is not allowed; {allowed}"
        )

    def get(self, key: str, kind: type[T] | tuple[type, ...], default: Any, what: str) -> Any:
        self.allowed.append(key)
        if key not in self.data:
            if default is REQUIRED:
                raise ConfigError(f"{self.at()}: missing key {self._key(key)} ({what})")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"expected {what}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"expected {what}")
        return value

    def check(self, key: str, ok: Callable[[Any], bool], allowed: str) -> None:
        if key in self.data and not ok(self.data[key]):
            raise self.fail(key, allowed)

    def done(self) -> None:
        extra = sorted(set(self.data) - set(self.allowed))
        if extra:
            where = f"[{self.where}]" if self.where else "the top level"
            from difflib import get_close_matches  # only for a misspelt key: not every start

            meant = get_close_matches(extra[0], self.allowed, n=1, cutoff=0.6)
            hint = f"did you mean {meant[0]!r}? " if meant else ""
            raise ConfigError(
                f"{self.at(extra[0])}: unknown key {self._key(extra[0])!r} in {where}; "
                f"{hint}allowed: {', '.join(self.allowed)}"
            )


#: A table's header: its name's parts are stripped by the caller (blanks around the name
#: matched here by \s* as well as by the name made a failed match cubic in the blanks).
_HEADER = re.compile(r"^\s*(\[\[?)([^\[\]#]+)\]\]?\s*(?:#.*)?$")


def key_line(file: Path, where: str, key: str | None) -> int | None:
    """The line where `key` of table `where` ("" the top level, "edition", "sources[1]",
    "newsletter.dkim") is written; with key None, the table's header. None when not
    found (a key in an inline table, a file that changed): the message names the file.
    A top-level key also matches the header of a table of that name."""
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()  # as config.load
    except (OSError, UnicodeDecodeError):
        return None
    written = None if key is None else re.compile(rf"^\s*([\"']?){re.escape(key)}\1\s*[=.]")
    counts: dict[str, int] = {}
    table = ""
    for number, line in enumerate(lines, 1):
        if header := _HEADER.match(line):
            table = ".".join(part.strip().strip("\"'") for part in header[2].split("."))
            if header[1] == "[[":
                counts[table] = counts.get(table, -1) + 1
                table = f"{table}[{counts[table]}]"
            if (key is None and table == where) or (
                not where and key is not None and re.split(r"[.\[]", table)[0] == key
            ):
                return number
        elif written is not None and table == where and written.match(line):
            return number
    return None


REQUIRED = object()


def positive(v: Any) -> bool:
    """A finite number > 0 (TOML's inf and nan are floats too)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0


def non_negative(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0


def one_line(v: Any) -> bool:
    """No line break or other control character: the value may end up in a mail header."""
    return isinstance(v, str) and not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in v)


def one_address(v: Any) -> bool:
    """Exactly one mailbox, `address@domain` or `Name <address@domain>`, on one line."""
    from email.headerregistry import AddressHeader, HeaderRegistry

    if not one_line(v) or not v.strip():
        return False
    try:
        header = HeaderRegistry()("From", v)
        assert isinstance(header, AddressHeader)
    except (ValueError, IndexError):
        return False
    addresses = header.addresses
    return (
        not header.defects
        and len(addresses) == 1
        and bool(addresses[0].username)
        and bool(re.fullmatch(r"[^\s@\[\]]+", addresses[0].domain))
    )


def subject_template(v: Any) -> bool:
    """One line; only the fields {lead}, {name}, {date}, with format specs that work."""
    if not one_line(v):
        return False
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(v) if name is not None]
        if any(name not in SUBJECT_FIELDS for name in names):
            return False
        v.format(**dict.fromkeys(SUBJECT_FIELDS, "x"))
    except (ValueError, KeyError, IndexError):
        return False
    return True


#: A query parameter whose value is a password (libpq's password=, a broker's).
_QUERY_SECRET = re.compile(r"(?i)([?&;][^=&;#]*(?:pass|pwd|secret|token)[^=&;#]*=)[^&;#]*")
#: Why a URL did not parse, without quoting its pieces (a password with an unencoded
#: '/' is read as the host's port, and the error quoted it).
MALFORMED = "its port not a number, or '/', '@', ':' in its password not %-encoded"


def hide_password(url: str) -> str:
    """`url` with the password of its user part (everything between the user's ':' and
    the last '@': a password may hold '/' or '@' unencoded) and of its query as ***."""
    scheme, colon, rest = url.partition(":")
    if colon and "@" in rest:
        user, _, host = rest.rpartition("@")
        name, has_password, _password = user.partition(":")
        if has_password:
            rest = f"{name}:***@{host}"
    return _QUERY_SECRET.sub(r"\1***", scheme + colon + rest)


def check_database_url(file: Path | str, url: str) -> None:
    """A URL SQLAlchemy can use, for SQLite or PostgreSQL; the error hides a password.
    `file` is where the URL is written (`FILE:LINE` or the file)."""
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///") and "?" not in url:
        return  # a SQLite file, as SQLAlchemy reads it: known without loading SQLAlchemy
    from urllib.parse import urlsplit

    from sqlalchemy.engine import make_url

    problem = None
    scheme = url.split(":", 1)[0].split("+")[0]
    if scheme not in ("sqlite", "postgresql"):
        problem = "a sqlite:/// or postgresql:// URL"
    else:
        try:
            parsed = make_url(url)
            urlsplit(url).port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            problem = f"a well-formed sqlite:/// or postgresql:// URL ({MALFORMED})"
        else:
            if scheme == "sqlite" and not parsed.database:
                problem = "a SQLite file (sqlite:///digest.db); an in-memory database keeps nothing"
            elif scheme == "postgresql" and not (parsed.host or parsed.query.get("host")):
                problem = "a PostgreSQL URL with a host, e.g. postgresql://user@host/dbname"
    if problem:
        shown = hide_password(url)
        raise ConfigError(f"{file}: database.url = {shown!r} is not allowed; {problem}")


def check_broker_url(file: Path | str, url: str) -> None:
    """A redis:// or amqp:// URL kombu can read (its port a number); the error hides a
    password."""
    from urllib.parse import urlsplit

    problem = None
    if not url.startswith(("redis://", "amqp://", "rediss://", "amqps://")):
        problem = "a redis:// or amqp:// URL"
    else:
        try:
            urlsplit(url).port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            problem = f"a well-formed redis:// or amqp:// URL ({MALFORMED})"
    if problem:
        shown = hide_password(url)
        raise ConfigError(f"{file}: queue.broker = {shown!r} is not allowed; {problem}")


#: Each crontab field's bounds, as crontab(5) reads them (day of the week 0-7, 0 and 7
#: Sunday: :func:`digest.times.cron_trigger`).
_CRON_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_ITEM = re.compile(r"\*(?:/([0-9]{1,3}))?|([0-9]{1,3})(?:-([0-9]{1,3})(?:/([0-9]{1,3}))?)?")


def plain_schedule(schedule: str) -> bool:
    """Whether a cron expression is plainly valid and fires, without loading APScheduler
    (its cron parser and tzlocal: 34M instructions, 1% of an unchanged `digest collect`,
    in every command that loads the configuration): five fields of numbers, ranges,
    stars and steps within APScheduler's bounds, and a day of the month any month has.
    False only means "not plainly": :func:`schedule_problem` then asks APScheduler."""
    fields = schedule.split()
    if len(fields) != 5:
        return False
    any_month = False
    for n, (field, (low, high)) in enumerate(zip(fields, _CRON_BOUNDS, strict=True)):
        for item in field.split(","):
            match = _CRON_ITEM.fullmatch(item)
            if match is None:
                return False
            star_step, first, last, step = match.groups()
            if first is None:  # "*" or "*/step"
                if star_step is not None and not 1 <= int(star_step) <= high - low:
                    return False
                any_month = any_month or n == 2
                continue
            start, end = int(first), int(last if last is not None else first)
            if not low <= start <= end <= high or (step and not 1 <= int(step) <= end - start):
                return False
            any_month = any_month or (n == 2 and start <= 28)
    return any_month


def schedule_problem(schedule: str, tz: str) -> str | None:
    """What is wrong with a list's cron expression in its time zone, or None."""
    if plain_schedule(schedule):
        return None
    from digest.times import cron_trigger

    try:
        cron_trigger(schedule, ZoneInfo(tz))
    except ValueError as exc:
        return f"a cron expression 'min hour day month dow' ({exc})"
    if not fires(schedule, tz):
        return "a cron expression that fires; this one never does"
    return None


def fires(schedule: str, tz: str, years: int = 30) -> bool:
    """Whether a cron expression fires at all within `years` (31 February never does)."""
    from digest.times import cron_trigger

    zone = ZoneInfo(tz)
    now = datetime.now(zone)  # load time; a schedule that fires at all fires within 28 years
    trigger = cron_trigger(schedule, zone, end_date=now + timedelta(days=366 * years))
    return trigger.get_next_fire_time(None, now) is not None


def known_locale(tag: Any) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(str(tag).replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


#: Hosts an http:// base_url may name: this machine, for a local test.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def public_base(v: Any) -> bool:
    """An https:// URL with a host, or http:// on this machine only: the links mailed
    from it carry signed tokens, and mail providers take one-click unsubscribe (RFC
    8058; Gmail and Yahoo require it of bulk senders) only over https."""
    from urllib.parse import urlsplit

    if not isinstance(v, str) or not one_line(v):
        return False
    try:
        parts = urlsplit(v)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme == "https":
        return bool(host)
    return parts.scheme == "http" and (host in LOCAL_HOSTS or host.endswith(".localhost"))
