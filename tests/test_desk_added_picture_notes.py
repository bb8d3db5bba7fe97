"""A story added on the desk by its link goes in "Pictures left out" when its picture
could not be hosted, as a built story's does.

Before, the picture's line was flashed once after the story was added, and gone with
the next page load: the editor (or a colleague opening the draft later) saw a story
without a picture and no word why. Now the line is kept with the edition's notes, under
the same rules as a build's: listed while the edition carries the story without a
picture, gone when the story is dropped, kept over a rebuild (which does not rank the
added story, so says nothing new of its picture). A real publisher's server on
loopback, real SQLite, the real desk through Flask's test client.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask.testing import FlaskClient

from digest.app import App
from digest.web import create_app
from tests.feedserver import serve_feeds
from tests.test_desk import EDITOR, PASSWORD, add_editor
from tests.test_images_hosted import FERRY, STORIES, feed, project
from tests.test_schedule_run import SLOT

HEADLINE = "Night buses return to the harbour line"
PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{HEADLINE}</title>
<meta property="og:image" content="/img/bus.png">
<meta name="description" content="The night buses run again from Friday.">
</head><body><article><h1>{HEADLINE}</h1>
<p>The night buses run again from Friday, every twenty minutes until five.</p>
<p>The transport company said the works on the line were done.</p></article></body></html>"""


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return html.unescape(found.group(1))


def desk_client(app: App, clock: Callable[[], datetime] = lambda: SLOT) -> FlaskClient:
    """The desk through Flask's test client, logged in as the editor."""
    client = create_app(app, clock=clock).test_client()
    form = client.get("/login").text
    r = client.post(
        "/login", data={"csrf_token": _token(form), "email": EDITOR, "password": PASSWORD}
    )
    assert r.status_code == 303, r.text
    return client


def desk_post(client: FlaskClient, edition_id: int, path: str, **fields: str):  # type: ignore[no-untyped-def]
    """A form on the edition page, as the browser sends it (its token and version)."""
    page = client.get(f"/editions/{edition_id}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    data = {"csrf_token": _token(page), **fields}
    if version and "version" not in fields:
        data["version"] = version.group(1)
    return client.post(f"/editions/{edition_id}/{path}", data=data)


def words(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def card(page: str) -> str:
    """The words of the "Pictures left out" card ("" when there is none)."""
    found = re.search(
        r'<section class="card" aria-labelledby="pictures-h">(.*?)</section>', page, re.S
    )
    return words(found.group(1)) if found else ""


def test_a_story_added_by_its_link_lists_its_missing_picture_on_the_card(
    tmp_path: Path,
) -> None:
    bodies = {"/img/ferry.png": FERRY, "/news/buses": PAGE.encode()}
    types = {"/img/ferry.png": "image/png", "/news/buses": "text/html; charset=utf-8"}
    with serve_feeds(bodies, types=types) as server:  # /img/bus.png: 404
        server.feeds["/feed.xml"] = feed(server, [STORIES[0]])
        config = project(tmp_path / "news", server)
        app = App.from_config(config)
        eid = app.build(now=SLOT, reports=app.collect(now=SLOT)).id or 0
        add_editor(config)
        address = server.url("/img/bus.png")
        c = desk_client(app)
        assert card(c.get(f"/editions/{eid}").text) == ""  # the ferry's picture is hosted

        r = desk_post(c, eid, "add", how="url", url=server.url("/news/buses"), place="lead")
        assert r.status_code == 303
        said = words(c.get(r.headers["location"]).text)  # its messages, shown once
        assert f"Added “{HEADLINE}”." in said and f"no image for “{HEADLINE}”" in said
        shown = card(c.get(f"/editions/{eid}").text)  # reloaded: nothing flashed now
        assert f"Harbour Herald: no image for “{HEADLINE}”: the picture was not found" in shown
        assert "(HTTP 404)" in shown, shown
        assert address in shown and "404" in shown, shown

        # A rebuild does not rank the added story again: what was said of it stays.
        assert desk_post(c, eid, "rebuild").status_code == 303
        assert f"no image for “{HEADLINE}”" in card(c.get(f"/editions/{eid}").text)

        # Dropped, the story's note goes with it.
        key = next(s.key for s in app.store.edition(eid).carried if s.title == HEADLINE)
        assert desk_post(c, eid, "stories", action="drop", key=key).status_code == 303
        page = c.get(f"/editions/{eid}").text
    assert card(page) == "" and "Pictures left out" not in page and address not in page
    assert [s.title for s in app.store.edition(eid).stories] == [STORIES[0][0]]
