"""Values that parse but cannot work are rejected when the file is loaded, not mid-send.

An infinite age limit, a malformed database URL, a subject field that does not exist,
a line break in a name that ends up in a mail header, a sender of two addresses and a
schedule that never fires each fail at `load` with the file, the key and what is
allowed, and never echo a password.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.config import load
from digest.errors import ConfigError
from tests.conftest import write_project


def _replace(config: Path, old: str, new: str) -> Path:
    text = config.read_text()
    assert old in text
    config.write_text(text.replace(old, new, 1))
    return config


NAME = 'name = "The Test Brief"'
SENDER = 'sender = "The Test Brief <brief@example.org>"'
SUBJECTS = 'subscribers = "subscribers/daily.csv"'
DB = 'url = "sqlite:///digest.db"'
BASE = 'base_url = "https://brief.example.org"'


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("max_age_hours = 100000", "max_age_hours = inf", ["edition.max_age_hours", "inf"]),
        ("max_age_hours = 100000", "max_age_hours = nan", ["edition.max_age_hours", "nan"]),
        ("max_age_hours = 100000", "max_age_hours = -1", ["edition.max_age_hours", "> 0"]),
        ("max_age_hours = 100000", "half_life_hours = inf", ["edition.half_life_hours"]),
        (DB, 'url = "postgresql://[::1"', ["database.url", "postgresql://[::1"]),
        (DB, 'url = "postgresql://db.example:port/x"', ["database.url", "port"]),
        (DB, 'url = "sqlite://"', ["database.url"]),
        (NAME, f'{NAME}\nsubject = "{{nope}} today"', ["newsletter.subject", "nope", "lead"]),
        (NAME, f'{NAME}\nsubject = "{{lead.__class__}}"', ["newsletter.subject", "lead"]),
        (NAME, f'{NAME}\nsubject = "{{lead:d}}"', ["newsletter.subject"]),
        (NAME, f'{NAME}\nsubject = "{{0}}"', ["newsletter.subject"]),
        (NAME, f'{NAME}\nsubject = "{{lead"', ["newsletter.subject"]),
        (NAME, 'name = "The Brief\\r\\nBcc: all@example.net"', ["newsletter.name", "line"]),
        (NAME, 'name = "The Brief\\u2028x"', ["newsletter.name"]),
        (SUBJECTS, f'{SUBJECTS}\ntitle = "Daily\\nBcc: x@y.z"', ["lists[0].title", "line"]),
        (NAME, f'{NAME}\nreply_to = "a@example.org\\r\\nBcc: x@y.z"', ["newsletter.reply_to"]),
        (
            SENDER,
            'sender = "Brief <brief@example.org>, other@example.net"',
            ["newsletter.sender", "one address"],
        ),
        (SENDER, 'sender = "brief@example.org other@example.net"', ["newsletter.sender"]),
        (SENDER, 'sender = "Brief <brief@>"', ["newsletter.sender"]),
        (
            NAME,
            f'{NAME}\nreply_to = "a@example.org, b@example.org"',
            ["newsletter.reply_to", "one address"],
        ),
        (
            SUBJECTS,
            f'{SUBJECTS}\nschedule = "0 7 31 2 *"',
            ["lists[0].schedule", "'0 7 31 2 *'", "never"],
        ),
        (SUBJECTS, f'{SUBJECTS}\nschedule = "0 7 30 2 *"', ["lists[0].schedule", "never"]),
        # Mailed links carry signed tokens; one-click unsubscribe works only over https.
        (BASE, 'base_url = "http://brief.example.org"', ["newsletter.base_url", "https://"]),
        (BASE, 'base_url = "https://"', ["newsletter.base_url"]),
        (BASE, 'base_url = "ftp://brief.example.org"', ["newsletter.base_url"]),
    ],
)
def test_a_value_that_cannot_work_is_rejected_at_load(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    config = _replace(write_project(tmp_path), old, new)
    with pytest.raises(ConfigError) as info:
        load(config)
    message = str(info.value)
    assert str(config) in message
    for part in expected:
        assert part in message, message


def test_a_source_name_with_a_line_break_is_rejected(tmp_path: Path) -> None:
    config = write_project(
        tmp_path, sources='[[sources]]\nname = "Herald\\nX-Evil: 1"\nurl = "feed.xml"\n'
    )
    with pytest.raises(ConfigError, match=r"sources\[0\]\.name"):
        load(config)


def test_a_malformed_database_url_never_shows_its_password(tmp_path: Path) -> None:
    config = _replace(write_project(tmp_path), DB, 'url = "postgresql://digest:hunter2@[::1"')
    result = CliRunner().invoke(main, ["collect", "--config", str(config)])
    assert result.exit_code == 2
    assert "database.url" in result.output
    assert "hunter2" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (SUBJECTS, f'{SUBJECTS}\nschedule = "0 7 29 2 *"'),  # leap days: rare, but real
        (SUBJECTS, f'{SUBJECTS}\nschedule = "30 6 * * mon-fri"'),
        (SENDER, 'sender = "\\"Brief, The\\" <brief@example.org>"'),  # a quoted comma
        (SENDER, 'sender = "brief@example.org"'),
        (NAME, f'{NAME}\nsubject = "{{name}}: {{lead}} ({{date}})"'),
        (NAME, f'{NAME}\nsubject = "{{lead:.40}} {{{{weekly}}}}"'),
        (DB, 'url = "postgresql://digest:p%40ss@[::1]:5432/news"'),
        (DB, 'url = "postgresql+psycopg://digest@db.example/news"'),
        ("max_age_hours = 100000", "max_age_hours = 1.5"),  # 0.5: tests/test_config_stale_sends.py
    ],
)
def test_values_that_work_still_load(tmp_path: Path, old: str, new: str) -> None:
    load(_replace(write_project(tmp_path), old, new))


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]", "http://brief.localhost"],
)
def test_an_http_base_url_on_this_machine_is_allowed_for_a_local_test(
    tmp_path: Path, url: str
) -> None:
    config = _replace(write_project(tmp_path), BASE, f'base_url = "{url}"')
    assert load(config).newsletter.base_url == url
