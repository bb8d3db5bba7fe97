"""Storage faults: turn a driver's error into a StoreError that names the database.

A read-only file, a full disk, a server that is down or a lock held too long reach us
as sqlite3 / psycopg errors wrapped by SQLAlchemy. :func:`watch` hooks the engine so
that every such error, wherever in the store it happens, is raised as one of the
:class:`~digest.errors.StoreError` family with a one-line message; errors that are
not faults of the storage (a constraint the caller handles, a deadlock it retries)
pass through untouched. Nothing here may print or log a database password.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext, make_url

from digest.errors import StoreBusy, StoreError, StoreFull, StoreReadOnly, StoreUnavailable

# SQLite's primary result codes (the low byte of an extended code).
_SQLITE: dict[int, type[StoreError]] = {
    3: StoreReadOnly,  # SQLITE_PERM
    5: StoreBusy,  # SQLITE_BUSY (after busy_timeout)
    6: StoreBusy,  # SQLITE_LOCKED
    8: StoreReadOnly,  # SQLITE_READONLY
    10: StoreUnavailable,  # SQLITE_IOERR
    11: StoreUnavailable,  # SQLITE_CORRUPT
    13: StoreFull,  # SQLITE_FULL
    14: StoreUnavailable,  # SQLITE_CANTOPEN
    26: StoreUnavailable,  # SQLITE_NOTADB
}
# PostgreSQL SQLSTATEs, exact or by class (the first two characters). Left out on
# purpose: 40P01 deadlock and 40001 serialization (the store retries those) and
# 42501 insufficient_privilege (ANALYZE tolerates it).
_POSTGRES: dict[str, type[StoreError]] = {
    "53100": StoreFull,  # disk_full
    "25006": StoreReadOnly,  # read_only_sql_transaction
    "53300": StoreUnavailable,  # too_many_connections
    "3D000": StoreUnavailable,  # invalid_catalog_name: no such database
    "58030": StoreUnavailable,  # io_error
    "57P01": StoreUnavailable,  # admin_shutdown
    "57P02": StoreUnavailable,  # crash_shutdown
    "57P03": StoreUnavailable,  # cannot_connect_now
    "57P04": StoreUnavailable,  # database_dropped
    "08": StoreUnavailable,  # connection exceptions
    "28": StoreUnavailable,  # invalid authorization
}
_WHAT: dict[type[StoreError], str] = {
    StoreReadOnly: "the database is read-only; nothing was written",
    StoreFull: "the disk holding the database is full; this write was rolled back",
    StoreBusy: "the database stayed locked by another process; nothing was written",
    StoreUnavailable: "cannot open the database",
}


def display(url: str) -> str:
    """The database as messages name it: the URL with any password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"(//[^/:@]*):[^/@]*@", r"\1:***@", url)


def _secret(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:
        match = re.search(r"//[^/:@]*:([^/@]*)@", url)
        return match.group(1) if match else None


def detail(error: BaseException, url: str) -> str:
    """The driver's message on one line, without the password should it quote one."""
    text = " ".join(str(error).split())
    secret = _secret(url)
    if secret:
        text = text.replace(str(secret), "***")
    return text


def kind(error: BaseException, *, connecting: bool = False) -> type[StoreError] | None:
    """Which storage fault a driver error is, or None when it is not one."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE.get(code & 0xFF)
    state = getattr(error, "sqlstate", None)
    if isinstance(state, str):
        return _POSTGRES.get(state) or _POSTGRES.get(state[:2])
    if connecting and type(error).__name__ == "OperationalError":
        return StoreUnavailable  # no code: the connection itself failed (refused, no route)
    return None


def fault(error: BaseException, url: str, *, connecting: bool = False) -> StoreError | None:
    """The StoreError for a driver error, or None when it is not a storage fault."""
    family = kind(error, connecting=connecting)
    if family is None:
        return None
    return family(f"{display(url)}: {_WHAT[family]} ({detail(error, url)})")


def watch(engine: Engine, url: str) -> None:
    """Raise storage faults met anywhere on this engine as StoreErrors."""

    @event.listens_for(engine, "handle_error")
    def _translate(context: ExceptionContext) -> Any:
        if context.is_pre_ping:  # the pool reconnects on its own
            return None
        error = context.original_exception
        problem = fault(error, url, connecting=context.connection is None or context.is_disconnect)
        if problem is not None:
            raise problem from None
        wrapped = context.sqlalchemy_exception
        if wrapped is not None:  # for the CLI's last-resort message
            wrapped.digest_database = display(url)  # type: ignore[attr-defined]
        return None
