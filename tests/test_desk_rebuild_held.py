"""A desk rebuild says which other edition holds the stories it could not take.

A story goes to a list in one edition: one waiting to go out for a slot holds its
stories, and no other edition ranks them. An editor rebuilt an older draft (built by
hand, which holds nothing) after the scheduler had built the next slot's edition from
the same articles: the draft came back with one story of four, and the rebuild's
message ("Ranked again from the stored articles; ...") gave no reason. Now it says how
many stories wait in which edition, named as the desk names it (its number and slot).
Real SQLite, a real publisher's server on loopback, the desk through Flask's test client.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from digest.app import App
from tests.feedserver import serve_feeds
from tests.test_desk import add_editor
from tests.test_desk_added_picture_notes import desk_client, desk_post, words
from tests.test_images_hosted import STORIES, feed, project
from tests.test_schedule_run import SLOT


def test_a_rebuild_names_the_edition_that_holds_its_stories(tmp_path: Path) -> None:
    with serve_feeds({}) as server:
        server.feeds["/feed.xml"] = feed(server, STORIES[:3])
        config = project(tmp_path / "news", server, newsletter='images = "remote"')
        app = App.from_config(config)
        early = SLOT - timedelta(hours=3)
        older = app.build(now=early, reports=app.collect(now=early)).id or 0  # by hand
        # The scheduler builds the 07:00 (Copenhagen) slot's edition: a hand-built draft
        # holds nothing, so it takes the same three stories.
        slot = SLOT.strftime("%Y-%m-%dT%H:%M:%SZ")
        newer = app.build(now=SLOT - timedelta(hours=1), slot=slot).id or 0
        assert len(app.store.edition(newer).stories) == 3
        # One more story comes in; the editor ranks the older draft again.
        server.feeds["/feed.xml"] = feed(server, STORIES)
        app.collect(now=SLOT - timedelta(minutes=30))
    add_editor(config)
    c = desk_client(app, clock=lambda: SLOT - timedelta(minutes=20))
    r = desk_post(c, older, "rebuild")
    assert r.status_code == 303
    said = words(c.get(r.headers["location"]).text)
    assert [s.title for s in app.store.edition(older).stories] == [STORIES[3][0]]
    assert "Ranked again from the stored articles" in said, said
    assert (
        f"3 stories wait in edition {newer} (slot 27 Nov 2026, 07:00 CET), so they are "
        "not ranked here: a story goes to a list in one edition."
    ) in said, said


def test_a_rebuild_that_lost_nothing_to_another_edition_says_nothing_of_one(
    tmp_path: Path,
) -> None:
    with serve_feeds({}) as server:
        server.feeds["/feed.xml"] = feed(server, STORIES)
        config = project(tmp_path / "news", server, newsletter='images = "remote"')
        app = App.from_config(config)
        eid = app.build(now=SLOT, reports=app.collect(now=SLOT)).id or 0
    add_editor(config)
    c = desk_client(app)
    r = desk_post(c, eid, "rebuild")
    said = words(c.get(r.headers["location"]).text)
    assert "Ranked again from the stored articles" in said and " wait in edition " not in said
    assert len(app.store.edition(eid).stories) == 4
