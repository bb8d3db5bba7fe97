"""A story typed by hand and refused comes back by a redirect, not as the POST's answer.

The refusal (a link that is not http(s), no headline) was the edition page rendered
as the answer to the form's POST: a reload asked the browser to send the form again,
and the address bar showed `/editions/<id>/add`. Now the POST keeps the reason and
every word typed on the server (the words are more than a session cookie carries),
answers 303 to the edition page, and that page shows them once: a reload shows a
clean card, and sends nothing. The real Flask app, its test client and Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from digest.app import App
from digest.web import create_app
from tests.test_desk import EDITOR, NOW, PASSWORD, add_editor, build, running, token
from tests.test_preferences_browser import chromium
from tests.test_web_public import newsletter

BAD_LINK = "ftp://harbour.example.org/2026/11/27/baths"
TYPED = {
    "title": "Harbour baths reopen after winter repairs",
    "url": BAD_LINK,
    "summary": "The baths open again on Saturday after three months of work on the decks.",
    "source": "Harbour Desk",
}
HTTPS = {"base_url": "https://brief.example.org"}  # the session cookie is Secure


@contextmanager
def _desk(config: Path) -> Iterator[FlaskClient]:
    """The real app's test client, logged in as the editor."""
    app = create_app(App.from_config(config), clock=lambda: NOW)
    c = app.test_client()  # (not as a context: two of them are two browsers at once)
    form = c.get("/login", **HTTPS)
    r = c.post(
        "/login",
        data={"csrf_token": token(form.text), "email": EDITOR, "password": PASSWORD},
        **HTTPS,
    )
    assert r.status_code == 303, r.text
    yield c


def _add(c: FlaskClient, eid: int, **fields: str) -> Any:
    page = c.get(f"/editions/{eid}", **HTTPS)
    assert page.status_code == 200
    data = {"csrf_token": token(page.text), "how": "hand", **fields}
    return c.post(f"/editions/{eid}/add", data=data, **HTTPS)


def _card(page: str) -> str:
    """The "write one by hand" form of the page."""
    found = re.search(r"<details[^>]*>\s*<summary>…or write one by hand.*?</details>", page, re.S)
    assert found, "no hand form on the page"
    return found.group(0)


def _stories(config: Path, eid: int) -> list[str]:
    return [s.key for s in App.from_config(config).store.edition(eid).carried]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, int]:
    config = newsletter(tmp_path)
    add_editor(config)
    return config, build(config)


def test_a_refused_story_redirects_and_its_words_are_shown_once(
    project: tuple[Path, int],
) -> None:
    config, eid = project
    before = _stories(config, eid)
    with _desk(config) as c:
        r = _add(c, eid, place="lead", section="", **TYPED)
        assert r.status_code == 303, r.status_code
        assert r.headers["Location"].split("#")[0].endswith(f"/editions/{eid}")
        page = c.get(r.headers["Location"], **HTTPS)
        assert page.status_code == 200
        card = _card(page.text)
        assert "<details" in card and " open" in card.split(">", 1)[0]
        assert card.count("not added") == 1 and BAD_LINK in card
        assert page.text.count("not added") == 1  # in the card, not also at the top
        assert f'value="{TYPED["title"]}"' in card
        assert f'value="{TYPED["source"]}"' in card
        assert f'value="{BAD_LINK}"' in card
        assert f">{TYPED['summary']}</textarea>" in card
        assert '<option value="lead" selected>' in card
        again = c.get(r.headers["Location"], **HTTPS)  # a reload: a clean card
        card = _card(again.text)
        assert "not added" not in again.text
        for value in TYPED.values():
            assert value not in card
    assert _stories(config, eid) == before


