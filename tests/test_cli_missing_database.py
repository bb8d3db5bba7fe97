"""A `[database] url` that names no file (a typo, `--config` pointing at another
folder) is refused by every command that only reads or acts on stored data: it created
a new empty SQLite file, and `digest editions` showed an empty table, `digest send 3`
said there was no edition 3, `digest subscribers list` showed nobody, all exiting 0 or
as if the data were gone. The commands that start a project still create it. Real
SQLite files, the real commands; PostgreSQL's missing database already errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from tests.conftest import ROOT, write_project

TYPO = "sqlite:///digets.db"

#: Commands that read or act on existing data (the edition, subscriber or address named
#: need not exist: the refusal comes first).
READERS = [
    ["editions"],
    ["editions", "--json"],
    ["preview", "1"],
    ["send", "3"],
    ["send", "3", "--dry-run"],
    ["approve", "1"],
    ["unapprove", "1"],
    ["pause", "1"],
    ["cancel", "1"],
    ["subscribers", "list", "--list", "daily"],
    ["subscribers", "export", "--list", "daily"],
    ["subscribers", "remove", "ann@example.org", "--list", "daily"],
    ["subscribers", "forget", "ann@example.org"],
    ["subscribers", "welcome", "--list", "daily"],
    ["bounces", "--mailbox", "mbox:bounces.mbox"],
    ["serve", "--port", "0"],
    ["prune"],
    ["prune", "--dry-run"],
    ["editors", "list"],
    ["editors", "remove", "ann@example.org"],
    ["database", "copy", "--to", "sqlite:///elsewhere.db"],
]


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_a_command_on_stored_data_refuses_a_database_file_that_is_not_there(
    tmp_path: Path, args: list[str]
) -> None:
    config = write_project(tmp_path / "news", database=TYPO)
    (tmp_path / "news" / "bounces.mbox").write_text("")
    before = _files(tmp_path / "news")
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"error: {tmp_path / 'news' / 'digets.db'}: no such database file" in message
    assert f"[database] url in {config}" in message  # the file and key that named it
    assert "digest collect" in message and "digest subscribers import" in message
    assert _files(tmp_path / "news") == before  # nothing created, not even the -wal


def test_the_schedule_is_shown_from_the_config_with_a_warning(tmp_path: Path) -> None:
    """`digest schedule` answers from the config (when will the list go out?), on a new
    project too; without the database it says so, lists no runs, and creates nothing."""
    config = write_project(tmp_path / "news", database=TYPO)
    before = _files(tmp_path / "news")
    args = ["schedule", "--config", str(config), "--at", "2026-11-27T12:00:00Z"]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.stdout)
    assert entry["next"][0] == "2026-11-28T06:00:00Z" and entry["recent"] == []
    warning = " ".join(result.stderr.split())
    assert f"warning: {tmp_path / 'news' / 'digets.db'}: no such database file" in warning
    assert "no runs" in warning
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0 and "2026-11-28T06:00:00Z" in text.stdout
    assert _files(tmp_path / "news") == before


def test_the_refusal_names_the_folder_the_url_was_resolved_against(tmp_path: Path) -> None:
    """Run from another folder, with --config pointing at a project that has no database
    yet: the path is the config file's folder's, not the working directory's."""
    config = write_project(tmp_path / "news")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "digest", "editions", "--config", str(config)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{tmp_path / 'news' / 'digest.db'}: no such database file" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "news" / "digest.db").exists()
    assert list(elsewhere.iterdir()) == []


def test_a_worker_refuses_a_database_file_that_is_not_there(tmp_path: Path) -> None:
    """It would take batches of a queue whose editions are in another database."""
    extra = '[queue]\nbroker = "redis://127.0.0.1:6379/15"\n'
    config = write_project(tmp_path / "news", database=TYPO, extra=extra)
    result = subprocess.run(
        [sys.executable, "-m", "digest", "worker", "--pool", "solo", "--config", str(config)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "digets.db: no such database file" in result.stderr
    assert not (tmp_path / "news" / "digets.db").exists()


def test_the_commands_that_start_a_project_still_create_its_database(tmp_path: Path) -> None:
    """The README's order: import the subscribers first, then collect and build."""
    config = write_project(tmp_path / "news")
    db = tmp_path / "news" / "digest.db"
    runner = CliRunner()
    csv = str(tmp_path / "news" / "subscribers" / "daily.csv")
    args = ["subscribers", "import", csv, "--list", "daily", "--config", str(config)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert db.exists()
    listing = ["subscribers", "list", "--list", "daily", "--config", str(config)]
    listed = runner.invoke(main, listing)
    assert listed.exit_code == 0 and "active" in listed.output

    for command in (
        ["collect"],
        ["build", "--at", "2026-11-27T07:00:00Z"],
        ["subscribers", "add", "bo@example.org", "--list", "daily"],
        ["run", "--once", "--at", "2026-11-27T05:00:00Z"],
    ):
        db.unlink()
        result = runner.invoke(main, [*command, "--config", str(config)])
        assert result.exit_code in (0, 1), (command, result.output)
        assert "no such database file" not in result.output
        assert db.exists(), command


def test_a_postgresql_database_that_is_not_there_is_an_error_already(tmp_path: Path) -> None:
    from tests.databases import _admin

    conn, why = _admin()
    if conn is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI: {why}")
        pytest.skip(why or "no PostgreSQL")
    conn.close()
    url = "postgresql://postgres@127.0.0.1:5432/digest_no_such_database"
    config = write_project(tmp_path / "news", database=url)
    result = CliRunner().invoke(main, ["editions", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "digest_no_such_database" in result.output and "does not exist" in result.output
