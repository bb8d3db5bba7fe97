"""A story added on the desk by its link is held to the share-card rule as a build is.

A build leaves a source's share card off its stories (:mod:`digest.sharecards`: the
same picture on two or more of an edition's stories from one outlet), but a story the
desk added by its link went in with its picture as its page gave it: the Herald's card,
which the edition had left off two Herald stories, headed the Herald story the editor
added. Now the added story is checked against the edition's stories, with the pictures
their sources gave them (one a build left off is still the source's card): by its
address before it is fetched (a card is not fetched), by its bytes after.

Must not change: an added story's own picture is shown; another outlet's picture is
not a card of this one (a Courier story's picture on an added Herald story is kept).
Real loopback HTTP (tests.feedserver), the real Flask app, App and SQLite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digest.app import App
from tests.feedserver import FeedServer, serve_feeds
from tests.test_desk import add_editor, editor_client, payload, post, running
from tests.test_images_hosted import NOW, png
from tests.test_share_cards import COURIER, HERALD, PICTURES, feed, project

MORE = {
    "/h/copy-3.png": png(640, 360),  # the bytes of copy-1 and copy-2: the Herald's card
    "/h/own.png": png(700, 400),  # a picture no story of the edition has
    "/c/tram.png": png(720, 405),
}
PAGES = {  # path -> (headline, picture path)
    "/h/card-page": ("Harbour baths reopen after repairs", "/h/card.png"),
    "/h/leopard-page": ("Snow leopards settle in at the zoo", "/h/leopards.png"),
    "/h/copy-page": ("Ferry timetable changes in spring", "/h/copy-3.png"),
    "/h/own-page": ("Old lighthouse gets a new lamp", "/h/own.png"),
    "/h/tram-page": ("Tram drivers sign the new deal", "/c/tram.png"),
}
COURIER_TRAM = [COURIER[0], ("Tram drivers vote to accept pay offer", "A deal.", "/c/tram.png")]


def page(server: FeedServer, headline: str, picture: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{headline}</title><meta property="og:image" content="{server.url(picture)}">
</head><body><article><h1>{headline}</h1>
<p>The city said on Thursday that the work is done, and that the public may come and
see it from the weekend; the mayor will be there at ten in the morning.</p>
<p>Reporters of the Herald were shown around by the engineers, who spent the winter on
it and who say that it should last for another fifty years at least.</p>
</article></body></html>""".encode()


def added(tmp_path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Each added story's picture path (or None) by headline; and how many requests
    each add made of the server (its page, and its picture when that was fetched)."""
    bodies = {**PICTURES, **MORE}
    types = dict.fromkeys(bodies, "image/png") | dict.fromkeys(PAGES, "text/html")
    with serve_feeds(bodies, types=types) as server:
        server.feeds["/herald.xml"] = feed(server, "herald", HERALD)
        server.feeds["/courier.xml"] = feed(server, "courier", COURIER_TRAM)
        for path, (headline, picture) in PAGES.items():
            server.feeds[path] = page(server, headline, picture)
        config = project(tmp_path / "news", server, "hosted")
        app = App.from_config(config)
        edition = app.build(now=NOW, reports=app.collect(now=NOW))
        assert edition.id is not None
        add_editor(config)
        requests = {}
        with running(config) as base, editor_client(base) as c:
            for path, (headline, _) in PAGES.items():
                before = server.requests
                r = post(c, edition.id, "add", how="url", url=server.url(path), place="teaser")
                assert r.status_code == 303, r.text
                requests[headline] = server.requests - before
        prefix = server.url("")
    data = payload(config, edition.id)
    stories = [*data["leads"], *data["teasers"], *data["reserve"]]  # type: ignore[misc]
    shown = {
        s["title"]: (s["image"]["url"].removeprefix(prefix) if s.get("image") else None)
        for s in stories
    }
    return shown, requests


def test_an_added_story_goes_without_its_sources_card(tmp_path: Path) -> None:
    shown, requests = added(tmp_path)
    # The edition left the Herald's card (one address on two stories) off both.
    assert shown["Harbour ferry gets an electric twin"] is None
    # The card by its address: left off the added story, and never fetched.
    assert shown["Harbour baths reopen after repairs"] is None
    assert requests["Harbour baths reopen after repairs"] == 1  # the page only
    # The card by its bytes (copy-1 and copy-2 of the edition, copy-3 here).
    assert shown["Ferry timetable changes in spring"] is None
    # A picture a Herald story of the edition shows: the same picture on two Herald
    # stories now, the Herald's card.
    assert shown["Snow leopards settle in at the zoo"] is None


def test_an_added_storys_own_picture_stays(tmp_path: Path) -> None:
    shown, requests = added(tmp_path)
    assert shown["Old lighthouse gets a new lamp"] == "/h/own.png"
    assert requests["Old lighthouse gets a new lamp"] == 2  # the page and its picture
    # The Courier's picture on an added Herald story: another outlet's, not a card.
    assert shown["Tram drivers sign the new deal"] == "/c/tram.png"
    assert shown["Tram drivers vote to accept pay offer"] == "/c/tram.png"
