"""A reader never gets the same stories twice from two editions of a list: the first send
of an edition is refused when stories in it went out to the list in another edition
after it was built (two drafts built from the same news, both approved). A resumed
send, an update of a sent story and a fresh edition go on as before.

QA's steps (hand-built drafts reserve nothing, so the second `digest build` carries
the first's stories): before the fix the second `digest send` delivered them all again.
A real SMTP server (aiosmtpd) on loopback, real SQLite files, the real command line."""

from __future__ import annotations

import re
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.app import App
from digest.cli import main
from digest.records import Article, SourceReport
from digest.schedule import Scheduler
from tests.conftest import Mailbox
from tests.test_schedule_run import SLOT, SLOT_KEY, SUBSCRIBERS, make_project, smtp
from tests.test_send_support import DIGEST, NOW, FaultyHandler, add_subscribers, small_project
from tests.test_send_support import smtp_server as faulty_server

READERS = ["reader0@example.net", "reader1@example.net", "reader2@example.net"]


def _cli(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [args[0], "--config", str(config), *args[1:]])


def _project(folder: Path, port: int) -> Path:
    config = small_project(folder, port, "retry_delay = 0.01\n")
    app = App.from_config(config)
    add_subscribers(app, len(READERS))
    app.close()
    return config


def _drafts(config: Path, count: int = 2) -> list[int]:
    """`digest build` `count` times: hand-built drafts, each with the same stories."""
    ids = []
    for _ in range(count):
        done = _cli(config, "build")
        assert done.exit_code == 0, done.output
        found = re.search(r"Edition (\d+):", done.output)
        assert found, done.output
        ids.append(int(found.group(1)))
    return ids


def _keys(config: Path, edition: int) -> set[str]:
    app = App.from_config(config)
    try:
        return {s.key for s in app.store.edition(edition).stories}
    finally:
        app.close()


def _words(result: Result) -> str:
    return " ".join(result.output.split())


def test_a_second_draft_of_the_same_stories_is_refused_after_the_first_went_out(
    tmp_path: Path,
) -> None:
    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        first, second = _drafts(config)
        assert _keys(config, first) == _keys(config, second)  # QA: the same stories
        for edition in (first, second):
            assert _cli(config, "approve", str(edition)).exit_code == 0
        sent = _cli(config, "send", str(first))
        assert sent.exit_code == 0, sent.output
        assert sorted(g.recipient for g in handler.got) == READERS
        dry = _cli(config, "send", str(second), "--dry-run")
        assert dry.exit_code == 0, dry.output  # a dry run says so, and sends nothing
        assert f"`digest send {second}` refuses it" in _words(dry)
        again = _cli(config, "send", str(second))
    assert again.exit_code != 0, again.output
    said = _words(again)
    assert "Sent " not in said
    assert f"edition {second}: 2 of its 2 stories already went out to list 'daily'" in said
    assert f"in edition {first}" in said
    assert "Harbour bath opens for winter swimmers" in said  # the stories, by headline
    assert "`digest build` makes a fresh edition" in said
    assert f"drop them from edition {second} at the desk" in said
    assert sorted(g.recipient for g in handler.got) == READERS  # nobody got them twice
    app = App.from_config(config)
    assert app.store.ledger(second) == {}
    assert app.store.edition_info(second).status == "approved"  # left as it was
    app.close()


def test_send_edition_itself_refuses_a_repeat_and_a_fresh_build_then_sends(
    tmp_path: Path,
) -> None:
    """The one entry point of every send; and the way on the refusal names works: a
    fresh build leaves the sent stories out and carries what is new."""
    from digest.deliver.run import send_edition
    from digest.gate import RepeatedStories

    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        first, second = _drafts(config)
        app = App.from_config(config)
        assert send_edition(app, first).sent == len(READERS)
        with pytest.raises(RepeatedStories, match=f"in edition {first}"):
            send_edition(app, second)
        assert app.store.ledger(second) == {}
        assert len(handler.got) == len(READERS)
        (tmp_path / "news" / "articles" / "ferry.txt").write_text(
            "Night ferry to Oslo returns in spring\n\n"
            "The overnight ferry sails again from April, its operator says.\n",
            encoding="utf-8",
        )
        app.close()
        fresh = _drafts(config, 1)[0]
        assert {s.title for s in App.from_config(config).store.edition(fresh).stories} == {
            "Night ferry to Oslo returns in spring"
        }
        done = _cli(config, "send", str(fresh))
    assert done.exit_code == 0, done.output
    assert f"Sent {len(READERS)}," in done.output
    assert len(handler.got) == 2 * len(READERS)


