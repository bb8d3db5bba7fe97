"""`digest subscribers forget` on an address no list has.

It stored a suppression hash anyway and printed "Erased 0": a misspelt address was
blocked for good, without a word, and the person who asked stayed subscribed. Now it
refuses, naming the address, and stores nothing; `--suppress` keeps an address that
was never subscribed out on purpose (someone who asks never to be written to). An
address erased before is no error: the request is already met. A real SQLite file
and the real command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from tests.conftest import write_project


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def _suppressions(config: Path) -> int:
    db = sqlite3.connect(config.parent / "digest.db")
    try:
        return int(db.execute("select count(*) from suppressions").fetchone()[0])
    finally:
        db.close()


def test_an_address_no_list_has_is_not_suppressed_unless_asked(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    assert _run(config, "subscribers", "add", "john@example.org", "--list", "daily").exit_code == 0
    r = _run(config, "subscribers", "forget", "jon@example.org")  # a typo
    assert r.exit_code == 2, r.output
    assert "no list has jon@example.org" in r.output and "nothing was erased" in r.output
    assert "--suppress" in r.output
    assert _suppressions(config) == 0
    app = App.from_config(config)
    assert app.store.subscriber("daily", "john@example.org") is not None
    # The address, once spelt right, can still subscribe.
    assert _run(config, "subscribers", "add", "jon@example.org", "--list", "daily").exit_code == 0

    r = _run(config, "subscribers", "forget", "never@example.org", "--suppress")
    assert r.exit_code == 0, r.output
    assert "No list had never@example.org" in r.output and "now suppressed" in r.output
    assert _suppressions(config) == 1
    r = _run(config, "subscribers", "add", "never@example.org", "--list", "daily")
    assert r.exit_code == 2 and "forget" in r.output


def test_forgetting_an_erased_address_again_says_it_is_done(tmp_path: Path) -> None:
    config = write_project(tmp_path / "news")
    _run(config, "subscribers", "add", "gone@example.org", "--list", "daily")
    r = _run(config, "subscribers", "forget", "gone@example.org")
    assert r.exit_code == 0 and "Erased 1 subscription(s) of gone@example.org" in r.output
    r = _run(config, "subscribers", "forget", "Gone@example.org")
    assert r.exit_code == 0, r.output
    assert "gone@example.org was already erased" in r.output
    assert _suppressions(config) == 1
