"""Read the tables that say which services the newsletter uses and how: `[transport]`,
`[database]`, `[queue]`, `[serve]` and `[bounces]`.

Each function checks one table with :class:`~digest.config.checks.Table` and returns
its settings record; a password is refused in the file (it comes from the environment)
and a URL's password is hidden in the error. Nothing here opens a connection.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from digest.config.checks import (
    Table,
    check_broker_url,
    check_database_url,
    non_negative,
    positive,
)
from digest.config.settings import (
    MAX_KEEP_DAYS,
    SMTP_PASSWORD_ENV,
    BounceSettings,
    DatabaseSettings,
    EditionSettings,
    QueueSettings,
    ServeSettings,
    TransportSettings,
    min_keep_days,
)
from digest.errors import ConfigError

#: The transports a file may choose. Not "memory", which keeps the messages in a list
#: and delivers none: chosen in a project's file, a send would record every copy sent
#: and no mail would go anywhere. Tests build it in code (TransportSettings(kind="memory")).
FILE_KINDS = (
    '"smtp", "outbox" (smtp: a mail server at host and port; outbox: an .eml file a '
    "message, in path)"
)


def read_transport(file: Path, raw: Any) -> TransportSettings:
    t = Table(file, "transport", raw)
    kind = t.get("kind", str, "outbox", FILE_KINDS)
    if kind == "memory":
        raise t.fail("kind", f"{FILE_KINDS}; a memory transport delivers nothing (tests only)")
    t.check("kind", lambda v: v in ("smtp", "outbox"), FILE_KINDS)
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
    t.check("timeout", positive, "seconds > 0")
    connect_timeout = t.get("connect_timeout", float, 5.0, "seconds > 0")
    t.check("connect_timeout", positive, "seconds > 0")
    rate = t.get("rate_per_second", float, None, "messages per second > 0")
    t.check("rate_per_second", positive, "messages per second > 0")
    per_hour = t.get("rate_per_hour", int, None, "a whole number of messages per hour > 0")
    t.check("rate_per_hour", positive, "a whole number of messages per hour > 0")
    retries = t.get("retries", int, 3, "a whole number of retries ≥ 0")
    t.check("retries", non_negative, "a whole number of retries ≥ 0")
    retry_delay = t.get("retry_delay", float, 1.0, "seconds ≥ 0")
    t.check("retry_delay", non_negative, "seconds ≥ 0")
    max_failures = t.get("max_consecutive_failures", int, 25, "a whole number > 0")
    t.check("max_consecutive_failures", positive, "a whole number > 0")
    ca_file = t.get("ca_file", str, None, "a PEM file of CA certificates to trust")
    ca_path = (file.parent / ca_file).resolve() if ca_file else None
    if ca_path is not None and not ca_path.is_file():
        raise t.fail("ca_file", f"no such file: {ca_path}")
    pipelining = t.get("pipelining", bool, True, "true or false")
    if "password" in t.data:
        raise ConfigError(
            f"{t.at('password')}: transport.password is not read from the file; set "
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
        pipelining=pipelining,
        connect_timeout=connect_timeout,
    )


def read_serve(file: Path, raw: Any) -> ServeSettings:
    t = Table(file, "serve", raw)
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
        t.check(key, positive, "a whole number > 0")
    t.done()
    return ServeSettings(proxies, private, **numbers)


_ADDR = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")


def read_bounces(file: Path, raw: Any) -> BounceSettings:
    t = Table(file, "bounces", raw)
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
    t.check("soft_limit", positive, "a whole number > 0")
    poll = t.get("poll_minutes", int, d.poll_minutes, "whole minutes ≥ 0")
    t.check("poll_minutes", non_negative, "whole minutes ≥ 0")
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


def read_database(file: Path, raw: Any, edition: EditionSettings) -> DatabaseSettings:
    """`[database]`; `keep_days` is refused when builds (as `edition` says) read further
    back than it keeps article bodies."""
    db = Table(file, "database", raw)
    url = db.get(
        "url", str, "sqlite:///digest.db", "a SQLAlchemy URL (sqlite:/// or postgresql://)"
    )
    check_database_url(db.at("url"), url)
    days = f"a whole number of days from 0 (keep every article's text) to {MAX_KEEP_DAYS:,}"
    keep_days = db.get("keep_days", int, None, days)
    db.check("keep_days", lambda v: 0 <= v <= MAX_KEEP_DAYS, days)
    least = min_keep_days(edition)
    if keep_days and least is not None and keep_days < least:
        assert edition.max_age_hours is not None
        window = edition.cluster_window_hours or 0.0
        raise db.fail(
            "keep_days",
            f"at least {least} days, or 0 to keep every article's text: a build reads "
            f"articles back {edition.max_age_hours + window:g} hours ([edition] "
            f"max_age_hours = {edition.max_age_hours:g} and cluster_window_hours = "
            f"{window:g}), and a day more is kept",
        )
    db.done()
    if (
        url.startswith("sqlite:///")
        and not url.startswith("sqlite:////")
        and url != "sqlite:///:memory:"
    ):
        url = "sqlite:///" + str((file.parent / url.removeprefix("sqlite:///")).resolve())
    return DatabaseSettings(url, keep_days)


def read_queue(file: Path, raw: Any) -> QueueSettings:
    q = Table(file, "queue", raw)
    broker = q.get("broker", str, None, "a redis:// or amqp:// URL")
    if broker is not None:
        check_broker_url(q.at("broker"), broker)
    queue_name = q.get("name", str, "digest", "a queue name")
    q.check("name", lambda v: bool(re.fullmatch(r"[\w.@-]+", v)), "letters, digits, . _ - @")
    numbers: dict[str, int] = {}
    for key, what in (
        ("batch", "a whole number of subscribers > 0"),
        ("visibility_timeout", "whole seconds > 0"),
        ("lease", "whole seconds > 0"),
    ):
        numbers[key] = q.get(key, int, getattr(QueueSettings(), key), what)
        q.check(key, positive, what)
    q.done()
    return QueueSettings(broker, queue_name, **numbers)
