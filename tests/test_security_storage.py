"""Storage faults: a read-only or full database, an unreachable server, first-run races.

Each fault must end a `digest` command with one clear line that names the database
(never its password) and a non-zero status, never a traceback; and whatever was stored
before the fault is kept. Everything here is real: `digest` runs as a subprocess on a
real SQLite file (made immutable with `chattr +i`, which binds root too, or placed on a
small tmpfs that fills up) and on a fresh PostgreSQL database.
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.app import App
from digest.codec import parse_iso
from tests.conftest import ROOT, write_project
from tests.databases import postgres_database

AT = "2026-11-27T06:00:00+00:00"
PASSWORD = "s3cret-pw-never-shown"
DIGEST = [sys.executable, "-c", "from digest.cli import main; main()"]


def digest(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `digest ARGS --config CONFIG` as a user would, with this checkout's code."""
    return subprocess.run(
        [*DIGEST, *args, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=config.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"},
    )


def one_clear_line(done: subprocess.CompletedProcess[str]) -> str:
    """The command failed with one line on stderr and no traceback; return that line."""
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: "), output
    return lines[0]


def _chattr(path: Path, flag: str) -> bool:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    return done.returncode == 0


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[list[Path]]:
    """Files made immutable here are made mutable again afterwards (else tmp_path stays)."""
    files: list[Path] = []
    yield files
    for path in files:
        _chattr(path, "-i")


# -- a read-only database -------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["collect", "--at", AT],
        ["subscribers", "import", "subscribers/daily.csv", "--list", "daily"],
        ["build", "--no-collect", "--at", AT],
    ],
    ids=["collect", "subscribers-import", "build"],
)
def test_a_read_only_sqlite_database_is_one_line_naming_the_file(
    tmp_path: Path, immutable: list[Path], command: list[str]
) -> None:
    config = write_project(tmp_path / "news")
    app = App.from_config(config)
    app.collect(now=parse_iso(AT))  # articles to build from: a build must reach its write
    app.store.close()  # created, migrated and filled, then left alone
    db = tmp_path / "news" / "digest.db"
    if not _chattr(db, "+i"):
        pytest.skip(f"chattr +i is not supported for {db} (needs root and ext4/xfs/btrfs)")
    immutable.append(db)

    line = one_clear_line(digest(config, *command))
    assert str(db) in line
    assert "read-only" in line


def test_a_read_only_postgresql_database_is_named_without_its_password(tmp_path: Path) -> None:
    import psycopg

    with postgres_database() as url:
        name = url.rsplit("/", 1)[1]
        secret_url = url.replace("postgres@", f"postgres:{PASSWORD}@")  # trust auth: accepted
        config = write_project(tmp_path / "news", database=secret_url)
        App.from_config(config).store.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')

        line = one_clear_line(digest(config, "collect", "--at", AT))
    assert name in line and "read-only" in line
    assert PASSWORD not in line


def test_an_unreachable_postgresql_server_is_named_without_its_password(tmp_path: Path) -> None:
    config = write_project(
        tmp_path / "news", database=f"postgresql://digest:{PASSWORD}@127.0.0.1:9/news"
    )
    done = digest(config, "subscribers", "list", "--list", "daily")
    line = one_clear_line(done)
    assert "127.0.0.1:9/news" in line and "cannot" in line
    assert PASSWORD not in done.stdout + done.stderr


# -- a full disk ----------------------------------------------------------------------

WORDS = ("harbour", "council", "bridge", "tunnel", "museum", "festival", "weather")


def feed_set(folder: Path, sources: int, items: int) -> str:
    """Write `sources` RSS files of `items` ~2 KB items each; return their [[sources]]."""
    rng = random.Random(14)
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    tables = []
    for s in range(sources):
        parts = [f"<?xml version='1.0'?><rss version='2.0'><channel><title>S{s}</title>"]
        for i in range(items):
            body = " ".join(f"{rng.choice(WORDS)}{rng.randrange(10**6)}" for _ in range(300))
            parts.append(
                f"<item><title>Story {s}-{i}</title><link>https://s{s}.example/{i}</link>"
                f"<guid>s{s}-{i}</guid><pubDate>Thu, 26 Nov 2026 05:10:00 +0000</pubDate>"
                f"<description>{body}</description></item>"
            )
        parts.append("</channel></rss>")
        (folder / "feeds" / f"s{s}.rss").write_text("".join(parts))
        tables.append(f'[[sources]]\nname = "Source {s:02d}"\nurl = "feeds/s{s}.rss"\n')
    return "\n".join(tables)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (the migrated schema alone takes ~250 KB); unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_disk_keeps_the_sources_stored_before_it_and_names_the_one_that_failed(
    tmp_path: Path, small_disk: Path
) -> None:
    folder = tmp_path / "news"
    db = small_disk / "digest.db"
    sources = feed_set(folder, sources=12, items=40)  # ~2 MB of articles for a 1 MiB disk
    config = write_project(folder, database=f"sqlite:///{db}", sources=sources)

    line = one_clear_line(digest(config, "collect", "--at", AT))
    assert str(db) in line and "full" in line

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        stored = dict(
            conn.execute(
                "SELECT s.name, COUNT(a.id) FROM sources s"
                " LEFT JOIN articles a ON a.source_id = s.id GROUP BY s.name"
            ).fetchall()
        )
    kept = [name for name, n in stored.items() if n == 40]
    assert kept, f"nothing was kept: {stored}"
    failed = f"Source {len(kept):02d}"  # the first one that did not fit
    assert kept == [f"Source {i:02d}" for i in range(len(kept))]
    assert stored.get(failed, 0) == 0
    assert repr(failed) in line


# -- first-run races ------------------------------------------------------------------


def _digest_popen(config: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*DIGEST, *args, "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=config.parent,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_four_first_collects_on_a_fresh_database_all_succeed(db_url: str, tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", database=db_url)
    procs = [_digest_popen(config, "collect", "--at", AT) for _ in range(4)]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output
    app = App.from_config(config)
    health = app.store.health()
    assert sorted(h.name for h in health) == sorted(s.name for s in app.settings.sources)
    assert all(h.articles > 0 and h.last_error is None for h in health), health


def test_three_different_first_commands_race_the_migration(db_url: str, tmp_path: Path) -> None:
    config = write_project(tmp_path / "news", database=db_url)
    procs = [
        _digest_popen(config, "subscribers", "import", "subscribers/daily.csv", "--list", "daily"),
        _digest_popen(config, "collect", "--at", AT),
        _digest_popen(config, "schedule", "--at", AT),
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output
    app = App.from_config(config)
    assert app.store.subscribers("daily")
    assert app.store.articles()