def test_a_resumed_send_of_an_edition_that_began_is_not_refused(tmp_path: Path) -> None:
    """Edition 2 began going out first (one copy deferred); edition 1, with the same
    stories, is then refused; edition 2's next run delivers the rest: its readers are
    owed it, and the ledger never sends anyone a copy twice."""
    handler = FaultyHandler(refuse={"reader1@example.net": "451 4.3.0 Try again later"})
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        first, second = _drafts(config)
        began = _cli(config, "send", str(second))
        assert began.exit_code == 1, began.output  # one copy still due
        refused = _cli(config, "send", str(first))
        assert refused.exit_code != 0 and "Sent " not in refused.output, refused.output
        assert f"in edition {second}" in _words(refused)
        handler.refuse.clear()
        again = _cli(config, "send", str(second))
    assert again.exit_code == 0, again.output
    assert "Ledger before this run: sent 2" in again.output
    assert sorted(g.recipient for g in handler.got) == READERS  # each once, from edition 2


def test_two_drafts_sent_at_once_the_second_sees_the_first_from_the_moment_it_began(
    tmp_path: Path,
) -> None:
    """Both drafts approved, both sent at once: while the first `digest send` is still
    going out (one copy delivered, its next waiting on the server), the second is
    refused; the first then finishes. Every reader gets the stories once."""
    handler = FaultyHandler(stall_after=1)
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        first, second = _drafts(config)
        args = [*DIGEST, "send", str(first), "--config", str(config)]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not handler.stalled:  # the second MAIL waits for an answer
            assert proc.poll() is None and time.monotonic() < deadline, proc.returncode
            time.sleep(0.01)
        try:  # a send that goes ahead waits on the stalled server: cut short, it failed
            refused = subprocess.run(
                [*DIGEST, "send", str(second), "--config", str(config)],
                capture_output=True,
                text=True,
                timeout=30,
            )
        finally:
            handler.stall_after = None
        out = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 0, out
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode != 0 and "Sent " not in said, said
    assert f"in edition {first}" in said
    assert sorted(g.recipient for g in handler.got) == READERS
    assert {g.edition for g in handler.got} == {first}


def test_send_edition_sees_an_edition_sending_without_a_copy_yet(tmp_path: Path) -> None:
    """The first send set its edition sending and has not claimed a copy yet: that is
    going out already."""
    from digest.deliver.run import send_edition
    from digest.gate import RepeatedStories

    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        first, second = _drafts(config)
        app = App.from_config(config)
        assert app.store.set_edition_status(first, "sending", now=NOW, expect=("draft",))
        with pytest.raises(RepeatedStories, match=f"in edition {first}"):
            send_edition(app, second)
        assert app.store.edition_info(second).status == "draft"
        app.close()
    assert handler.got == [] and handler.rcpts == []


def test_an_update_of_a_sent_story_still_goes_out(tmp_path: Path) -> None:
    """An edition carries a story; two days later its later news (dated reports that
    say something new) runs again as an update in the next edition, which is sent: an
    update carries only its new reports, none that went out."""
    from tests.test_rank_updates import DAM, MONDAY, TOLL

    def record(app: App, *articles: Article) -> None:
        for a in articles:
            report = SourceReport(name=a.source, articles=(a,))
            app.store.record(report, location=a.source, now=a.when or MONDAY)

    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        app = App.from_config(config)
        record(app, DAM)
        first = app.build(now=MONDAY)
        assert first.id is not None and "dam-1" in {s.key for s in first.stories}
        assert send_edition_sent(app, first.id) == len(READERS)
        record(app, *TOLL)
        update = app.build(now=MONDAY + timedelta(hours=48))
        assert update.id is not None
        story = next(s for s in update.stories if "toll-1" in s.keys)
        assert story.update  # the ranking marked it an update of edition 1's story
        sent = send_edition_sent(app, update.id)
        app.close()
    assert sent == len(READERS)
    assert len(handler.got) == 2 * len(READERS)


def send_edition_sent(app: App, edition: int) -> int:
    from digest.deliver.run import send_edition

    return send_edition(app, edition).sent


