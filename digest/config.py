"""Load `digest.toml` into typed, immutable settings.

Every key is checked: an unknown key, a wrong type or a bad value fails with a
:class:`~digest.errors.ConfigError` naming the file, the key and what is allowed.
Secrets (the SMTP password, the signing key) never come from this file: only from
the environment, under the names given in :class:`TransportSettings` and
:class:`Settings`. This module reads files; it opens no connection.
"""

from __future__ import annotations

import math
import os
import re
import string
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from digest import keys
from digest.errors import ConfigError

T = TypeVar("T")

DEFAULT_SUBJECT = "{lead} | {name}, {date}"
SUBJECT_FIELDS = ("lead", "name", "date")  # what digest.render fills a subject with
SECRET_ENV = keys.SECRET_ENV  # signs tokens; keys.OLD_ENV: retired keys that still verify
SMTP_PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"
DKIM_KEY_ENV = "DIGEST_DKIM_KEY"  # the DKIM private key (PEM), instead of a key file
DKIM_ED25519_KEY_ENV = "DIGEST_DKIM_ED25519_KEY"  # the second (Ed25519) DKIM key, PEM
BOUNCES_PASSWORD_ENV = "DIGEST_BOUNCES_PASSWORD"  # the bounce mailbox's IMAP password
MAILGUN_KEY_ENV = "DIGEST_MAILGUN_SIGNING_KEY"  # verifies Mailgun's webhook signatures


@dataclass(frozen=True, slots=True)
class DkimSettings:
    """`[newsletter.dkim]`: sign every message with this selector and domain."""

    selector: str
    domain: str
    key_file: Path | None = None  # PEM private key; $DIGEST_DKIM_KEY wins when set
    #: A second signature (RFC 8463 dual signing) with an Ed25519 key under this selector;
    #: the key from $DIGEST_DKIM_ED25519_KEY or `ed25519_key_file`.
    ed25519_selector: str | None = None
    ed25519_key_file: Path | None = None

    def private_key(self) -> tuple[bytes, str] | None:
        """The PEM key and where it came from (for error messages; never the key itself)."""
        return _pem(DKIM_KEY_ENV, self.key_file)

    def second_key(self) -> tuple[bytes, str] | None:
        """The Ed25519 key's PEM and origin when `ed25519_selector` is set."""
        if self.ed25519_selector is None:
            return None
        found = _pem(DKIM_ED25519_KEY_ENV, self.ed25519_key_file)
        if found is None:
            raise ConfigError(
                f"newsletter.dkim.ed25519_selector needs a key: set ${DKIM_ED25519_KEY_ENV} "
                "(PEM) or newsletter.dkim.ed25519_key_file"
            )
        return found


def _pem(env: str, path: Path | None) -> tuple[bytes, str] | None:
    key = os.environ.get(env)
    if key:
        return key.encode(), f"${env}"
    if path is None:
        return None
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the DKIM private key: {exc.strerror}") from None


@dataclass(frozen=True, slots=True)
class NewsletterSettings:
    name: str
    sender: str  # "Name <address>"
    base_url: str  # public https root for unsubscribe, web view, archive
    language: str = "en"
    address: str = ""  # postal address shown in the footer (CAN-SPAM)
    subject: str = DEFAULT_SUBJECT  # template; fields: lead, name, date
    reply_to: str | None = None
    utm: Mapping[str, str] = field(default_factory=dict)  # utm_* added to story links
    dkim: DkimSettings | None = None  # sign messages (DKIM) when set


@dataclass(frozen=True, slots=True)
class SourceSettings:
    name: str
    url: str | None = None  # http(s)://, file: or a path to a feed
    path: Path | None = None  # a folder of article files (resolved against the config)
    weight: float = 1.0
    section: str | None = None


