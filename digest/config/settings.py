"""The typed, immutable settings `digest.toml` is read into: one frozen record per table.

Each field says what it holds and its default; :func:`digest.config.load` fills them
after checking every key. Secrets (the SMTP password, the signing key) never come from
the file: only from the environment, under the names defined here, read when asked
for. This module defines records; it reads no configuration file and checks no value
(a DKIM key file is read only when its key is asked for).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from digest import keys
from digest.errors import ConfigError

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
    # Lead images: "hosted" (fetched once at build, served by `digest serve` under
    # base_url), "remote" (the feed's own address, as before), or "none".
    images: str = "hosted"


@dataclass(frozen=True, slots=True)
class SourceSettings:
    name: str
    url: str | None = None  # http(s)://, file: or a path to a feed
    path: Path | None = None  # a folder of article files (resolved against the config)
    weight: float = 1.0
    section: str | None = None
    # A date written without an offset (a folder's article, or a feed's date that names
    # no zone) is in this zone (default: the lists' zone when they all have one, else UTC).
    timezone: str = "UTC"
    # The publisher it is, when another source is the same one's ("BBC News" and "BBC
    # World": outlet = "BBC"): they share that outlet's per-outlet caps. None: its name.
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class EditionSettings:
    leads: int = 3
    teasers: int = 8
    lead_words: int = 120
    teaser_words: int = 40
    half_life_hours: float = 24.0
    max_leads_per_source: int = 1
    max_teasers_per_source: int = 2  # per outlet; passed for text only (digest.diversity)
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
    # Who must confirm by mail before they are sent anything (:meth:`confirms`): None
    # (not set) a sign-up on the public form; True everyone but an import; False nobody.
    double_opt_in: bool | None = None
    approval: Literal["auto", "required"] = "auto"
    # The scheduler (`digest run`); see digest/schedule/ for the policies.
    delivery: Literal["list", "local"] = "list"  # local: each subscriber at the hour in their zone
    grace_minutes: int = 60  # a slot missed by up to this much still runs (misfire grace)
    build_ahead_minutes: int = 60  # build the edition this long before its slot
    collect_every_minutes: int = 60  # collect the sources this often between builds
    send_window: str | None = None  # e.g. "Mon-Fri 07:00-19:00" (the delivery zone's clock)
    # A welcome message after a subscriber's first confirmation, or a single opt-in
    # sign-up on the subscribe form (digest.subscribers.welcome)
    welcome: bool = True

    def confirms(self, *, form: bool) -> bool:
        """Whether a new subscription waits, pending, for its confirmation link: a
        sign-up on the public form (`form`) unless `double_opt_in = false` is set; an
        operator's `subscribers add` only with `double_opt_in = true` (when unset, the
        operator records consent given elsewhere, as an import does)."""
        return form if self.double_opt_in is None else self.double_opt_in


def newsroom_zone(lists: tuple[ListSettings, ...]) -> str:
    """The project's time zone: its lists' own when they all share one, else UTC."""
    zones = {x.timezone for x in lists}
    return zones.pop() if len(zones) == 1 else "UTC"


@dataclass(frozen=True, slots=True)
class TransportSettings:
    # "memory" only in code (tests): digest.toml may not choose it (config.services)
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
    # use the server's PIPELINING (RFC 2920: one round trip a message); false for a
    # relay that offers it but mishandles it
    pipelining: bool = True
    #: seconds to connect and be greeted (TLS handshake included), each try: an
    #: address that never answers pauses the send after CONNECT_TRIES of these, not
    #: of `timeout` (which every later exchange, a slow DATA included, keeps)
    connect_timeout: float = 5.0

    @property
    def password(self) -> str | None:
        """From the environment only; never stored in the file or in logs."""
        return os.environ.get(SMTP_PASSWORD_ENV)


#: `[database] keep_days` when it is not set (see :attr:`Settings.keep_days`).
DEFAULT_KEEP_DAYS = 90
#: The most `[database] keep_days` may be (about 2,700 years; 0 keeps everything).
MAX_KEEP_DAYS = 1_000_000


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    url: str = "sqlite:///digest.db"
    #: Days an article's body (text and HTML) is kept once it is both first seen and
    #: published that long ago, unless an edition carries it; 0: kept for good. None:
    #: not set, so :attr:`Settings.keep_days` decides (90, or 0 when builds take
    #: articles of any age).
    keep_days: int | None = None


def min_keep_days(edition: EditionSettings) -> int | None:
    """The fewest days of article bodies a build needs: it reads articles back
    `max_age_hours` and one `cluster_window_hours` before that (:func:`digest.build.reach`:
    a story sent before keeps its later reports out through its reports too old to run),
    rounded up to whole days, and a day more (a build for a slot shortly before now, a
    clock a little off). None: builds read articles of any age (`max_age_hours` None)."""
    if edition.max_age_hours is None:
        return None
    hours = edition.max_age_hours + (edition.cluster_window_hours or 0.0)
    return math.ceil(hours / 24) + 1


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
    #: What the file says that is almost surely not meant (config.hints): FILE:LINE: ...
    warnings: tuple[str, ...] = ()

    @property
    def keep_days(self) -> int:
        """Days article bodies are kept (0: for good): `[database] keep_days` when set;
        else :data:`DEFAULT_KEEP_DAYS`, or what builds need (:func:`min_keep_days`) when
        that is more, or 0 when `[edition] max_age_hours` is None (any age may run)."""
        if self.database.keep_days is not None:
            return self.database.keep_days
        least = min_keep_days(self.edition)
        return 0 if least is None else max(DEFAULT_KEEP_DAYS, least)

    @property
    def sections(self) -> tuple[str, ...]:
        """The sections subscribers can choose: the configured sources' sections, in
        order (:mod:`digest.sections` matches a name to them)."""
        return tuple(dict.fromkeys(s.section for s in self.sources if s.section))

    @property
    def root(self) -> Path:
        """The project folder: relative paths in the file are resolved against it."""
        return self.path.parent

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def no_sources(self, nothing: str = "to collect") -> str | None:
        """Why a collect (or a build: `nothing` = "to build an edition from") has nothing
        to do (the file has no `[[sources]]`): one line, then how to add a source; None
        when there is one."""
        if self.sources:
            return None
        return (
            f"{self.path} has no [[sources]]: there is nothing {nothing}.\nAdd a feed:\n\n"
            '[[sources]]\nname = "Harbour Herald"\nurl = "https://herald.example.org/feed.xml"\n\n'
            'or a folder of .txt, .md and .html articles: path = "articles/" instead of url.'
        )

    def example_domains(self) -> str | None:
        """What of `[newsletter]` is at a domain reserved for examples (RFC 2606 and
        6761): the sample's `base_url` and `sender`, left in a scaffolded project. Mail
        sent with them carries unsubscribe links and a sender that reach nobody."""
        from email.utils import parseaddr
        from urllib.parse import urlsplit

        news = self.newsletter
        found = [
            f"{key} {value!r}"
            for key, value, host in (
                ("base_url", news.base_url, urlsplit(news.base_url).hostname or ""),
                ("sender", news.sender, parseaddr(news.sender)[1].rpartition("@")[2]),
            )
            if _example_host(host)
        ]
        return " and ".join(found) or None

    def list(self, name: str | None) -> ListSettings:
        if name is None:
            return self.lists[0]
        for item in self.lists:
            if item.name == name:
                return item
        names = ", ".join(x.name for x in self.lists)
        raise ConfigError(f"{self.path}: no list named {name!r} (lists: {names})")

    @property
    def timezone(self) -> str:
        """The project's zone (:func:`newsroom_zone`): the default of its sources'
        `timezone`, and where the desk shows a time that belongs to no list."""
        return newsroom_zone(self.lists)

    def zone(self, list_name: str | None) -> ZoneInfo:
        """The zone a list's times are in (its editions' days, when its stories were
        published or first reported): the list's `timezone`; the project's
        (:attr:`timezone`) for no list, or for a list no longer configured (an old
        edition's, still in the archive)."""
        found = next((x for x in self.lists if x.name == list_name), None)
        return ZoneInfo(self.timezone if found is None else found.timezone)

    @property
    def secret_key(self) -> str:
        """The key that signs: $DIGEST_SECRET_KEY, else the first of `.digest-secret`
        beside this file (created atomically on first use, so that a laptop install
        works without setup and tokens stay valid across runs). See digest.keys. Not
        checked against the database: whatever signs uses App.keys (digest.keyguard)."""
        return self.secret_keys[0]

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The signing key, then the retired keys that still verify (a rotation's grace)."""
        found = keys.load_keys(self.root)
        assert found is not None
        return found.all


def _example_host(host: str) -> bool:
    """example.com/.net/.org and the .example, .invalid and .test names, and below."""
    labels = host.lower().rstrip(".").split(".")
    return labels[-1] in ("example", "invalid", "test") or (
        len(labels) >= 2 and labels[-2] == "example" and labels[-1] in ("com", "net", "org")
    )
