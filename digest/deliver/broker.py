"""Naming a `[queue] broker` without its secrets, and its URL with the password put in.

A broker URL may carry a password; it is shown (in errors, logs, the CLI) only as
`scheme://host:port` (Redis: `scheme://host:port/db`; AMQP: `scheme://host:port/vhost`),
and a log line never carries a URL at all (:class:`RedactBrokerUrls`).
The password may come from $DIGEST_BROKER_PASSWORD instead of digest.toml. No I/O.
"""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from digest.config import Settings
from digest.errors import ConfigError

#: The broker's password, when its URL in digest.toml has none (secrets stay out of files).
BROKER_PASSWORD_ENV = "DIGEST_BROKER_PASSWORD"
#: An AMQP URL's path: "/" and the virtual host, percent-encoded ("//" for "/").
_VIRTUAL_HOST = re.compile(r"/[A-Za-z0-9._~%!$&'()*+,;=/-]*")
_BROKER_URL = re.compile(r"\b(?:redis|rediss|amqp|amqps)://(?:[^\s'\"<>]*[^\s'\"<>,.;:)])?")


def broker_location(url: str) -> str:
    """`scheme://host:port` of a broker URL, with a Redis URL's database number
    (`redis://host:port/9`) or an AMQP URL's virtual host as written
    (`amqp://host:port//` for "/", `amqp://host:port/shop`): one Redis or RabbitMQ may
    serve several projects. What may be shown: no user, password or query."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "localhost", parts.port
    except ValueError:
        return "the broker"
    if "@" in parts.path:  # a password's unencoded "/" ended the host: its rest is here
        return "the broker"
    shown = ""
    if parts.scheme in ("redis", "rediss") and parts.path.strip("/").isdigit():
        shown = f"/{parts.path.strip('/')}"
    elif parts.scheme in ("amqp", "amqps") and _VIRTUAL_HOST.fullmatch(parts.path):
        shown = parts.path
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "") + shown


def broker_url(settings: Settings) -> str:
    """`[queue] broker` with the password from $DIGEST_BROKER_PASSWORD put in, if set."""
    url = settings.queue.broker
    if not url:
        raise ConfigError(
            f"{settings.path}: [queue] broker is not set; the queued send and "
            '`digest worker` need one, e.g. broker = "redis://127.0.0.1:6379/0"'
        )
    password = os.environ.get(BROKER_PASSWORD_ENV)
    if not password:
        return url
    parts = urlsplit(url)
    if parts.password:
        raise ConfigError(
            f"{settings.path}: [queue] broker has a password and ${BROKER_PASSWORD_ENV} is "
            "set too; keep the password in the environment only"
        )
    host = parts.netloc.rpartition("@")[2]
    user = quote(unquote(parts.username or ""), safe="")
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def redact(text: str) -> str:
    """`text` with every broker URL in it reduced to :func:`broker_location`."""
    return _BROKER_URL.sub(lambda m: broker_location(m.group(0)), text)


class RedactBrokerUrls(logging.Filter):
    """A handler filter: a log line never carries a broker URL or its password."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