# -- the scheduler ------------------------------------------------------------------------
@pytest.mark.parametrize("by_hand_sent", [True, False])
def test_the_scheduler_skips_a_slot_edition_whose_stories_went_out_by_hand(
    tmp_path: Path, smtp_server: Mailbox, by_hand_sent: bool
) -> None:
    """A draft built by hand reserves nothing, so the slot's edition, built two days
    ahead, carries its stories too; the draft is then sent by hand. At its slot the
    scheduler skips its edition, saying why; unsent, the hand draft keeps nothing from
    going out at the slot (the guard)."""
    from digest.deliver.run import send_edition

    built_at = SLOT - timedelta(hours=47)
    config = make_project(
        tmp_path / "news",
        smtp(smtp_server),
        keys='schedule = "0 7 * * 5"\nbuild_ahead_minutes = 2880',
        articles_at=built_at - timedelta(hours=2),
    )
    app = App.from_config(config)
    app.collect(now=built_at - timedelta(hours=1))
    hand = app.build(now=built_at - timedelta(hours=1))
    assert hand.id is not None
    scheduler = Scheduler(app)
    scheduler.tick(built_at)
    slotted = next(e for e in app.store.editions("daily") if e.slot == SLOT_KEY)
    keys = {s.key for s in app.store.edition(slotted.id).stories}
    assert keys == {s.key for s in hand.stories}  # the same stories
    if by_hand_sent:
        assert send_edition(app, hand.id).sent == SUBSCRIBERS
    done = scheduler.tick(SLOT)
    send = next(o for o in done if o.action == "send")
    if not by_hand_sent:
        assert send.status == "done", send.detail
        assert len(smtp_server.messages) == SUBSCRIBERS
        return
    assert len(smtp_server.messages) == SUBSCRIBERS  # the hand-sent copies alone
    assert app.store.ledger(slotted.id) == {}
    assert send.status == "skipped" and send.edition_id == slotted.id
    n = len(keys)
    assert f"edition {slotted.id}: {n} of its {n} stories already went out" in send.detail
    assert f"in edition {hand.id}" in send.detail and "`digest build`" in send.detail
    assert app.store.edition_info(slotted.id).status == "skipped"  # its stories free again


# -- approval: the command line and the desk ----------------------------------------------
def test_approving_a_draft_whose_stories_went_out_says_it_is_not_sent(tmp_path: Path) -> None:
    handler = FaultyHandler()
    with faulty_server(handler) as port:
        config = _project(tmp_path / "news", port)
        first, second = _drafts(config)
        before = _cli(config, "approve", str(first))  # nothing went out yet: nothing said
        assert before.exit_code == 0 and "already went out" not in before.output
        assert _cli(config, "send", str(first)).exit_code == 0
        approved = _cli(config, "approve", str(second))
    assert approved.exit_code == 0, approved.output
    said = _words(approved)
    assert f"Approved edition {second}" in said
    assert f"Edition {second}: 2 of its 2 stories already went out to list 'daily'" in said
    assert f"in edition {first}" in said
    assert f"`digest send {second}` refuses it and the scheduler skips it" in said
    assert "`digest build` makes a fresh edition without them" in said


def test_the_desk_says_beside_approve_that_a_draft_of_sent_stories_is_not_sent(
    tmp_path: Path,
) -> None:
    from digest.deliver.run import send_edition
    from tests.test_desk import add_editor, editor_client, running
    from tests.test_desk import build as desk_build
    from tests.test_desk_status import _page, _text
    from tests.test_web_public import newsletter

    config = newsletter(tmp_path)
    add_editor(config)
    first, second = desk_build(config), desk_build(config)

    def said(edition: int) -> str:
        with running(config) as base, editor_client(base) as c:
            return " ".join(_text(_page(c, edition)[0]).split())

    assert "already" not in said(second)  # the guard: nothing went out yet
    app = App.from_config(config)
    assert send_edition(app, first).sent > 0
    titles = [s.title for s in app.store.edition(second).stories]
    app.close()
    page = said(second)
    assert "will get it" not in page and "would get it as it is" in page
    assert f"Edition {second}: {len(titles)} of its {len(titles)} stories" in page
    assert f"in edition {first}" in page and "so that nobody gets them twice" in page
    assert f"“{titles[0]}”" in page
    assert f"digest send {second} refuses it and the scheduler skips it" in page
    assert "digest build makes a fresh edition without them" in page


# -- the rule itself ----------------------------------------------------------------------
def test_the_rule_counts_another_sources_copy_and_leaves_an_editors_pin() -> None:
    """A report stored under another source's key (records.copy_key) is the same report,
    as for the ranking; a story an editor pinned runs by request, as a build runs it."""
    from dataclasses import replace

    from digest.gate import repeats
    from digest.records import Edition, Story, copy_key

    story = Story(
        key=copy_key(3, "dam-1"),
        title="Dam breach floods valley",
        url=None,
        source="North Post",
        summary="",
    )
    other = Story(key="bus-1", title="Night bus returns", url=None, source="City", summary="")
    edition = Edition(list="daily", at=NOW, leads=(story,), teasers=(other,), id=2)
    note = repeats(edition, {"dam-1": 1})
    assert note == (
        "edition 2: 1 of its 2 stories already went out to list 'daily' in edition 1 "
        "(“Dam breach floods valley”)"
    )
    assert repeats(edition, {"elsewhere": 1}) is None
    pinned = replace(edition, leads=(replace(story, pinned=True),))
    assert repeats(pinned, {"dam-1": 1}) is None
