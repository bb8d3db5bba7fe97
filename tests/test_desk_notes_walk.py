"""The desk's "Pictures left out" card and its rebuild, as an editor walked them.

A QA pass drove the desk in Chromium the morning after the card came in and found:
a rebuild's message counted the pictures of stories the editor had dropped ("3 pictures
could not be hosted: see “Pictures left out”" above a card of 2); the card named a
story by the headline the editor had just rewritten, a headline found nowhere else on
the page; a rebuild ranked a story added on the desk in as one of the sources' (a
teaser the editor placed came back a lead "ranked #2", and pushed a ranked story out
of the edition); and a picture's long address ran out of the card on a phone.
A real desk over loopback HTTP, a real feed server, real SQLite, real Chromium.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from digest.app import App
from tests.feedserver import serve_feeds
from tests.test_desk import EDITOR, PASSWORD, add_editor, editor_client, post, running
from tests.test_images_hosted import FERRY, STORIES, feed, project
from tests.test_preferences_browser import chromium
from tests.test_schedule_run import SLOT

MISSING = STORIES[3]  # the library's picture: the publisher answers 404
GONE = STORIES[2]  # the leopards' picture: 404 too


def _words(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _card(page: str) -> str:
    found = re.search(
        r'<section class="card" aria-labelledby="pictures-h">(.*?)</section>', page, re.S
    )
    return _words(found.group(1)) if found else ""


def _built(tmp_path: Path, server, stories) -> tuple[Path, App, int]:  # type: ignore[no-untyped-def]
    server.feeds["/feed.xml"] = feed(server, stories)
    config = project(tmp_path / "news", server)
    app = App.from_config(config)
    edition = app.build(now=SLOT, reports=app.collect(now=SLOT))
    add_editor(config)
    return config, app, edition.id or 0


def _key(app: App, eid: int, title: str) -> str:
    return next(s.key for s in app.store.edition(eid).carried if s.title == title)


def test_a_rebuild_counts_the_pictures_the_card_shows(tmp_path: Path) -> None:
    """A dropped story's picture is no picture the edition left out: the rebuild's
    message counts what the card lists."""
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        config, app, eid = _built(tmp_path, server, [STORIES[0], GONE, MISSING])
        with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
            drop = _key(app, eid, GONE[0])
            assert post(c, eid, "stories", action="drop", key=drop).status_code == 303
            r = post(c, eid, "rebuild")
            assert r.status_code == 303
            page = c.get(r.headers["location"]).text
    words = _words(page)
    assert "1 picture could not be hosted: see “Pictures left out”." in words, words
    card = _card(page)
    assert f"no image for “{MISSING[0]}”" in card and GONE[0] not in card


def test_a_rebuild_that_left_out_only_dropped_stories_pictures_says_none(tmp_path: Path) -> None:
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        config, app, eid = _built(tmp_path, server, [STORIES[0], GONE])
        with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
            post(c, eid, "stories", action="drop", key=_key(app, eid, GONE[0]))
            r = post(c, eid, "rebuild")
            page = c.get(r.headers["location"]).text
    assert "could not be hosted" not in page and "Pictures left out" not in page


def test_the_card_names_a_story_by_the_headline_the_editor_gave_it(tmp_path: Path) -> None:
    rewritten = "Late opening at the library all winter"
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        config, app, eid = _built(tmp_path, server, [STORIES[0], MISSING])
        address = server.url("/img/library.jpg")
        with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
            key = _key(app, eid, MISSING[0])
            r = post(c, eid, "stories", action="edit", key=key, title=rewritten, summary="S.")
            assert r.status_code == 303
            card = _card(c.get(f"/editions/{eid}").text)
            found = f"no image for “{rewritten}”: the picture was not found at its address"
            assert f"{found} (HTTP 404)" in card, card
            assert MISSING[0] not in card and address in card
            # Rebuilt, the note is the rebuild's, still under the editor's headline.
            post(c, eid, "rebuild")
            card = _card(c.get(f"/editions/{eid}").text)
            assert f"no image for “{rewritten}”" in card and MISSING[0] not in card, card


def test_a_rebuild_keeps_a_story_added_on_the_desk_where_the_editor_put_it(
    tmp_path: Path,
) -> None:
    """Added as a teaser, it stays the teaser the editor added (not a lead the ranking
    chose), and the edition's ranked stories all stay."""
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        config, app, eid = _built(tmp_path, server, STORIES)
        ranked = [s.key for s in app.store.edition(eid).stories]
        with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
            r = post(
                c,
                eid,
                "add",
                how="hand",
                title="Night buses return to the harbour",
                url="https://harbour.example.org/night-buses",
                summary="Night buses run again from Monday.",
                source="City Hall",
                place="teaser",
            )
            assert r.status_code == 303
            post(c, eid, "rebuild")
            page = _words(c.get(f"/editions/{eid}").text)
    edition = app.store.edition(eid)
    assert [s.title for s in edition.teasers] == ["Night buses return to the harbour"]
    assert [s.key for s in edition.leads] == ranked
    assert "Night buses return to the harbour TEASER · City Hall" in page.replace(
        "Teaser", "TEASER"
    )
    assert "added by an editor" in page


