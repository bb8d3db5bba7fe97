"""Every command has help, and the README names every command (like sqlite-utils); the
deployment guide's systemd units survive a database that is down at start."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from digest.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


COMMANDS = _commands(main)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help and len(command.help.split()) >= 4, f"digest {' '.join(path)}"


@pytest.mark.parametrize("name", sorted(main.commands))
def test_the_readme_names_every_command(name: str) -> None:
    assert f"digest {name}" in README


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_option_has_help(path: tuple[str, ...]) -> None:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    bare = [
        "/".join(p.opts)
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden and not p.help
    ]
    assert bare == [], f"digest {' '.join(path)}: options without help"


DEPLOYMENT = (Path(__file__).resolve().parents[1] / "docs" / "deployment.md").read_text(
    encoding="utf-8"
)


def _units() -> dict[str, str]:
    """docs/deployment.md's systemd units: the path in the line above each ```ini block."""
    found = re.findall(r"`(/etc/systemd/system/[^`]+)`[^\n]*\n\n```ini\n(.*?)```", DEPLOYMENT, re.S)
    return dict(found)


def test_the_deployment_guide_has_its_three_units() -> None:
    assert len(_units()) == 3


@pytest.mark.parametrize("path", sorted(_units()))
def test_a_unit_that_restarts_does_not_hit_systemd_s_start_limit(path: str) -> None:
    # `digest serve` and `digest worker` exit when the database is down at start; with
    # systemd's default RestartSec (100 ms) five failures come within StartLimitIntervalSec
    # (10 s) and the unit stays failed once the database is back.
    unit = _units()[path]
    lines = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)
    if lines.get("Restart", "no") == "no":
        return
    assert float(lines.get("RestartSec", "0.1")) * 5 > 10, unit


def test_the_deployment_guide_says_rate_per_second_is_shared_by_every_worker() -> None:
    # rate_per_second is one pace for every sending process, kept in the database
    # (test_send_rate; for Celery workers, test_workers_celery). The guide said it held
    # per worker process and to divide it by the number of workers: an operator who did
    # so cut the list's throughput by that number.
    text = " ".join(DEPLOYMENT.split())
    assert "`[transport] rate_per_second` holds for every worker together" in text
    assert "`rate_per_second` is shared by every worker" in text
    assert "with Celery they apply per worker process" not in text
