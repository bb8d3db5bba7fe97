"""The desk shows which pictures a build could not host, whoever built the edition.

Before, what a build said about the pictures it left out reached `digest build`'s
output and a desk rebuild's flash messages, but a draft `digest run` built ahead of its
slot only logged it: the editor opening that draft at the desk saw stories without
pictures and no word why. Now the notes are stored with the edition and the desk's
edition page shows them (for the stories it still carries). A real scheduler, a real
database, the real desk over loopback HTTP.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from digest.app import App
from digest.schedule import Scheduler
from tests.feedserver import serve_feeds
from tests.test_desk import add_editor, editor_client, post, running
from tests.test_images_hosted import FERRY, STORIES, feed, png, project
from tests.test_schedule_run import SLOT

MISSING = STORIES[3]  # the library's picture: the publisher answers 404


def test_the_desk_shows_the_pictures_a_scheduled_build_left_out(tmp_path: Path) -> None:
    bodies = {"/img/ferry.png": FERRY}
    with serve_feeds(bodies, types={"/img/ferry.png": "image/png"}) as server:
        server.feeds["/feed.xml"] = feed(server, [STORIES[0], MISSING])
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        scheduler = Scheduler(app)
        scheduler.tick(SLOT - timedelta(minutes=50))  # `digest run` builds ahead of 07:00
        scheduler.close()
        address = server.url("/img/library.jpg")
    (info,) = app.store.editions("daily")
    assert info.status == "draft" and info.slot is not None
    add_editor(config)
    with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
        page = " ".join(c.get(f"/editions/{info.id}").text.split())
        assert "Pictures left out" in page
        assert f"Harbour Herald: no image for “{MISSING[0]}”" in page, page
        assert address in page and "404" in page
        assert f"no image for “{STORIES[0][0]}”" not in page  # hosted: nothing to say

        # Dropped from the edition, its story's note goes with it.
        key = next(s.key for s in app.store.edition(info.id).leads if s.title == MISSING[0])
        assert post(c, info.id, "stories", action="drop", key=key).status_code == 303
        page = " ".join(c.get(f"/editions/{info.id}").text.split())
        assert "Pictures left out" not in page
        assert address not in page


def test_a_desk_rebuild_replaces_the_notes(tmp_path: Path) -> None:
    """The notes are what the last build said: the publisher put the picture up, and
    after a rebuild at the desk the story shows it and the note is gone."""
    bodies = {"/img/ferry.png": FERRY}
    with serve_feeds(bodies, types={"/img/ferry.png": "image/png"}) as server:
        server.feeds["/feed.xml"] = feed(server, [STORIES[0], MISSING])
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        edition = app.build(now=SLOT, reports=app.collect(now=SLOT))  # as `digest build`
        eid = edition.id or 0
        add_editor(config)
        with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
            page = " ".join(c.get(f"/editions/{eid}").text.split())
            assert f"Harbour Herald: no image for “{MISSING[0]}”" in page
            # A picture of its own (the ferry's bytes on both stories: the site's card).
            server.feeds["/img/library.jpg"] = png(320, 200)
            server.types["/img/library.jpg"] = "image/png"
            r = post(c, eid, "rebuild")
            assert r.status_code == 303
            page = " ".join(c.get(r.headers["location"]).text.split())
            assert "Pictures left out" not in page and "could not be hosted" not in page
    (story,) = [s for s in app.store.edition(eid).leads if s.title == MISSING[0]]
    assert story.image is not None and story.image.hosted is not None
