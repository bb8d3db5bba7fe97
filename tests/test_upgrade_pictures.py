"""An edition built before digest hosted pictures, sent after the upgrade.

digest before revision 0010 kept a story's picture as the feed's address (the stored
edition has no hosted copy: exactly what a build with `images = "remote"` stores). After
the upgrade, `[newsletter] images` is "hosted" by default, so such an edition goes out
without its pictures, never loading them from the feed's server. The editor approved it
with them: `digest preview`, `digest approve` and `digest send` must say so, and how to
show them, instead of dropping them without a word.
"""

from __future__ import annotations

import email
import logging
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.app import App
from digest.cli import main
from digest.schedule import Scheduler
from digest.subscribers.people import add_subscriber
from tests.feedserver import serve_feeds
from tests.test_images_hosted import FERRY, STORIES, feed, images, project
from tests.test_schedule_run import SLOT

AT = "2026-11-27T06:00:00Z"


def test_an_edition_built_before_hosting_says_its_pictures_are_left_out(
    tmp_path: Path, db_url: str
) -> None:
    run = CliRunner().invoke
    bodies = {"/img/ferry.png": FERRY}
    with serve_feeds(bodies, types={"/img/ferry.png": "image/png"}) as server:
        server.feeds["/feed.xml"] = feed(server, STORIES[:1])
        config = project(tmp_path / "news", server, 'images = "remote"', database=db_url)
        built = run(main, ["build", "--at", AT, "--config", str(config)])
        assert built.exit_code == 0, built.output
        address = server.url("/img/ferry.png")
        # The upgrade: the file says nothing of pictures, so they are now hosted.
        config.write_text(config.read_text().replace('images = "remote"', ""))
        add = ["subscribers", "add", "reader@example.net", "--list", "daily"]
        assert run(main, [*add, "--config", str(config)]).exit_code == 0
        fetched = server.requests
        preview = run(main, ["preview", "1", "--out", str(tmp_path / "p"), "--config", str(config)])
        approved = run(main, ["approve", "1", "--config", str(config)])
        sent = run(main, ["send", "1", "--config", str(config)])
        assert server.requests == fetched  # sending never fetches
    for result in (preview, approved, sent):
        assert result.exit_code == 0, result.output
        said = " ".join(result.output.split())
        assert "edition 1 was built before its pictures were hosted" in said, said
        assert f"Harbour Herald: 'Harbour ferry gets an electric twin': {address}" in said
        assert 'images = "remote"' in said
    assert "left out of every copy" in " ".join(sent.output.split())
    (eml,) = (tmp_path / "news" / "outbox").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    html = msg.get_body(("html",))
    assert html is not None
    assert images(html.get_content()) == []  # no broken box, no call to the feed's server


def test_an_edition_built_with_hosted_pictures_says_nothing_of_them(tmp_path: Path) -> None:
    run = CliRunner().invoke
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        server.feeds["/feed.xml"] = feed(server, STORIES[:1])
        config = project(tmp_path / "news", server)
        assert run(main, ["build", "--at", AT, "--config", str(config)]).exit_code == 0
    sent = run(main, ["send", "1", "--config", str(config)])
    assert sent.exit_code == 0, sent.output
    assert "pictures were hosted" not in sent.output


def test_the_scheduler_logs_the_pictures_left_out_of_an_edition_built_before_hosting(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`digest run` built the edition ahead of its slot before the upgrade, and the new
    digest sends it at the slot: its log names the pictures left out."""
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        server.feeds["/feed.xml"] = feed(server, STORIES[:1])
        config = project(tmp_path / "news", server, 'images = "remote"')
        before = App.from_config(config)
        add_subscriber(
            before.store, "daily", "reader@example.net", double_opt_in=False, origin="t", now=SLOT
        )
        Scheduler(before).tick(SLOT - timedelta(minutes=50))  # built ahead, as before
        before.store.close()
        address = server.url("/img/ferry.png")
        config.write_text(config.read_text().replace('images = "remote"', ""))
        app = App.from_config(config)
        scheduler = Scheduler(app)
        with caplog.at_level(logging.WARNING, logger="digest.schedule"):
            scheduler.tick(SLOT)
        scheduler.close()
    assert [e.status for e in app.store.editions("daily")] == ["sent"]
    said = " ".join(caplog.text.split())
    assert "edition 1 was built before its pictures were hosted" in said, said
    assert address in said
