"""A malformed digest.toml fails with a message naming the file, the key and what is allowed."""

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


def test_the_sample_config_loads() -> None:
    settings = load(Path(__file__).resolve().parents[1] / "digest.toml")
    assert settings.newsletter.name == "The Copenhagen Brief"
    assert [s.name for s in settings.sources][:1] == ["Harbour Herald"]
    assert settings.lists[0].timezone == "Europe/Copenhagen"
    assert settings.transport.kind == "outbox"
    with pytest.raises(AttributeError):
        settings.edition.leads = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("leads = 3", 'leads = "three"', ["edition.leads", "'three'", "whole number"]),
        ("teasers = 8", "teasers = 8\nteasrs = 2", ["unknown key 'edition.teasrs'", "allowed:"]),
        (
            'timezone = "Europe/Copenhagen"',
            'timezone = "Europe/Copenhagn"',
            ["lists[0].timezone", "IANA time zone"],
        ),
        ('kind = "outbox"', 'kind = "pigeon"', ["transport.kind", '"smtp", "outbox"']),
        (
            'kind = "outbox"',
            'kind = "smtp"\npassword = "hunter2"',
            ["transport.password", "DIGEST_SMTP_PASSWORD"],
        ),
        ("[newsletter]", "[newsletter\n", ["not valid TOML", "line"]),
        ('name = "The Test Brief"\n', "", ["missing key newsletter.name"]),
        ('url = "sqlite:///digest.db"', 'url = "mysql://x"', ["database.url", "sqlite:///"]),
        (
            'subscribers = "subscribers/daily.csv"',
            'subscribers = "s.csv"\nschedule = "7am"',
            ["lists[0].schedule", "cron"],
        ),
    ],
)
def test_a_bad_value_names_file_key_and_what_is_allowed(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    config = _replace(write_project(tmp_path), old, new)
    with pytest.raises(ConfigError) as info:
        load(config)
    message = str(info.value)
    assert str(config) in message
    for part in expected:
        assert part in message
    assert "hunter2" not in message


def test_the_cli_prints_the_error_and_exits_2(tmp_path: Path) -> None:
    config = _replace(write_project(tmp_path), "leads = 3", "leads = -1")
    result = CliRunner().invoke(main, ["build", "--config", str(config)])
    assert result.exit_code == 2
    assert "edition.leads = -1 is not allowed" in result.output
    assert "Traceback" not in result.output


def test_a_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--config", str(tmp_path / "nope.toml")])
    assert result.exit_code == 2
    assert "no such configuration file" in result.output
