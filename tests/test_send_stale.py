"""An edition built longer ago than `[edition] max_age_hours` is old news: its first send
is refused before anything is sent (`digest send`, the scheduler), unless someone says
`--send-stale`; a resumed send, a dry run and a fresh edition go on as before.

A real SMTP server (aiosmtpd) on loopback, real SQLite files, the real command line and
the real scheduler (its clock an argument)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from digest.codec import iso
from digest.schedule import Scheduler
from tests.conftest import Mailbox
from tests.test_schedule_run import SLOT, SLOT_KEY, SUBSCRIBERS, make_project, runs, smtp
from tests.test_send_support import NOW, FaultyHandler, add_subscribers, build, small_project
from tests.test_send_support import smtp_server as faulty_server


def _stale_project(folder: Path, port: int) -> Path:
    """Two subscribers, `max_age_hours = 72`, deferred answers retried at once."""
    config = small_project(folder, port, "retry_delay = 0.01\n")
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72"))
    app = App.from_config(config)
    add_subscribers(app, 2)
    app.close()
    return config


def _approved_days_ago(config: Path) -> int:
    """An edition built for the fixed test time (days before today), approved, forgotten."""
    app = App.from_config(config)
    edition = build(app)
    app.store.approve(edition, now=NOW)
    app.close()
    return edition


def _send(config: Path, edition: int, *flags: str) -> Result:
    return CliRunner().invoke(main, ["send", "--config", str(config), str(edition), *flags])


def test_a_first_send_of_an_edition_built_days_ago_is_refused_and_nothing_is_sent(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _stale_project(tmp_path / "news", port)
        edition = _approved_days_ago(config)
        done = _send(config, edition)
    assert done.exit_code != 0, done.output
    said = " ".join(done.output.split())
    assert f"edition {edition} was built for {NOW:%Y-%m-%d %H:%M} UTC, " in said
    assert re.search(r"UTC, \d+ days ago: its stories are older than", said), said
    assert "[edition] max_age_hours = 72" in said
    assert str(config) in said  # the file the setting is in
    assert "`digest build` makes a fresh edition" in said
    assert f"`digest send {edition} --send-stale` sends this one anyway" in said
    assert "Sent " not in said
    assert handler.rcpts == [] and handler.got == []  # not one address reached the server
    app = App.from_config(config)
    assert app.store.ledger(edition) == {}
    assert app.store.edition_info(edition).status == "approved"  # left as it was


def test_send_stale_sends_an_old_edition_as_today(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _stale_project(tmp_path / "news", port)
        edition = _approved_days_ago(config)
        done = _send(config, edition, "--send-stale")
    assert done.exit_code == 0, done.output
    assert "Sent 2," in done.output
    assert sorted(g.recipient for g in handler.got) == [
        "reader0@example.net",
        "reader1@example.net",
    ]
    assert App.from_config(config).store.ledger(edition) == {"sent": 2}


def test_a_resumed_send_of_a_stale_edition_carries_on_without_the_flag(tmp_path: Path) -> None:
    """Half of it went out (`--send-stale`), one copy was deferred: the next plain
    `digest send ID` delivers the rest; refusing it would leave a list half served."""
    handler = FaultyHandler(refuse={"reader1@example.net": "451 4.3.0 Try again later"})
    with faulty_server(handler) as port:
        config = _stale_project(tmp_path / "news", port)
        edition = _approved_days_ago(config)
        first = _send(config, edition, "--send-stale")
        assert first.exit_code == 1, first.output  # one copy still due
        assert [g.recipient for g in handler.got] == ["reader0@example.net"]
        handler.refuse.clear()
        handler.run = 1
        again = _send(config, edition)
    assert again.exit_code == 0, again.output
    assert "Ledger before this run: sent 1, deferred (retried next run) 1." in again.output
    assert [(g.run, g.recipient) for g in handler.got] == [
        (0, "reader0@example.net"),
        (1, "reader1@example.net"),
    ]
    assert App.from_config(config).store.ledger(edition) == {"sent": 2}


def test_send_edition_itself_refuses_old_news_unless_asked(tmp_path: Path) -> None:
    """The one entry point of every send (the CLI, the scheduler, library callers)."""
    from digest.deliver.run import SendOptions, send_edition
    from digest.gate import StaleEdition

    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _stale_project(tmp_path / "news", port)
        edition = _approved_days_ago(config)
        app = App.from_config(config)
        with pytest.raises(StaleEdition, match=f"edition {edition} was built for "):
            send_edition(app, edition)
        assert handler.rcpts == [] and app.store.ledger(edition) == {}
        summary = send_edition(app, edition, options=SendOptions(send_stale=True))
        app.close()
    assert summary.sent == 2 and len(handler.got) == 2


def test_approving_a_stale_edition_says_it_goes_out_only_with_send_stale(
    tmp_path: Path,
) -> None:
    with faulty_server(FaultyHandler()) as port:
        config = _stale_project(tmp_path / "news", port)
        app = App.from_config(config)
        edition = build(app)
        app.close()
        done = CliRunner().invoke(main, ["approve", "--config", str(config), str(edition)])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert f"Approved edition {edition}" in said
    assert f"Edition {edition} was built for {NOW:%Y-%m-%d %H:%M} UTC, " in said
    assert "max_age_hours = 72; it is not sent by itself:" in said
    assert f"`digest send {edition} --send-stale` sends this one anyway" in said


def test_a_dry_run_of_a_stale_edition_is_not_refused_and_says_how_old_it_is(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _stale_project(tmp_path / "news", port)
        edition = _approved_days_ago(config)
        done = _send(config, edition, "--dry-run")
    assert done.exit_code == 0, done.output
    assert "Dry run: 2 messages would be sent" in done.output
    assert f"was built for {NOW:%Y-%m-%d %H:%M} UTC" in done.output
    assert handler.got == []
    assert App.from_config(config).store.ledger(edition) == {}


def test_a_fresh_edition_is_sent_without_a_word_about_its_age(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _stale_project(tmp_path / "news", port)
        app = App.from_config(config)
        now = datetime.now(UTC)  # built just now (its articles were written just now)
        app.collect(now=now)
        edition = app.build(now=now).id
        assert edition is not None
        app.close()
        done = _send(config, edition)
    assert done.exit_code == 0, done.output
    assert "Sent 2," in done.output
    assert "built for" not in done.output and "send-stale" not in done.output
    assert len(handler.got) == 2


def test_only_news_older_than_max_age_hours_is_old() -> None:
    from digest.gate import stale

    now = datetime.now(UTC)
    assert stale(1, now - timedelta(hours=5), 72, now) is None
    assert stale(1, now - timedelta(hours=72), 72, now) is None  # up to it: still news
    assert stale(1, now - timedelta(days=400), None, now) is None  # builds read any age
    note = stale(1, now - timedelta(hours=30, minutes=5), 24, now)
    assert note is not None and "30 hours ago" in note and "max_age_hours = 24" in note


# -- the scheduler ------------------------------------------------------------------------
@pytest.mark.parametrize("max_age", [48, 72])
def test_the_scheduler_never_sends_an_edition_older_than_max_age_hours(
    tmp_path: Path, smtp_server: Mailbox, caplog: pytest.LogCaptureFixture, max_age: int
) -> None:
    """A weekly list built two days ahead for review, sent 90 minutes late (the
    scheduler was down at its slot; `grace_minutes = 120` still sends it): with
    `max_age_hours = 48` its edition is old news by then, and the scheduler skips it,
    saying why (nobody asked for it); with 72 the same edition goes out. (Built further
    ahead than max_age_hours, every send would be skipped: the file is refused,
    tests/test_config_stale_sends.py.)"""
    built_at = SLOT - timedelta(hours=47)
    late = SLOT + timedelta(minutes=90)
    config = make_project(
        tmp_path / "news",
        smtp(smtp_server),
        keys='schedule = "0 7 * * 5"\nbuild_ahead_minutes = 2880\ngrace_minutes = 120',
        articles_at=built_at - timedelta(hours=1),
    )
    config.write_text(
        config.read_text().replace("max_age_hours = 100000", f"max_age_hours = {max_age}")
    )
    app = App.from_config(config)
    scheduler = Scheduler(app)
    scheduler.tick(built_at)
    (info,) = app.store.editions("daily")
    assert info.slot == SLOT_KEY and info.built_for == built_at
    with caplog.at_level(logging.INFO, logger="digest.schedule"):
        done = scheduler.tick(late)
    send = next(o for o in done if o.action == "send")
    if max_age == 72:  # the guard: a fresh enough edition goes out as before
        assert send.status == "done", send.detail
        assert len(smtp_server.messages) == SUBSCRIBERS
        return
    assert smtp_server.messages == []
    assert app.store.ledger(info.id) == {}
    assert send.status == "skipped" and send.edition_id == info.id
    assert f"edition {info.id} was built for {built_at:%Y-%m-%d %H:%M} UTC" in send.detail
    assert "2 days ago" in send.detail and "max_age_hours = 48" in send.detail
    assert f"digest send {info.id} --send-stale" in send.detail
    assert runs(app)[SLOT_KEY] == ("skipped", send.detail)
    assert app.store.edition_info(info.id).status == "skipped"  # its stories free again
    assert any("--send-stale" in r.getMessage() for r in caplog.records)  # logged


# -- the desk -----------------------------------------------------------------------------
def test_the_desk_says_an_old_edition_is_sent_only_with_send_stale(tmp_path: Path) -> None:
    """The desk sends nothing itself (approve, cancel, a test copy): what an approval
    sets in motion is said beside the button, and for old news that is nothing
    without `--send-stale`, with its age."""
    from tests.test_desk import add_editor, editor_client, running
    from tests.test_desk import build as desk_build
    from tests.test_desk_status import _page, _text
    from tests.test_web_public import NOW as DESK_NOW
    from tests.test_web_public import newsletter

    config = newsletter(tmp_path)
    config.write_text(config.read_text().replace("max_age_hours = 100000", "max_age_hours = 72"))
    add_editor(config)
    eid = desk_build(config)  # by hand, for DESK_NOW
    app = App.from_config(config)
    slot = iso(DESK_NOW + timedelta(days=4))  # built four days ahead of its slot
    ahead = app.draft(list_name="daily", now=DESK_NOW, slot=slot).edition
    assert ahead is not None and ahead.id is not None
    app.close()

    def said(clock: datetime, edition: int) -> str:
        with running(config, clock=lambda: clock) as base, editor_client(base) as c:
            return " ".join(_text(_page(c, edition)[0]).split())

    fresh = said(DESK_NOW, eid)
    assert "Its news is old" not in fresh and "--send-stale" not in fresh
    assert f"it goes out only when someone runs digest send {eid} ." in fresh
    old = said(DESK_NOW + timedelta(days=8), eid)
    assert f"it goes out only when someone runs digest send {eid} --send-stale ." in old
    assert "Its news is old: it was built for Fri 27 Nov 2026" in old
    assert "8 days ago, longer than [edition] max_age_hours (72 hours) allows" in old
    assert "digest build makes a fresh edition" in old
    later = said(DESK_NOW, ahead.id)  # not old yet, but by its slot
    assert "but it does not go out automatically then" in later
    assert f"digest send {ahead.id} --send-stale" in later
    assert "4 days before its slot, longer than [edition] max_age_hours" in later
