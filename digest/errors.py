"""The one exception root of digest and its families.

Every error digest raises on purpose derives from :class:`DigestError`; a message
always names the file, line, source or address at fault, so that the CLI can print
it as it is. Code that catches errors per item (a source, a subscriber) catches a
family, records the message as a value, and goes on.
"""

from __future__ import annotations


class DigestError(Exception):
    """Root of every error digest raises on purpose."""


class ConfigError(DigestError):
    """The configuration file is missing, malformed or has a wrong key or value."""


class KeyRefused(ConfigError):
    """The key that would sign subscribers' links is not the one the database's mail was
    signed with (or would be a new one where mail went out): nothing is signed."""


class SourceError(DigestError):
    """A source could not be fetched or parsed (the message names the source)."""


class RenderError(DigestError):
    """A template is missing or broken, or an edition cannot be rendered."""


class DeliveryError(DigestError):
    """A message could not be handed to the transport."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None) -> None:
        super().__init__(message)
        #: True for a 5xx answer: the address is bounced and never retried.
        self.permanent = permanent
        #: The SMTP reply code, where there was one.
        self.code = code


class StoreError(DigestError):
    """The database is unreachable, not migrated, or refused a write.

    The message names the database (a SQLite file, or a URL with its password hidden),
    never a credential.
    """


class StoreUnavailable(StoreError):
    """The database cannot be opened or reached (no such file, server down, refused)."""


class StoreReadOnly(StoreError):
    """The database (its file, disk or server) refuses every write."""


class StoreFull(StoreError):
    """The disk holding the database is full: the write was rolled back."""


class StoreBusy(StoreError):
    """Another process held the database's write lock for longer than we wait."""


class SubscriberError(DigestError):
    """A subscriber row or address is invalid (the message names the file and line)."""


class NotFound(DigestError):
    """An edition, list or subscriber named on the command line does not exist."""
