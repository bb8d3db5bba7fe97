"""Subscriber lists: CSV import and export, adding, removing and forgetting people,
the double opt-in confirmation message and the welcome after it, with the consent rules.

The database is the record of consent; CSV files are only a way in and out. Nothing
here (import, `add`, the subscribe form) ever reactivates an unsubscribed, bounced or
complained address, or re-adds one erased with `forget`. This package renders no
edition and opens no HTTP connection; `subscribe` hands one confirmation message to
the configured transport, `send_welcome` one welcome message.

This is the facade: import from `digest.subscribers`. Its modules, by job:
:mod:`~digest.subscribers.addresses` (checking an address, a name, a time zone),
:mod:`~digest.subscribers.csvfiles` (import and export),
:mod:`~digest.subscribers.people` (one person at a time),
:mod:`~digest.subscribers.confirm` (the double opt-in message),
:mod:`~digest.subscribers.welcome` (the welcome after the first confirmation) and
:mod:`~digest.subscribers.cadence` (a list's schedule in words).
"""

from __future__ import annotations

from digest.subscribers.addresses import (
    MAX_NAME,
    check_timezone,
    clean_name,
    mailbox_key,
    normalise_email,
)
from digest.subscribers.confirm import confirmation_message, send_confirmation
from digest.subscribers.csvfiles import (
    COLUMNS,
    FORMULA_STARTS,
    ImportResult,
    Merged,
    RowProblem,
    export_csv,
    import_csv,
    import_rows,
    parse_row,
    read_csv,
)
from digest.subscribers.people import (
    CONFIRMATION_SENT,
    RESEND_AFTER,
    Added,
    Erasure,
    add_subscriber,
    forget,
    remove_subscriber,
    subscribe,
    subscriber_dict,
)
from digest.subscribers.welcome import send_due_welcomes, send_welcome, welcome_message

__all__ = [
    "COLUMNS",
    "CONFIRMATION_SENT",
    "FORMULA_STARTS",
    "MAX_NAME",
    "RESEND_AFTER",
    "Added",
    "Erasure",
    "ImportResult",
    "Merged",
    "RowProblem",
    "add_subscriber",
    "check_timezone",
    "clean_name",
    "confirmation_message",
    "export_csv",
    "forget",
    "import_csv",
    "import_rows",
    "mailbox_key",
    "normalise_email",
    "parse_row",
    "read_csv",
    "remove_subscriber",
    "send_confirmation",
    "send_due_welcomes",
    "send_welcome",
    "subscribe",
    "subscriber_dict",
    "welcome_message",
]
