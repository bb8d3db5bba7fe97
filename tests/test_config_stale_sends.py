"""A list whose scheduler can never send fresh news is refused when the file is read.

The scheduler builds a list's edition `build_ahead_minutes` before its first send
(local delivery: the first zone's) and skips the first send of an edition built longer
ago than `[edition] max_age_hours` as old news. Built further ahead than that, every
edition it builds is skipped: the file contradicts itself, and nothing would ever go
out, so it is an error, as `[database] keep_days` shorter than a build reads back is.
One whose sends are old news only when late (within `grace_minutes`) can send: `digest
run` and `digest schedule` warn. Real files, the real loader and command line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import main
from digest.config import load
from digest.errors import ConfigError
from tests.conftest import write_project


def _project(folder: Path, keys: str, max_age: str = "24") -> Path:
    config = write_project(folder)
    text = config.read_text().replace("max_age_hours = 100000", f"max_age_hours = {max_age}")
    text = text.replace(
        'timezone = "Europe/Copenhagen"\n', f'timezone = "Europe/Copenhagen"\n{keys}\n', 1
    )
    config.write_text(text)
    return config


def _line(config: Path, text: str) -> int:
    return next(n for n, line in enumerate(config.read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("delivery", ["list", "local"])
def test_a_list_built_further_ahead_than_max_age_hours_is_refused(
    tmp_path: Path, delivery: str
) -> None:
    """A weekly list built two days ahead for review, with `max_age_hours = 24`."""
    config = _project(
        tmp_path / "news",
        f'schedule = "0 7 * * 5"\nbuild_ahead_minutes = 2880\ndelivery = "{delivery}"',
    )
    with pytest.raises(ConfigError) as caught:
        load(config)
    said = str(caught.value)
    assert said.startswith(f"{config}:{_line(config, 'build_ahead_minutes')}: ")
    assert "lists[0] (daily)" in said
    assert "build_ahead_minutes = 2880" in said and "48 hours" in said
    assert f"[edition] max_age_hours = 24 (line {_line(config, 'max_age_hours')})" in said
    assert "the scheduler would skip every send as old news" in said
    assert "build_ahead_minutes at most 1440" in said  # the two ways out
    assert "or raise [edition] max_age_hours" in said
    if delivery == "local":
        assert "before its first zone's send" in said
    done = CliRunner().invoke(main, ["schedule", "--config", str(config)])
    assert done.exit_code == 2 and "skip every send as old news" in done.output, done.output


def test_the_default_max_age_is_named_as_the_default(tmp_path: Path) -> None:
    config = _project(tmp_path / "news", "build_ahead_minutes = 4400")
    config.write_text(config.read_text().replace("max_age_hours = 24\n", ""))
    with pytest.raises(ConfigError, match=r"max_age_hours = 72 \(the default\)"):
        load(config)


def test_an_age_limit_under_the_default_build_ahead_names_the_default(tmp_path: Path) -> None:
    """`max_age_hours = 0.5` with `build_ahead_minutes` not written (60): refused, and
    the message says where the 60 comes from; with `build_ahead_minutes = 30` it loads."""
    config = _project(tmp_path / "a", "", max_age="0.5")
    with pytest.raises(ConfigError) as caught:
        load(config)
    said = str(caught.value)
    assert said.startswith(f"{config}:{_line(config, '[[lists]]')}: lists[0] (daily)")
    assert "build_ahead_minutes = 60 (the default)" in said
    assert "build_ahead_minutes at most 30," in said
    fits = _project(tmp_path / "b", "build_ahead_minutes = 30", max_age="0.5")
    assert load(fits).edition.max_age_hours == 0.5


@pytest.mark.parametrize("ahead", ["1440", "60"])
def test_a_list_built_no_further_ahead_than_max_age_hours_loads(tmp_path: Path, ahead: str) -> None:
    """Up to max_age_hours is still news (digest.gate.stale): on time, it goes out."""
    config = _project(tmp_path / "news", f"build_ahead_minutes = {ahead}\ngrace_minutes = 0")
    assert load(config).lists[0].build_ahead_minutes == int(ahead)


def test_sends_that_are_old_news_only_when_late_are_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Built 23 hours ahead with `max_age_hours = 24`: a send more than 60 minutes late
    is skipped as old news, though `grace_minutes = 120` says it would still go out."""
    config = _project(tmp_path / "news", "build_ahead_minutes = 1380\ngrace_minutes = 120")
    assert load(config).lists[0].grace_minutes == 120  # it can send: not an error
    with caplog.at_level(logging.WARNING, logger="digest.schedule"):
        done = CliRunner().invoke(
            main, ["run", "--once", "--config", str(config), "--at", "2026-11-27T03:00:00Z"]
        )
    assert done.exit_code == 0, done.output
    (warning,) = [r.getMessage() for r in caplog.records if "grace_minutes" in r.getMessage()]
    assert warning.startswith(f"{config}:{_line(config, 'grace_minutes')}: lists[0] (daily)")
    assert "a send more than 60 minutes late is skipped as old news" in warning
    assert "build_ahead_minutes = 1380" in warning and "max_age_hours = 24" in warning
    assert "grace_minutes = 120" in warning
    shown = CliRunner().invoke(main, ["schedule", "--config", str(config)])
    assert shown.exit_code == 0, shown.output
    assert "a send more than 60 minutes late is skipped as old news" in " ".join(
        shown.output.split()
    )


def test_the_sample_init_and_demo_projects_load_without_a_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The repository's digest.toml (what `digest demo` copies) and `digest init`'s."""
    from digest.config.freshness import late_sends
    from digest.render.theme import default_project

    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "news"]).exit_code == 0
    for config in (Path("news/digest.toml"), default_project() / "digest.toml"):
        settings = load(config)
        assert late_sends(settings) == ()
    shown = CliRunner().invoke(main, ["schedule", "--config", "news/digest.toml"])
    assert shown.exit_code == 0 and "old news" not in shown.output, shown.output