@dataclass(frozen=True, slots=True)
class EditionSettings:
    leads: int = 3
    teasers: int = 8
    lead_words: int = 120
    teaser_words: int = 40
    half_life_hours: float = 24.0
    max_leads_per_source: int = 1
    max_teasers_per_source: int = 2  # teasers credited to one outlet (relaxed when short)
    cluster_window_hours: float = 72.0  # reports further apart are never one story
    max_age_hours: float | None = 72.0
    min_stories: int = 1
    # A variant (the sections a subscriber chose) with fewer stories of its own gets the
    # whole edition, with a note; loaded as min_stories when not set.
    min_variant_stories: int = 1
    # At most this many stories of a section in an edition ([edition.quotas] Culture = 2).
    quotas: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListSettings:
    name: str
    subscribers: Path | None = None  # CSV to import from (resolved against the config)
    schedule: str = "0 7 * * *"  # cron: minute hour day month day-of-week
    timezone: str = "UTC"
    title: str = ""  # shown to subscribers; defaults to the newsletter's name
    double_opt_in: bool = False
    approval: Literal["auto", "required"] = "auto"
    # The scheduler (`digest run`); see digest/schedule/ for the policies.
    delivery: Literal["list", "local"] = "list"  # local: each subscriber at the hour in their zone
    grace_minutes: int = 60  # a slot missed by up to this much still runs (misfire grace)
    build_ahead_minutes: int = 60  # build the edition this long before its slot
    collect_every_minutes: int = 60  # collect the sources this often between builds
    send_window: str | None = None  # e.g. "Mon-Fri 07:00-19:00" (the delivery zone's clock)


@dataclass(frozen=True, slots=True)
class TransportSettings:
    kind: Literal["smtp", "outbox", "memory"] = "outbox"
    path: Path = Path("outbox")  # for outbox
    host: str = "localhost"
    port: int = 25
    username: str | None = None
    security: Literal["none", "starttls", "tls"] = "none"
    timeout: float = 30.0
    rate_per_second: float | None = None  # whole send, divided among the workers
    rate_per_hour: int | None = None  # at most this many in any hour (seeded from the ledger)
    retries: int = 3  # transient failures (4xx, dropped connection) retried per message
    retry_delay: float = 1.0  # seconds before the first retry, doubled for each next one
    max_consecutive_failures: int = 25  # then the send pauses itself
    ca_file: Path | None = None  # PEM CA bundle to trust (verification is never turned off)

    @property
    def password(self) -> str | None:
        """From the environment only; never stored in the file or in logs."""
        return os.environ.get(SMTP_PASSWORD_ENV)


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str = "sqlite:///digest.db"


@dataclass(frozen=True, slots=True)
class QueueSettings:
    broker: str | None = None  # redis:// or amqp://: `digest send` fans out to workers
    name: str = "digest"  # the queue `digest send` fills and `digest worker` reads
    batch: int = 500  # subscribers per queued task (an id range)
    visibility_timeout: int = 3600  # Redis: seconds before an unacknowledged task is redelivered
    lease: int = 600  # seconds before a dead worker's claimed ledger rows are taken over


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """`digest serve`: who is trusted and how often a client may try things."""

    proxies: int = 0  # reverse proxies in front whose X-Forwarded-For is trusted (0: none)
    allow_private_fetch: bool = False  # "add a story by URL" may fetch loopback/private hosts
    login_limit: int = 5  # login attempts per address typed, per window
    login_client_limit: int = 20  # login attempts per client address, per window
    login_window_seconds: int = 900
    subscribe_client_limit: int = 10  # subscribe form posts per client address, per window
    subscribe_address_limit: int = 3  # subscribe form posts per email address, per window
    subscribe_window_seconds: int = 3600


