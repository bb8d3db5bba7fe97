"""`[queue]` settings, the broker's password from the environment, and log lines that
never show a broker URL."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.config import load
from digest.deliver.broker import RedactBrokerUrls, broker_location, broker_url, redact
from digest.errors import ConfigError
from tests.conftest import write_project


def test_queue_keys_are_read_with_defaults(tmp_path: Path) -> None:
    config = write_project(tmp_path / "a", extra='[queue]\nbroker = "redis://r.internal:6379/2"\n')
    q = load(config).queue
    assert (q.broker, q.name, q.batch, q.visibility_timeout, q.lease) == (
        "redis://r.internal:6379/2",
        "digest",
        500,
        3600,
        600,
    )
    extra = '[queue]\nbroker = "amqp://rabbit//"\nname = "news-1"\nbatch = 50\nlease = 30\n'
    q = load(write_project(tmp_path / "b", extra=extra)).queue
    assert (q.name, q.batch, q.lease) == ("news-1", 50, 30)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("batch = 0", "queue.batch = 0 is not allowed"),
        ('lease = "10m"', "queue.lease = '10m' is not allowed"),
        ('name = "a b"', "queue.name = 'a b' is not allowed"),
        ("visibility = 5", "unknown key 'queue.visibility'"),
    ],
)
def test_bad_queue_values_name_the_key(tmp_path: Path, line: str, message: str) -> None:
    config = write_project(tmp_path, extra=f'[queue]\nbroker = "redis://r:6379/0"\n{line}\n')
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")) as err:
        load(config)
    assert str(config) in str(err.value)


@pytest.mark.parametrize(
    ("broker", "message"),
    [
        (
            "redis+sentinel://:Hunter2pw@127.0.0.1:26379/0",
            "queue.broker = 'redis+sentinel://:***@127.0.0.1:26379/0' is not allowed; "
            "a redis:// or amqp:// URL",
        ),
        (
            "amqp://news:Hunter2pw@rabbit:56x2//",
            "queue.broker = 'amqp://news:***@rabbit:56x2//' is not allowed; "
            "a well-formed redis:// or amqp:// URL",
        ),
    ],
)
def test_a_bad_broker_url_is_refused_without_its_password(
    tmp_path: Path, broker: str, message: str
) -> None:
    # The error printed the whole URL, password and all; a port that is not a number
    # passed, and `digest worker` then crashed with a ValueError traceback.
    config = write_project(tmp_path, extra=f'[queue]\nbroker = "{broker}"\n')
    with pytest.raises(ConfigError) as err:
        load(config)
    assert message in str(err.value) and "Hunter2pw" not in str(err.value)
    result = CliRunner().invoke(main, ["worker", "--config", str(config)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in result.output and "Hunter2pw" not in result.output


def test_the_password_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_project(tmp_path / "a", extra='[queue]\nbroker = "amqp://news@rabbit:5672//"\n')
    settings = load(config)
    monkeypatch.delenv("DIGEST_BROKER_PASSWORD", raising=False)
    assert broker_url(settings) == "amqp://news@rabbit:5672//"
    monkeypatch.setenv("DIGEST_BROKER_PASSWORD", "s3cr:t/@x")
    assert broker_url(settings) == "amqp://news:s3cr%3At%2F%40x@rabbit:5672//"
    both = write_project(tmp_path / "b", extra='[queue]\nbroker = "redis://:inline@r:6379/0"\n')
    with pytest.raises(ConfigError, match="keep the password in the environment only"):
        broker_url(load(both))


def test_log_lines_show_the_broker_without_its_url(caplog: pytest.LogCaptureFixture) -> None:
    assert redact("Connected to redis://:pw@cache.internal:6379/4.") == (
        "Connected to redis://cache.internal:6379/4."  # its database: a Redis may be shared
    )
    assert redact("Cannot connect to amqp://guest:**@127.0.0.1:5672//: refused") == (
        "Cannot connect to amqp://127.0.0.1:5672//: refused"  # its virtual host, "/"
    )
    logger = logging.getLogger("test.workers.redact")
    caplog.set_level(logging.INFO, logger=logger.name)
    caplog.handler.addFilter(RedactBrokerUrls())
    logger.info("broker %s is down", "rediss://user:hunter2@r.example:6380/1")
    try:
        raise OSError("amqp://guest:hunter2@rabbit:5672// refused")
    except OSError:
        logger.exception("publishing failed")
    text = caplog.text
    assert "hunter2" not in text and "rediss://r.example:6380" in text
    assert "amqp://rabbit:5672//" in text


def test_digest_worker_needs_a_broker(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["worker", "--config", str(write_project(tmp_path))])
    assert result.exit_code == 2
    assert "[queue] broker is not set" in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("amqp://news:Hunter2pw@rabbit:5672//", "amqp://rabbit:5672//"),  # the default, "/"
        ("amqp://news:Hunter2pw@rabbit:5672/digest", "amqp://rabbit:5672/digest"),
        (
            "amqps://news@rabbit.example/shop%2Fnews?heartbeat=30",
            "amqps://rabbit.example/shop%2Fnews",
        ),
        ("amqp://rabbit", "amqp://rabbit"),  # none written: RabbitMQ's default
        # a password with an unencoded "/" puts its end in the path: nothing is shown
        ("amqp://news:1/Hunter2pw@rabbit/digest", "the broker"),
    ],
)
def test_an_amqp_broker_is_shown_with_its_virtual_host(url: str, shown: str) -> None:
    # Two projects on one RabbitMQ differ only by their virtual host, as two on one
    # Redis differ by their database number: "amqp://rabbit:5672" named neither.
    assert broker_location(url) == shown
    assert redact(f"Cannot connect to {url}: refused") == f"Cannot connect to {shown}: refused"