def test_long_words_in_any_script_come_back_whole(project: tuple[Path, int]) -> None:
    """More than a session cookie holds (headline and summary at their limits, in
    characters JSON writes six bytes for): every one comes back, and the cookie stays
    small."""
    config, eid = project
    title = ("Ærø færge ændrer køreplan 漢字 " * 20)[:300]
    summary = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(2000))
    with _desk(config) as c:
        r = _add(c, eid, title=title, url=BAD_LINK, summary=summary, source="Ø")
        assert r.status_code == 303
        for header in r.headers.get_all("Set-Cookie"):
            assert len(header) < 4000, len(header)
        card = _card(c.get(r.headers["Location"], **HTTPS).text)
        assert f'value="{title}"' in card and f">{summary}</textarea>" in card


def test_a_refusal_without_a_headline_redirects_too(project: tuple[Path, int]) -> None:
    config, eid = project
    with _desk(config) as c:
        r = _add(c, eid, title="  ", url="", summary="Words with no headline.", source="")
        assert r.status_code == 303
        page = c.get(r.headers["Location"], **HTTPS).text
        card = _card(page)
        assert "a story needs a headline" in card and "Words with no headline.</textarea>" in card


def test_the_words_are_not_anyone_elses(project: tuple[Path, int]) -> None:
    """Guard: another editor's browser (another session) never sees them; a form
    without the desk's token is refused, and a POST without a login changes nothing."""
    config, eid = project
    before = _stories(config, eid)
    with _desk(config) as mine, _desk(config) as theirs:
        r = _add(mine, eid, **TYPED)
        assert r.status_code == 303
        assert TYPED["summary"] not in theirs.get(f"/editions/{eid}", **HTTPS).text
        assert TYPED["summary"] in mine.get(r.headers["Location"], **HTTPS).text
        bare = mine.post(f"/editions/{eid}/add", data={"how": "hand", **TYPED}, **HTTPS)
        assert bare.status_code == 400
    app = create_app(App.from_config(config), clock=lambda: NOW)
    anonymous = app.test_client()
    r = anonymous.post(f"/editions/{eid}/add", data={"how": "hand", **TYPED}, **HTTPS)
    assert r.status_code == 401
    assert _stories(config, eid) == before


def test_an_added_story_still_answers_at_the_top(project: tuple[Path, int]) -> None:
    """Guard: a story typed in and accepted is added once, said at the top."""
    config, eid = project
    with _desk(config) as c:
        r = _add(c, eid, **{**TYPED, "url": "https://harbour.example.org/baths"})
        assert r.status_code == 303
        page = c.get(r.headers["Location"], **HTTPS).text
        assert f"Added “{TYPED['title']}”." in page and "not added" not in page
    assert App.from_config(config).store.edition(eid).teasers[0].title == TYPED["title"]


@pytest.mark.browser
def test_chromium_reload_after_a_refused_story_sends_nothing(
    project: tuple[Path, int],
) -> None:
    config, eid = project
    before = _stories(config, eid)
    labels = {
        "Headline": TYPED["title"],
        "Link (optional)": BAD_LINK,
        "Summary": TYPED["summary"],
        "Source": TYPED["source"],
    }
    with chromium() as browser, running(config) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/login")
        page.get_by_label("Email address").fill(EDITOR)
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        page.goto(f"{base}/editions/{eid}")
        card = page.locator("#add")
        card.get_by_text("…or write one by hand").click()
        for label, value in labels.items():
            card.get_by_label(label, exact=True).fill(value)
        with page.expect_navigation():
            card.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_load_state("load")
        assert page.url.split("#")[0] == f"{base}/editions/{eid}", page.url
        said = page.get_by_role("alert")
        assert said.count() == 1 and "not added" in said.inner_text()
        for label, value in labels.items():
            assert card.get_by_label(label, exact=True).input_value() == value, label

        posts: list[str] = []
        page.on("request", lambda req: posts.append(req.url) if req.method == "POST" else None)
        page.reload()
        page.wait_for_load_state("load")
        assert posts == [], posts  # the form was not sent again
        assert page.get_by_role("alert").count() == 0
        for label in labels:
            assert card.get_by_label(label, exact=True).input_value() == "", label
        page.close()
    assert _stories(config, eid) == before
