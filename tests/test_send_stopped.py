"""Editions whose send stopped part way: what the list's next edition may carry.

A reader who got a story must not get it again as new (DESIGN invariant 2). An edition
that delivered one copy has carried its stories, whatever became of the rest of its
send (paused, cancelled); a paused edition, which `digest send` resumes, keeps its
stories for itself until then, even before its first copy; a cancelled one that
reached nobody frees them. Hand-built editions (`digest build`, no slot) as well as
the scheduler's, driven through the command line and a real SMTP server.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.app import App
from digest.build import candidates, list_options, select
from digest.cli import main
from digest.codec import iso
from digest.curate import CurationError
from digest.web.desk_edition import rebuild
from tests.test_send_control import _send_in_background, _wait_for
from tests.test_send_support import NOW, FaultyHandler, add_subscribers, small_project, smtp_server

LATER = NOW + timedelta(hours=1)
NIGHT_BUSES = "Night buses return to the harbour route"


def _cli(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def _build(config: Path, at: str = iso(NOW)) -> tuple[int | None, str]:
    """`digest build --at`: the draft's id (None: none stored) and the summary line."""
    result = _cli(config, "build", "--at", at)
    found = re.search(r"^Draft edition (\d+) ", result.output, re.M)
    summary = " ".join(result.output.split())
    return (int(found[1]) if found else None), summary


def _approved(config: Path, slot: str | None = None) -> int:
    """An edition of the project's two stories, approved: built by hand, or as the
    scheduler builds one for `slot`."""
    if slot is None:
        edition, summary = _build(config)
    else:
        app = App.from_config(config)
        app.collect(now=NOW)
        built = app.draft(now=NOW, slot=slot)
        edition, summary = (built.edition.id if built.edition else None), built.summary()
        app.close()
    assert edition is not None, summary
    approved = _cli(config, "approve", str(edition))
    assert approved.exit_code == 0, approved.output
    return edition


def _news(config: Path) -> None:
    """A third story, written after the first edition was built."""
    (config.parent / "articles" / "night-buses.txt").write_text(
        f"{NIGHT_BUSES}\n\nThe 5A runs all night again from Friday.\n\n"
        "The city restores the service it cut in the spring.\n",
        encoding="utf-8",
    )


def _titles(app: App, edition: int) -> list[str]:
    return [s.title for s in app.store.edition(edition).stories]


def _stopped_part_way(
    config: Path, handler: FaultyHandler, how: str, slot: str | None = None
) -> tuple[int, int]:
    """An approved edition (for `slot`, else hand-built) whose send is paused or
    cancelled (`how`) after some copies went out to 400 readers: its id and how many
    copies went out."""
    app = App.from_config(config)
    edition = _approved(config, slot)
    add_subscribers(app, 400)
    thread, out = _send_in_background(config, edition)
    _wait_for(handler, 20)
    stopped = _cli(config, how, str(edition))
    thread.join(30)
    assert stopped.exit_code == 0, stopped.output
    (summary,) = out
    assert summary.paused is not None
    delivered = handler.count()
    assert 20 <= delivered < 400 and app.store.ledger(edition).get("sent") == delivered
    return edition, delivered