@pytest.mark.browser
def test_a_long_picture_address_stays_inside_the_card_on_a_phone(tmp_path: Path) -> None:
    # A picture service's address: one long run with nowhere to break a line.
    long_path = "/img/photo.jpg?ixid=" + "MnwxMjA3fDB8MHxwaG90by1wYWdlfHx8fGVu" * 3
    with serve_feeds({"/img/ferry.png": FERRY}, types={"/img/ferry.png": "image/png"}) as server:
        config, _app, eid = _built(tmp_path, server, [STORIES[0], (MISSING[0], long_path)])
        with chromium() as browser, running(config, clock=lambda: SLOT) as base:
            page = browser.new_context(viewport={"width": 375, "height": 800}).new_page()
            page.goto(f"{base}/editions/{eid}")
            page.get_by_label("Email address").fill(EDITOR)
            page.get_by_label("Password").fill(PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Log in").click()
            card = page.locator("section[aria-labelledby=pictures-h]")
            assert "no image for" in card.inner_text()
            box = card.bounding_box()
            assert box is not None
            widest = page.evaluate(
                """(card) => Math.max(...[...card.querySelectorAll('li')].map(
                    (li) => li.getBoundingClientRect().left + li.scrollWidth))""",
                card.element_handle(),
            )
            assert widest <= box["x"] + box["width"], (widest, box)


def test_the_changes_name_a_story_the_rebuild_left_out_by_its_headline(tmp_path: Path) -> None:
    """Newer stories arrived and the rebuild left out one the editor had moved: the
    list of changes still names it by its headline, not by its key ("guid:…")."""
    # Each newer story its own picture: one picture on most of a feed's items is the
    # feed's branding, no story's (digest.collect.pictures).
    own = {f"/img/new-{n}.png": FERRY for n in range(4)}
    pictures = {"/img/ferry.png": FERRY, **own}
    with serve_feeds(pictures, types=dict.fromkeys(pictures, "image/png")) as server:
        config, app, eid = _built(tmp_path, server, STORIES)
        with running(config, clock=lambda: SLOT) as base, editor_client(base) as c:
            key = _key(app, eid, MISSING[0])
            assert post(c, eid, "stories", action="down", key=key).status_code == 303
            newer = [
                (title, f"/img/new-{n}.png")
                for n, title in enumerate(
                    (
                        "Tram line opens to the airport",
                        "Museum buys a Hammershøi interior",
                        "Fishermen report a record herring catch",
                        "Students build a solar boat for the canal race",
                    )
                )
            ]
            server.feeds["/feed.xml"] = feed(server, [*STORIES, *newer])  # four items, later
            app.collect(now=SLOT)
            post(c, eid, "rebuild")
            assert key not in {s.key for s in app.store.edition(eid).carried}
            page = _words(c.get(f"/editions/{eid}").text)
    assert f"Moved “{MISSING[0]}” down" in page, page[page.find("Changes") :]
