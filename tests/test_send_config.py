"""The `[transport]` keys a send reads: limits, retries, auto-pause, the CA file."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import TransportSettings, load
from digest.errors import ConfigError
from tests.conftest import write_project


def _load(tmp_path: Path, transport: str) -> TransportSettings:
    return load(write_project(tmp_path / "news", sources="", transport=transport)).transport


def test_sending_keys_are_read(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "ca.pem").write_text("not checked here\n")
    transport = _load(
        tmp_path,
        'kind = "smtp"\nrate_per_second = 12\nrate_per_hour = 5000\nretries = 5\n'
        'retry_delay = 0.5\nmax_consecutive_failures = 10\nca_file = "ca.pem"\n'
        'security = "starttls"',
    )
    assert transport == TransportSettings(
        kind="smtp",
        path=tmp_path / "news" / "outbox",
        security="starttls",
        rate_per_second=12.0,
        rate_per_hour=5000,
        retries=5,
        retry_delay=0.5,
        max_consecutive_failures=10,
        ca_file=(tmp_path / "news" / "ca.pem").resolve(),
    )


def test_defaults(tmp_path: Path) -> None:
    transport = _load(tmp_path, 'kind = "smtp"')
    assert transport.retries == 3 and transport.retry_delay == 1.0
    assert transport.max_consecutive_failures == 25
    assert transport.rate_per_hour is None and transport.ca_file is None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("rate_per_hour = 0", "transport.rate_per_hour = 0 is not allowed"),
        ("rate_per_hour = 1.5", "transport.rate_per_hour = 1.5 is not allowed"),
        ("retries = -1", "transport.retries = -1 is not allowed"),
        ("max_consecutive_failures = 0", "transport.max_consecutive_failures = 0"),
        ('ca_file = "missing.pem"', "no such file"),
        ('password = "hunter2"', "DIGEST_SMTP_PASSWORD"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, line: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")) as info:
        _load(tmp_path, f'kind = "smtp"\n{line}')
    assert "digest.toml" in str(info.value)
    assert "hunter2" not in str(info.value)