def test_a_paused_hand_built_edition_s_readers_never_get_its_stories_again(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        first, delivered = _stopped_part_way(config, handler, "pause")
        assert app.store.edition(first).status == "paused"
        carried = _titles(app, first)
        assert len(carried) == 2
        # The desk changes only drafts; ranked again as a desk rebuild ranks (its own
        # stories not counted against it), the paused edition keeps its stories.
        with pytest.raises(CurationError, match="is paused: only a draft can be changed"):
            rebuild(app, first, now=LATER)
        assert _titles(app, first) == carried
        options = list_options(app.store, app.settings, "daily", edition_id=first)
        articles = candidates(app.store, app.settings.edition, NOW)
        again = select(articles, [], now=NOW, options=options)
        assert sorted(s.title for s in again.leads + again.teasers) == sorted(carried)
        _news(config)
        second, summary = _build(config, iso(LATER))
        assert second is not None, summary
        # Only the new story; the summary says why the other two were left out.
        assert _titles(app, second) == [NIGHT_BUSES], summary
        assert "from 3 articles;" in summary and " 2 already sent," in summary
        # The paused edition is resumed, then the next one goes out: every reader gets
        # each story once.
        resumed = _cli(config, "send", str(first))
        assert resumed.exit_code == 0, resumed.output
        assert f"skipped {delivered}" in resumed.output
        sent = _cli(config, "send", str(second))
        assert sent.exit_code == 0, sent.output
    stories = {first: carried, second: _titles(app, second)}
    seen = Counter((got.recipient, title) for got in handler.got for title in stories[got.edition])
    assert len(seen) == 400 * 3 and set(seen.values()) == {1}


def test_a_paused_slot_edition_s_stories_are_left_out_as_already_sent(
    tmp_path: Path, db_url: str
) -> None:
    """Built for a slot, paused after some copies: the next edition already left its
    stories out (waiting for it); the summary now says the true reason, that they were
    sent, not that they wait."""
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        first, _ = _stopped_part_way(config, handler, "pause", slot=iso(NOW))
        assert app.store.edition(first).status == "paused"
        _news(config)
        app.collect(now=LATER)
        built = app.draft(now=LATER, slot=iso(LATER))
    assert built.edition is not None, built.summary()
    assert _titles(app, built.edition.id or 0) == [NIGHT_BUSES]
    assert " 2 already sent," in built.summary()
    assert "waiting in another edition" not in built.summary()


def test_a_paused_edition_keeps_its_stories_before_its_first_copy(
    tmp_path: Path, db_url: str
) -> None:
    """Paused before it reached anyone: `digest send` may still resume it, so the next
    edition leaves its stories to it, and says so."""
    config = small_project(tmp_path / "news", 2525, database=db_url)
    app = App.from_config(config)
    first = _approved(config)
    paused = _cli(config, "pause", str(first))
    assert paused.exit_code == 0, paused.output
    assert app.store.ledger(first) == {}
    _news(config)
    second, summary = _build(config, iso(LATER))
    assert second is not None, summary
    assert _titles(app, second) == [NIGHT_BUSES], summary
    assert " 0 already sent," in summary
    assert ", 2 waiting in another edition" in summary
    assert len(_titles(app, first)) == 2  # the paused edition still has its own


def test_an_edition_cancelled_mid_send_counts_as_having_carried_its_stories(
    tmp_path: Path, db_url: str
) -> None:
    handler = FaultyHandler()
    with smtp_server(handler) as port:
        config = small_project(tmp_path / "news", port, database=db_url)
        app = App.from_config(config)
        first, _ = _stopped_part_way(config, handler, "cancel")
        assert app.store.edition(first).status == "cancelled"
        _news(config)
        second, summary = _build(config, iso(LATER))
        assert second is not None, summary
        assert _titles(app, second) == [NIGHT_BUSES], summary
        assert " 2 already sent," in summary
        sent = _cli(config, "send", str(second))
        assert sent.exit_code == 0, sent.output
    stories = {first: _titles(app, first), second: _titles(app, second)}
    # Those who got the cancelled edition get only the new story next; everyone gets it.
    seen = Counter((got.recipient, title) for got in handler.got for title in stories[got.edition])
    assert set(seen.values()) == {1}
    assert sum(1 for got in handler.got if got.edition == second) == 400


def test_an_edition_cancelled_before_its_first_copy_frees_its_stories(tmp_path: Path) -> None:
    """Nobody got it: the next edition carries its stories as new."""
    config = small_project(tmp_path / "news", 2525)
    app = App.from_config(config)
    first = _approved(config)
    cancelled = _cli(config, "cancel", str(first))
    assert cancelled.exit_code == 0, cancelled.output
    second, summary = _build(config, iso(LATER))
    assert second is not None, summary
    assert sorted(_titles(app, second)) == sorted(_titles(app, first)), summary
    assert "0 already sent" in summary and "waiting in another edition" not in summary