@dataclass(frozen=True, slots=True)
class BounceSettings:
    """`[bounces]`: where reports come back and what they do."""

    #: The VERP base address: each message's envelope sender is `local+TAG@domain`, so a
    #: bounce names its edition and subscriber. None: the sender's address, no VERP.
    return_path: str | None = None
    #: maildir:PATH, mbox:PATH, imaps://USER@HOST[:PORT]/FOLDER or imap://... (STARTTLS);
    #: the IMAP password comes from $DIGEST_BOUNCES_PASSWORD.
    mailbox: str | None = None
    processed: Literal["move", "flag", "delete"] = "move"  # what happens to a read report
    processed_folder: str = "Processed"  # IMAP folder / maildir subfolder for "move"
    soft_limit: int = 3  # soft bounces in consecutive editions before suppression
    poll_minutes: int = 15  # `digest run` reads the mailbox this often (0: never)
    #: Act on reports without a signed VERP tag, by the address they name. Off by
    #: default: anyone can mail a forged report naming someone else's address.
    trust_unsigned: bool = False
    sns_topic_arn: str | None = None  # Amazon SES via SNS: the only topic accepted
    sns_certificate: Path | None = None  # a pinned SNS signing certificate (PEM)
    complaint_warning: float = 0.001  # warn when an edition's complaints pass this rate
    ca_file: Path | None = None  # CA certificates to trust for the IMAP server (PEM)

    def password(self) -> str | None:
        return os.environ.get(BOUNCES_PASSWORD_ENV)


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path  # the configuration file
    newsletter: NewsletterSettings
    sources: tuple[SourceSettings, ...]
    edition: EditionSettings
    lists: tuple[ListSettings, ...]
    transport: TransportSettings
    database: DatabaseSettings
    queue: QueueSettings
    serve: ServeSettings = ServeSettings()
    bounces: BounceSettings = field(default_factory=BounceSettings)

    @property
    def root(self) -> Path:
        """The project folder: relative paths in the file are resolved against it."""
        return self.path.parent

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def list(self, name: str | None) -> ListSettings:
        if name is None:
            return self.lists[0]
        for item in self.lists:
            if item.name == name:
                return item
        names = ", ".join(x.name for x in self.lists)
        raise ConfigError(f"{self.path}: no list named {name!r} (lists: {names})")

    @property
    def secret_key(self) -> str:
        """The key that signs: $DIGEST_SECRET_KEY, else the first of `.digest-secret`
        beside this file (created atomically on first use, so that a laptop install
        works without setup and tokens stay valid across runs). See digest.keys."""
        return self.secret_keys[0]

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The signing key, then the retired keys that still verify (a rotation's grace)."""
        found = keys.load_keys(self.root)
        assert found is not None
        return found.all


class _Table:
    """A TOML table being read: tracks the keys used, so leftovers can be reported."""

    def __init__(self, file: Path, where: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: [{where}] must be a table, not {type(data).__name__}")
        self.file, self.where, self.data = file, where, data
        self.allowed: list[str] = []

    def _key(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, allowed: str) -> ConfigError:
        value = self.data.get(key)
        return ConfigError(f"{self.file}: {self._key(key)} = {value!r} is not allowed; {allowed}")

    def get(self, key: str, kind: type[T] | tuple[type, ...], default: Any, what: str) -> Any:
        self.allowed.append(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise ConfigError(f"{self.file}: missing key {self._key(key)} ({what})")
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
            raise ConfigError(
                f"{self.file}: unknown key {self._key(extra[0])!r} in {where}; "
                f"allowed: {', '.join(self.allowed)}"
            )


_REQUIRED = object()


def _positive(v: Any) -> bool:
    """A finite number > 0 (TOML's inf and nan are floats too)."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0


def _non_negative(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v >= 0


def _one_line(v: Any) -> bool:
    """No line break or other control character: the value may end up in a mail header."""
    return isinstance(v, str) and not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in v)


def _one_address(v: Any) -> bool:
    """Exactly one mailbox, `address@domain` or `Name <address@domain>`, on one line."""
    from email.headerregistry import AddressHeader, HeaderRegistry

    if not _one_line(v) or not v.strip():
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


def _subject_template(v: Any) -> bool:
    """One line; only the fields {lead}, {name}, {date}, with format specs that work."""
    if not _one_line(v):
        return False
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(v) if name is not None]
        if any(name not in SUBJECT_FIELDS for name in names):
            return False
        v.format(**dict.fromkeys(SUBJECT_FIELDS, "x"))
    except (ValueError, KeyError, IndexError):
        return False
    return True


def _hide_password(url: str) -> str:
    return re.sub(r"(//[^/@:]*):[^/@]*@", r"\1:***@", url)


def _database_url(file: Path, url: str) -> None:
    """A URL SQLAlchemy can use, for SQLite or PostgreSQL; the error hides a password."""
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
        except ValueError as exc:
            problem = f"a well-formed sqlite:/// or postgresql:// URL ({exc})"
        else:
            if scheme == "sqlite" and not parsed.database:
                problem = "a SQLite file (sqlite:///digest.db); an in-memory database keeps nothing"
            elif scheme == "postgresql" and not (parsed.host or parsed.query.get("host")):
                problem = "a PostgreSQL URL with a host, e.g. postgresql://user@host/dbname"
    if problem:
        shown = _hide_password(url)
        raise ConfigError(f"{file}: database.url = {shown!r} is not allowed; {problem}")


def _fires(schedule: str, tz: str, years: int = 30) -> bool:
    """Whether a cron expression fires at all within `years` (31 February never does)."""
    minute, hour, day, month, dow = schedule.split()
    zone = ZoneInfo(tz)
    now = datetime.now(zone)  # load time; a schedule that fires at all fires within 28 years
    trigger = CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=dow,
        timezone=zone,
        end_date=now + timedelta(days=366 * years),
    )
    return trigger.get_next_fire_time(None, now) is not None


def _newsletter(file: Path, raw: Any) -> NewsletterSettings:
    t = _Table(file, "newsletter", raw)
    name = t.get("name", str, _REQUIRED, "a string, the newsletter's name")
    t.check("name", _one_line, "one line of text (no line breaks or control characters)")
    sender = t.get("sender", str, _REQUIRED, 'a string like "Name <address@example.org>"')
    t.check("sender", _one_address, 'one address like "Name <address@example.org>", one line')
    base_url = t.get("base_url", str, _REQUIRED, "an https:// URL")
    t.check("base_url", lambda v: v.startswith(("https://", "http://")), "an http(s):// URL")
    language = t.get("language", str, "en", "a language tag such as en, da or de")
    t.check("language", _known_locale, "a language tag Babel knows, such as en, da or de")
    address = t.get("address", str, "", "the sender's postal address")
    subject = t.get("subject", str, DEFAULT_SUBJECT, "a subject template")
    t.check(
        "subject",
        _subject_template,
        "one line using only the fields {lead}, {name} and {date} (write {{ for a brace)",
    )
    reply_to = t.get("reply_to", str, None, "an address")
    t.check("reply_to", _one_address, 'one address like "Name <address@example.org>", one line')
    utm = t.get("utm", dict, {}, "a table of utm_* parameters")
    t.check("utm", lambda v: all(isinstance(x, str) for x in v.values()), "string values")
    raw_dkim = t.get("dkim", dict, None, "a [newsletter.dkim] table")
    t.done()
    dkim = _dkim(file, raw_dkim) if raw_dkim is not None else None
    return NewsletterSettings(
        name, sender, base_url.rstrip("/"), language, address, subject, reply_to, dict(utm), dkim
    )


def _known_locale(tag: Any) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(str(tag).replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return True


def _dkim(file: Path, raw: Any) -> DkimSettings:
    t = _Table(file, "newsletter.dkim", raw)
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    selector = t.get("selector", str, _REQUIRED, "the DNS selector, e.g. 'digest2026'")
    t.check("selector", lambda v: bool(re.fullmatch(rf"{label}(\.{label})*", v)), "a DNS label")
    domain = t.get("domain", str, _REQUIRED, "the signing domain, e.g. 'example.org'")
    t.check("domain", lambda v: bool(re.fullmatch(rf"{label}(\.{label})+", v)), "a domain name")
    key_file = t.get(
        "key_file", str, None, f"a PEM private key file (or set ${DKIM_KEY_ENV} instead)"
    )
    second = t.get("ed25519_selector", str, None, "the Ed25519 key's DNS selector")
    if second is not None:
        t.check(
            "ed25519_selector",
            lambda v: bool(re.fullmatch(rf"{label}(\.{label})*", v)),
            "a DNS label",
        )
    second_file = t.get("ed25519_key_file", str, None, "a PEM Ed25519 private key file")
    if "private_key" in t.data or "key" in t.data:
        raise ConfigError(
            f"{file}: the DKIM private key is not read from the file; set ${DKIM_KEY_ENV} "
            "or newsletter.dkim.key_file"
        )
    t.done()
    path = (file.parent / key_file).resolve() if key_file else None
    if path is not None and not path.is_file():
        raise t.fail("key_file", f"no such file: {path}")
    second_path = (file.parent / second_file).resolve() if second_file else None
    if second_path is not None and not second_path.is_file():
        raise t.fail("ed25519_key_file", f"no such file: {second_path}")
    return DkimSettings(selector, domain, path, second, second_path)


def _source(file: Path, i: int, raw: Any) -> SourceSettings:
    t = _Table(file, f"sources[{i}]", raw)
    name = t.get("name", str, _REQUIRED, "the source's name")
    t.check("name", _one_line, "one line of text (no line breaks or control characters)")
    url = t.get("url", str, None, "a feed URL, file: URL or path")
    path = t.get("path", str, None, "a folder of article files")
    weight = t.get("weight", float, 1.0, "a number > 0")
    t.check("weight", _positive, "a number > 0")
    section = t.get("section", str, None, "a section name")
    t.check("section", _one_line, "one line of text (no line breaks or control characters)")
    t.done()
    if (url is None) == (path is None):
        raise ConfigError(f"{file}: sources[{i}] ({name}) needs exactly one of url or path")
    folder = (file.parent / path).resolve() if path is not None else None
    if url is not None and "://" not in url and not url.startswith("file:"):
        url = str((file.parent / url).resolve())
    return SourceSettings(name, url, folder, float(weight), section)


def _edition(file: Path, raw: Any) -> EditionSettings:
    t = _Table(file, "edition", raw)
    d = EditionSettings()
    values = {}
    for key in (
        "leads",
        "teasers",
        "lead_words",
        "teaser_words",
        "max_leads_per_source",
        "max_teasers_per_source",
        "min_stories",
    ):
        values[key] = t.get(key, int, getattr(d, key), "a whole number ≥ 0")
        t.check(key, lambda v: isinstance(v, int) and v >= 0, "a whole number ≥ 0")
    most = values["leads"] + values["teasers"]
    values["min_variant_stories"] = t.get(
        "min_variant_stories", int, values["min_stories"], f"a whole number from 0 to {most}"
    )
    t.check(
        "min_variant_stories",
        lambda v: 0 <= v <= most,
        f"a whole number from 0 to {most} (edition.leads + edition.teasers)",
    )
    for key in ("half_life_hours", "max_age_hours", "cluster_window_hours"):
        values[key] = t.get(key, float, getattr(d, key), "a number of hours > 0")
        t.check(key, _positive, "a number of hours > 0")
    quotas = t.get("quotas", dict, {}, "a table of section = whole number")
    t.check(
        "quotas",
        lambda v: all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in v.values()
        ),
        "a table of section = whole number ≥ 0",
    )
    t.done()
    return EditionSettings(**values, quotas=dict(quotas))


def _list(file: Path, i: int, raw: Any) -> ListSettings:
    t = _Table(file, f"lists[{i}]", raw)
    name = t.get("name", str, _REQUIRED, "the list's name")
    t.check(
        "name", lambda v: v.replace("-", "").replace("_", "").isalnum(), "letters, digits, - and _"
    )
    subs = t.get("subscribers", str, None, "a CSV file")
    schedule = t.get("schedule", str, "0 7 * * *", "a cron expression")
    tz = t.get("timezone", str, "UTC", "an IANA time zone such as Europe/Copenhagen")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.fail("timezone", "an IANA time zone such as Europe/Copenhagen") from None
    try:
        CronTrigger.from_crontab(schedule, timezone=ZoneInfo(tz))
    except ValueError as exc:
        raise t.fail("schedule", f"a cron expression 'min hour day month dow' ({exc})") from None
    if not _fires(schedule, tz):
        raise t.fail("schedule", "a cron expression that fires; this one never does")
    title = t.get("title", str, "", "the list's title")
    t.check("title", _one_line, "one line of text (no line breaks or control characters)")
    double = t.get("double_opt_in", bool, False, "true or false")
    approval = t.get("approval", str, "auto", '"auto" or "required"')
    t.check("approval", lambda v: v in ("auto", "required"), '"auto" or "required"')
    delivery = t.get("delivery", str, "list", '"list" or "local"')
    t.check("delivery", lambda v: v in ("list", "local"), '"list" or "local"')
    minutes = {}
    for key, default in (("grace_minutes", 60), ("build_ahead_minutes", 60)):
        minutes[key] = t.get(key, int, default, "a whole number of minutes ≥ 0")
        t.check(key, lambda v: v >= 0, "a whole number of minutes ≥ 0")
    collect_every = t.get("collect_every_minutes", int, 60, "a whole number of minutes ≥ 1")
    t.check("collect_every_minutes", lambda v: v >= 1, "a whole number of minutes ≥ 1")
    window = t.get("send_window", str, None, 'days and hours like "Mon-Fri 07:00-19:00"')
    if window is not None:
        from digest.times import parse_window

        try:
            parse_window(window)
        except ValueError as exc:
            raise t.fail(
                "send_window", f'days and hours like "Mon-Fri 07:00-19:00" ({exc})'
            ) from None
    t.done()
    path = (file.parent / subs).resolve() if subs else None
    return ListSettings(
        name,
        path,
        schedule,
        tz,
        title,
        double,
        approval,
        delivery=delivery,
        grace_minutes=minutes["grace_minutes"],
        build_ahead_minutes=minutes["build_ahead_minutes"],
        collect_every_minutes=collect_every,
        send_window=window,
    )


def _transport(file: Path, raw: Any) -> TransportSettings:
    t = _Table(file, "transport", raw)
    kind = t.get("kind", str, "outbox", '"smtp", "outbox" or "memory"')
    t.check("kind", lambda v: v in ("smtp", "outbox", "memory"), '"smtp", "outbox" or "memory"')
    path = t.get("path", str, "outbox", "a folder for .eml files")
    host = t.get("host", str, "localhost", "a host name")
    port = t.get("port", int, 25, "a port number 1-65535")
    t.check("port", lambda v: isinstance(v, int) and 0 < v < 65536, "a port number 1-65535")
    username = t.get(
        "username", str, None, f"a user name (the password comes from ${SMTP_PASSWORD_ENV})"
    )
    security = t.get("security", str, "none", '"none", "starttls" or "tls"')
    t.check("security", lambda v: v in ("none", "starttls", "tls"), '"none", "starttls", "tls"')
    timeout = t.get("timeout", float, 30.0, "seconds > 0")
    t.check("timeout", _positive, "seconds > 0")
    rate = t.get("rate_per_second", float, None, "messages per second > 0")
    t.check("rate_per_second", _positive, "messages per second > 0")
    per_hour = t.get("rate_per_hour", int, None, "a whole number of messages per hour > 0")
    t.check("rate_per_hour", _positive, "a whole number of messages per hour > 0")
    retries = t.get("retries", int, 3, "a whole number of retries ≥ 0")
    t.check("retries", _non_negative, "a whole number of retries ≥ 0")
    retry_delay = t.get("retry_delay", float, 1.0, "seconds ≥ 0")
    t.check("retry_delay", _non_negative, "seconds ≥ 0")
    max_failures = t.get("max_consecutive_failures", int, 25, "a whole number > 0")
    t.check("max_consecutive_failures", _positive, "a whole number > 0")
    ca_file = t.get("ca_file", str, None, "a PEM file of CA certificates to trust")
    ca_path = (file.parent / ca_file).resolve() if ca_file else None
    if ca_path is not None and not ca_path.is_file():
        raise t.fail("ca_file", f"no such file: {ca_path}")
    if "password" in t.data:
        raise ConfigError(
            f"{file}: transport.password is not read from the file; set "
            f"${SMTP_PASSWORD_ENV} in the environment instead"
        )
    t.done()
    return TransportSettings(
        kind,
        (file.parent / path).resolve(),
        host,
        port,
        username,
        security,
        timeout,
        rate,
        rate_per_hour=per_hour,
        retries=retries,
        retry_delay=retry_delay,
        max_consecutive_failures=max_failures,
        ca_file=ca_path,
    )


def load(path: str | Path) -> Settings:
    """Read and check a configuration file; raise ConfigError naming what is wrong."""
    file = Path(path).resolve()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{file}: no such configuration file (digest init DIR makes one)"
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    top = _Table(file, "", raw)
    news = _newsletter(file, top.get("newsletter", dict, _REQUIRED, "a [newsletter] table"))
    srcs = top.get("sources", list, [], "an array of [[sources]] tables")
    sources = tuple(_source(file, i, s) for i, s in enumerate(srcs))
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"{file}: two sources are named {dup!r}; names must be unique")
    edition = _edition(file, top.get("edition", dict, {}, "an [edition] table"))
    raw_lists = top.get("lists", list, [], "an array of [[lists]] tables")
    lists = tuple(_list(file, i, x) for i, x in enumerate(raw_lists))
    if not lists:
        raise ConfigError(f"{file}: at least one [[lists]] table is needed")
    if len({x.name for x in lists}) != len(lists):
        raise ConfigError(f"{file}: list names must be unique")
    transport = _transport(file, top.get("transport", dict, {}, "a [transport] table"))
    db = _Table(file, "database", top.get("database", dict, {}, "a [database] table"))
    url = db.get(
        "url", str, "sqlite:///digest.db", "a SQLAlchemy URL (sqlite:/// or postgresql://)"
    )
    _database_url(file, url)
    db.done()
    if (
        url.startswith("sqlite:///")
        and not url.startswith("sqlite:////")
        and url != "sqlite:///:memory:"
    ):
        url = "sqlite:///" + str((file.parent / url.removeprefix("sqlite:///")).resolve())
    q = _Table(file, "queue", top.get("queue", dict, {}, "a [queue] table"))
    broker = q.get("broker", str, None, "a redis:// or amqp:// URL")
    q.check(
        "broker",
        lambda v: v.startswith(("redis://", "amqp://", "rediss://", "amqps://")),
        "a redis:// or amqp:// URL",
    )
    queue_name = q.get("name", str, "digest", "a queue name")
    q.check("name", lambda v: bool(re.fullmatch(r"[\w.@-]+", v)), "letters, digits, . _ - @")
    numbers: dict[str, int] = {}
    for key, what in (
        ("batch", "a whole number of subscribers > 0"),
        ("visibility_timeout", "whole seconds > 0"),
        ("lease", "whole seconds > 0"),
    ):
        numbers[key] = q.get(key, int, getattr(QueueSettings(), key), what)
        q.check(key, _positive, what)
    q.done()
    serve = _serve(file, top.get("serve", dict, {}, "a [serve] table"))
    bounces = _bounces(file, top.get("bounces", dict, {}, "a [bounces] table"))
    top.done()
    keys.load_keys(file.parent, create=False)  # a short or empty key: refused at once
    queue = QueueSettings(broker, queue_name, **numbers)
    return Settings(
        file, news, sources, edition, lists, transport, DatabaseSettings(url), queue, serve, bounces
    )


def _serve(file: Path, raw: Any) -> ServeSettings:
    t = _Table(file, "serve", raw)
    proxies = t.get("proxies", int, 0, "the number of reverse proxies in front (0-5)")
    t.check("proxies", lambda v: 0 <= v <= 5, "the number of reverse proxies in front (0-5)")
    private = t.get("allow_private_fetch", bool, False, "true or false")
    numbers: dict[str, int] = {}
    for key in (
        "login_limit",
        "login_client_limit",
        "login_window_seconds",
        "subscribe_client_limit",
        "subscribe_address_limit",
        "subscribe_window_seconds",
    ):
        numbers[key] = t.get(key, int, getattr(ServeSettings(), key), "a whole number > 0")
        t.check(key, _positive, "a whole number > 0")
    t.done()
    return ServeSettings(proxies, private, **numbers)


_ADDR = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


def _bounces(file: Path, raw: Any) -> BounceSettings:
    t = _Table(file, "bounces", raw)
    d = BounceSettings()
    return_path = t.get("return_path", str, None, "an address, e.g. bounces@example.org")
    t.check(
        "return_path",
        lambda v: bool(_ADDR.fullmatch(v)) and "+" not in v,
        "a plain address without '+', e.g. bounces@example.org",
    )
    mailbox = t.get("mailbox", str, None, "maildir:PATH, mbox:PATH, imaps://USER@HOST/FOLDER")
    t.check(
        "mailbox",
        lambda v: v.startswith(("maildir:", "mbox:", "imaps://", "imap://")),
        "maildir:PATH, mbox:PATH, imaps://USER@HOST/FOLDER or imap://USER@HOST/FOLDER",
    )
    if mailbox and mailbox.startswith(("maildir:", "mbox:")):
        kind, _, where = mailbox.partition(":")
        mailbox = f"{kind}:{(file.parent / where).resolve()}"
    processed = t.get("processed", str, d.processed, '"move", "flag" or "delete"')
    t.check("processed", lambda v: v in ("move", "flag", "delete"), '"move", "flag" or "delete"')
    folder = t.get("processed_folder", str, d.processed_folder, "a folder name")
    t.check("processed_folder", lambda v: bool(re.fullmatch(r"[\w. -]+", v)), "a folder name")
    soft = t.get("soft_limit", int, d.soft_limit, "a whole number > 0")
    t.check("soft_limit", _positive, "a whole number > 0")
    poll = t.get("poll_minutes", int, d.poll_minutes, "whole minutes ≥ 0")
    t.check("poll_minutes", _non_negative, "whole minutes ≥ 0")
    trust = t.get("trust_unsigned", bool, d.trust_unsigned, "true or false")
    topic = t.get("sns_topic_arn", str, None, "an SNS topic ARN (arn:aws:sns:...)")
    t.check("sns_topic_arn", lambda v: v.startswith("arn:aws:sns:"), "an ARN arn:aws:sns:...")
    cert = t.get("sns_certificate", str, None, "a PEM file")
    cert_path = (file.parent / cert).resolve() if cert else None
    if cert_path is not None and not cert_path.is_file():
        raise t.fail("sns_certificate", f"no such file: {cert_path}")
    warning = t.get("complaint_warning", float, d.complaint_warning, "a rate between 0 and 1")
    t.check("complaint_warning", lambda v: 0 < v < 1, "a rate between 0 and 1")
    ca = t.get("ca_file", str, None, "a PEM file of CA certificates to trust")
    ca_path = (file.parent / ca).resolve() if ca else None
    if ca_path is not None and not ca_path.is_file():
        raise t.fail("ca_file", f"no such file: {ca_path}")
    t.done()
    return BounceSettings(
        return_path,
        mailbox,
        processed,
        folder,
        soft,
        poll,
        trust,
        topic,
        cert_path,
        warning,
        ca_path,
    )
