"""Database URLs for tests: a SQLite file, or a fresh database on the local PostgreSQL.

PostgreSQL tests skip with a reason where no server answers on 127.0.0.1:5432, except
under CI (CI=true), where the server is part of the machine and a skip would hide a
failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_ADMIN = os.environ.get("DIGEST_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin():  # type: ignore[no-untyped-def]
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed (pip install -e '.[test]')"
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3), None
    except psycopg.OperationalError as exc:
        return None, f"no PostgreSQL at {PG_ADMIN}: {str(exc).strip()[:120]}"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    conn, why = _admin()
    if conn is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI: {why}")
        pytest.skip(why or "no PostgreSQL")
    name = f"digest_test_{secrets.token_hex(6)}"
    with conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        finally:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'digest.db'}"
    else:
        with postgres_database() as url:
            yield url
