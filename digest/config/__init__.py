"""Load `digest.toml` into typed, immutable settings.

Every key is checked: an unknown key, a wrong type or a bad value fails with a
:class:`~digest.errors.ConfigError` naming the file, the key and what is allowed.
Secrets (the SMTP password, the signing key) never come from this file: only from
the environment, under the names given in :class:`TransportSettings` and
:class:`Settings`. This package reads files; it opens no connection, and imports
nothing of digest's but its leaves (errors, keys, times): it is a leaf itself.

This is the facade: import from `digest.config`. Its modules, by job:
:mod:`~digest.config.settings` (the records and the environment names),
:mod:`~digest.config.checks` (reading a table, what a value must be),
:mod:`~digest.config.newsletter` and :mod:`~digest.config.services` (one function per
table), :mod:`~digest.config.freshness` (a list's schedule against `[edition]
max_age_hours`), :mod:`~digest.config.loader` (`load`: the file, then every table).
"""

from __future__ import annotations

from digest.config.loader import load
from digest.config.settings import (
    BOUNCES_PASSWORD_ENV,
    DEFAULT_SUBJECT,
    DKIM_ED25519_KEY_ENV,
    DKIM_KEY_ENV,
    MAILGUN_KEY_ENV,
    SECRET_ENV,
    SMTP_PASSWORD_ENV,
    SUBJECT_FIELDS,
    BounceSettings,
    DatabaseSettings,
    DkimSettings,
    EditionSettings,
    ListSettings,
    NewsletterSettings,
    QueueSettings,
    ServeSettings,
    Settings,
    SourceSettings,
    TransportSettings,
)

__all__ = [
    "BOUNCES_PASSWORD_ENV",
    "DEFAULT_SUBJECT",
    "DKIM_ED25519_KEY_ENV",
    "DKIM_KEY_ENV",
    "MAILGUN_KEY_ENV",
    "SECRET_ENV",
    "SMTP_PASSWORD_ENV",
    "SUBJECT_FIELDS",
    "BounceSettings",
    "DatabaseSettings",
    "DkimSettings",
    "EditionSettings",
    "ListSettings",
    "NewsletterSettings",
    "QueueSettings",
    "ServeSettings",
    "Settings",
    "SourceSettings",
    "TransportSettings",
    "load",
]
