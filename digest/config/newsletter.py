"""Read the tables that say what the newsletter is and when it goes out: `[newsletter]`
(with `[newsletter.dkim]`), `[[sources]]`, `[edition]` and `[[lists]]`.

Each function checks one table with :class:`~digest.config.checks.Table` and returns
its settings record; paths in the file are resolved against the file's folder. Nothing
here reads the file itself or another table (that is :func:`digest.config.load`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digest.config.checks import (
    REQUIRED,
    Table,
    key_line,
    known_locale,
    one_address,
    one_line,
    positive,
    public_base,
    schedule_problem,
    subject_template,
)
from digest.config.settings import (
    DEFAULT_SUBJECT,
    DKIM_KEY_ENV,
    DkimSettings,
    EditionSettings,
    ListSettings,
    NewsletterSettings,
    SourceSettings,
)
from digest.errors import ConfigError

#: The longest source name, section and list name the database holds (its columns:
#: sources.name and articles.section are String(200), lists.name String(100)); a
#: longer one failed every collect or build on PostgreSQL with a DataError.
MAX_SOURCE_NAME = 200
MAX_SECTION = 200
MAX_LIST_NAME = 100
#: The most hours `[edition]` may count back (about 1,140 years).
MAX_HOURS = 10_000_000
#: `[newsletter] images`: lead images hosted by digest, left at the feed's address, or none.
IMAGE_MODES = ("hosted", "remote", "none")


def read_newsletter(file: Path, raw: Any) -> NewsletterSettings:
    t = Table(file, "newsletter", raw)
    name = t.get("name", str, REQUIRED, "a string, the newsletter's name")
    t.check("name", one_line, "one line of text (no line breaks or control characters)")
    sender = t.get("sender", str, REQUIRED, 'a string like "Name <address@example.org>"')
    t.check("sender", one_address, 'one address like "Name <address@example.org>", one line')
    base_url = t.get("base_url", str, REQUIRED, "an https:// URL")
    t.check(
        "base_url",
        public_base,
        "an https:// URL (http:// only for localhost): unsubscribe and preferences links "
        "carry signed tokens, and mail providers offer one-click unsubscribe only over https",
    )
    language = t.get("language", str, "en", "a language tag such as en, da, de or fr")
    t.check("language", known_locale, "a language tag Babel knows, such as en, da, de or fr")
    address = t.get("address", str, "", "the sender's postal address")
    subject = t.get("subject", str, DEFAULT_SUBJECT, "a subject template")
    t.check(
        "subject",
        subject_template,
        "one line using only the fields {lead}, {name} and {date} (write {{ for a brace)",
    )
    reply_to = t.get("reply_to", str, None, "an address")
    t.check("reply_to", one_address, 'one address like "Name <address@example.org>", one line')
    utm = t.get("utm", dict, {}, "a table of utm_* parameters")
    t.check("utm", lambda v: all(isinstance(x, str) for x in v.values()), "string values")
    raw_dkim = t.get("dkim", dict, None, "a [newsletter.dkim] table")
    images = t.get("images", str, "hosted", 'one of "hosted", "remote" or "none"')
    t.check("images", lambda v: v in IMAGE_MODES, 'one of "hosted", "remote" or "none"')
    t.done()
    dkim = read_dkim(file, raw_dkim) if raw_dkim is not None else None
    return NewsletterSettings(
        name,
        sender,
        base_url.rstrip("/"),
        language,
        address,
        subject,
        reply_to,
        dict(utm),
        dkim,
        images=images,
    )


def read_dkim(file: Path, raw: Any) -> DkimSettings:
    t = Table(file, "newsletter.dkim", raw)
    label = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    selector = t.get("selector", str, REQUIRED, "the DNS selector, e.g. 'digest2026'")
    t.check("selector", lambda v: bool(re.fullmatch(rf"{label}(\.{label})*", v)), "a DNS label")
    domain = t.get("domain", str, REQUIRED, "the signing domain, e.g. 'example.org'")
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
            f"{t.at('private_key' if 'private_key' in t.data else 'key')}: the DKIM private "
            f"key is not read from the file; set ${DKIM_KEY_ENV} "
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


def read_source(file: Path, i: int, raw: Any, zone: str = "UTC") -> SourceSettings:
    """sources[i]; `zone` is its time zone when it names none."""
    t = Table(file, f"sources[{i}]", raw)
    name = t.get("name", str, REQUIRED, "the source's name")
    t.check(
        "name",
        lambda v: one_line(v) and len(v) <= MAX_SOURCE_NAME,
        f"one line of text (no line breaks or control characters), at most "
        f"{MAX_SOURCE_NAME} characters",
    )
    url = t.get("url", str, None, "a feed URL, file: URL or path")
    path = t.get("path", str, None, "a folder of article files")
    weight = t.get("weight", float, 1.0, "a number > 0")
    t.check("weight", positive, "a number > 0")
    section = t.get("section", str, None, "a section name")
    t.check(
        "section",
        lambda v: one_line(v) and len(v) <= MAX_SECTION,
        f"one line of text (no line breaks or control characters), at most "
        f"{MAX_SECTION} characters",
    )
    outlet = t.get(
        "outlet", str, None, "a string: the publisher's name, the same on each of its sources"
    )
    t.check(
        "outlet",
        lambda v: bool(v.strip()) and one_line(v) and len(v) <= MAX_SOURCE_NAME,
        f"one line of text (not empty, no line breaks or control characters), at most "
        f"{MAX_SOURCE_NAME} characters",
    )
    tz = t.get("timezone", str, zone, "an IANA time zone such as Europe/Copenhagen")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.fail("timezone", "an IANA time zone such as Europe/Copenhagen") from None
    t.done()
    if (url is None) == (path is None):
        raise ConfigError(f"{t.at()}: sources[{i}] ({name}) needs exactly one of url or path")
    folder = (file.parent / path).resolve() if path is not None else None
    if url is not None and "://" not in url and not url.startswith("file:"):
        url = str((file.parent / url).resolve())
    return SourceSettings(name, url, folder, float(weight), section, tz, outlet)


def check_one_source_a_feed(file: Path, sources: tuple[SourceSettings, ...]) -> None:
    """ConfigError naming the second of two sources that read the same feed (scheme and
    host in any case, the default port and a #fragment aside): each story would be
    stored under both names and an edition shows a story once, so the second would add
    nothing, its section and weight never used. Two folders are two sources' own files
    (their keys name the source), so only feeds are compared."""
    seen: dict[str, str] = {}
    for i, source in enumerate(sources):
        if source.url is None:
            continue
        first = seen.setdefault(_feed_address(source.url), source.name)
        if first != source.name:
            line = key_line(file, f"sources[{i}]", None)
            raise ConfigError(
                f"{file}:{line or '?'}: sources {first!r} and {source.name!r} read the same "
                f"feed ({_shown_url(sources, first)}); keep one of the two (each story "
                "would be stored twice and shown once, under one of them)"
            )


def _shown_url(sources: tuple[SourceSettings, ...], name: str) -> str:
    return next(s.url for s in sources if s.name == name and s.url)


def _feed_address(url: str) -> str:
    """`url` as the server reads it: "HTTPS://Herald.org:443/feed#x" is
    "https://herald.org/feed" (a path or query in another case is another feed)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return url
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        return url
    netloc = (
        parts.hostname
        if port in {None, 443 if scheme == "https" else 80}
        else (f"{parts.hostname}:{port}")
    )
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def read_edition(file: Path, raw: Any) -> EditionSettings:
    t = Table(file, "edition", raw)
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
        # More than about 2,000 years back from now is before year 1: build failed with
        # an OverflowError. A value meaning "any age" is better said with a big one.
        t.check(
            key,
            lambda v: positive(v) and v <= MAX_HOURS,
            f"a number of hours > 0 and at most {MAX_HOURS:,} (about 1,140 years)",
        )
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


def read_list(file: Path, i: int, raw: Any) -> ListSettings:
    t = Table(file, f"lists[{i}]", raw)
    name = t.get("name", str, REQUIRED, "the list's name")
    t.check(
        "name",
        lambda v: v.replace("-", "").replace("_", "").isalnum() and len(v) <= MAX_LIST_NAME,
        f"letters, digits, - and _, at most {MAX_LIST_NAME} characters",
    )
    subs = t.get("subscribers", str, None, "a CSV file")
    schedule = t.get("schedule", str, "0 7 * * *", "a cron expression")
    tz = t.get("timezone", str, "UTC", "an IANA time zone such as Europe/Copenhagen")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise t.fail("timezone", "an IANA time zone such as Europe/Copenhagen") from None
    if problem := schedule_problem(schedule, tz):
        raise t.fail("schedule", problem)
    title = t.get("title", str, "", "the list's title")
    t.check("title", one_line, "one line of text (no line breaks or control characters)")
    # Not set (None): the form's sign-ups confirm, an operator's adds do not.
    double = t.get("double_opt_in", bool, None, "true or false")
    welcome = t.get("welcome", bool, True, "true or false")
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
        welcome=welcome,
    )
