"""A crafted or careless `digest.toml` against the messages that tell its mistakes: the
line finder must stay quick on any line, and no password may be printed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli import main


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "200"})


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert cli("init", "news").exit_code == 0
    return tmp_path / "news" / "digest.toml"


def told(config: Path) -> str:
    res = cli("editions", "--config", str(config))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    return " ".join(res.output.split())


def test_a_table_header_with_much_white_space_is_told_at_once(config: Path) -> None:
    """The header pattern backtracked cubically on blanks around a name it then did
    not match (a quoted name with '#'): 2,000 blanks took 20 seconds."""
    blanks = " " * 2000
    config.write_text(config.read_text() + f'\n[{blanks}"notes{blanks}#1"]\ntext = "x"\n')
    started = time.perf_counter()
    flat = told(config)
    assert time.perf_counter() - started < 3, flat
    assert "unknown key" in flat, flat


@pytest.mark.parametrize(
    ("table", "written", "shown"),
    [
        # a password with '/' in it (unencoded), under a scheme not allowed
        ("database", "postgres://digest:s3cr/et@db.example.net/news", "digest:***@db.example.net"),
        # the same where the port is wrong
        ("database", "postgresql://digest:s3cr/et@db.example.net:5x/news", "digest:***@"),
        # libpq's password= in the query, with no host
        ("database", "postgresql:///news?user=digest&password=s3cret", "password=***"),
        # no '//' at all: SQLAlchemy cannot parse it (when the database is opened)
        ("database", "postgresql:digest:s3cret@db.example.net/news", "Could not parse"),
        ("queue", "redis://:s3cr/et@cache.example.net:x/0", ":***@cache.example.net"),
        ("queue", "redis://cache.example.net:x/0?password=s3cret", "password=***"),
    ],
)
def test_a_url_told_wrong_never_shows_its_password(
    config: Path, table: str, written: str, shown: str
) -> None:
    text = config.read_text()
    if table == "database":  # the scaffold's table has a url already
        text = text.replace('url = "sqlite:///digest.db"', f'url = "{written}"', 1)
    else:
        text += f'\n[queue]\nbroker = "{written}"\n'
    config.write_text(text)
    flat = told(config)
    assert "s3cr" not in flat and "et@" not in flat, flat
    assert shown in flat, flat
