"""The editor desk in Chromium against a running `digest serve`: from draft to sent.

A visitor without a login sees no edition and cannot change one; an editor created
with `digest editors add EMAIL --password-stdin` logs in, opens the draft, drops one
story, pins another, edits a headline and approves; `digest send` then delivers
messages that reflect all of it; a POST without a CSRF token is refused; the archive
and its Atom feed list the sent edition and not the next draft. Screenshots of each
page go to tests/artifacts/desk-*.png.
"""

from __future__ import annotations

import html
import json
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from digest.app import App
from tests.conftest import ROOT
from tests.test_desk import PASSWORD, add_editor
from tests.test_preferences_browser import chromium
from tests.test_web_public import NOW, cli, newsletter, outbox, serving

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts"
EDITOR = "desk.editor@example.org"
NEW_HEADLINE = "Rewritten by the editor: a clearer headline for the lead story"
ATOM = "{http://www.w3.org/2005/Atom}"


def _words(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    body = msg.get_body(preferencelist=("html",))
    assert text is not None and body is not None
    return _words(text.get_content()), _words(re.sub(r"<[^>]+>", " ", body.get_content()))


def _shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"desk-{name}.png"
    if len(page.frames) > 1:  # the preview frames: loaded, and painted
        page.wait_for_load_state("networkidle")
    page.screenshot(path=str(path), full_page=True)
    return path


def _submit(page: Any, button: Any) -> None:
    """Click a form's button and wait for the page it leads to (POST, then redirect)."""
    with page.expect_navigation():
        button.click()


def test_an_editor_curates_approves_and_the_sent_message_reflects_it(tmp_path: Path) -> None:
    config = newsletter(tmp_path)
    add_editor(config, EDITOR, PASSWORD)
    at = NOW.isoformat().replace("+00:00", "Z")
    draft = json.loads(cli(config, "build", "--at", at, "--json"))
    eid = draft["id"]
    leads, teasers = draft["leads"], draft["teasers"]
    edit, drop, pin = leads[0], leads[1], teasers[2]
    store = App.from_config(config).store

    with chromium() as browser, serving(config) as base:
        # -- a visitor: no edition, no change -------------------------------------------
        visitor = browser.new_context(viewport={"width": 1280, "height": 900})
        page = visitor.new_page()
        for path in (f"/editions/{eid}", f"/editions/{eid}/preview.html", "/editions"):
            page.goto(base + path)
            assert page.url.startswith(f"{base}/login"), path
            assert drop["title"] not in page.content()
        refused = page.request.post(
            f"{base}/editions/{eid}/stories",
            form={"action": "drop", "key": drop["key"]},
            max_redirects=0,
        )
        assert refused.status == 401
        refused = page.request.post(
            f"{base}/editions/{eid}/status", form={"action": "approve"}, max_redirects=0
        )
        assert refused.status == 401
        assert store.edition(eid).stories == App.from_config(config).store.edition(eid).stories
        assert store.edition_status(eid) == "draft"
        assert [s.key for s in store.edition(eid).stories] == [s["key"] for s in leads + teasers]
        shots = [_shot(page, "login")]
        visitor.close()

        # -- the editor logs in ----------------------------------------------------------
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.goto(f"{base}/editions/{eid}")
        page.get_by_label("Email address").fill(EDITOR)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Log in").click()
        assert "do not match an editor" in page.get_by_role("alert").inner_text()
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/editions/{eid}")  # back where the editor was going
        page.goto(f"{base}/editions")
        row = page.get_by_role("row").filter(has_text="draft")
        assert row.count() == 1
        shots.append(_shot(page, "editions"))
        row.get_by_role("link").first.click()
        page.wait_for_url(f"{base}/editions/{eid}")

        # -- drop, pin, edit: each re-renders at once ---------------------------------------
        _submit(page, page.get_by_role("button", name=f"Drop “{drop['title']}”"))
        assert page.get_by_role("button", name=f"Drop “{drop['title']}”").count() == 0
        _submit(page, page.get_by_role("button", name=f"Pin first: “{pin['title']}”"))
        first = page.locator("li.story").first
        assert pin["title"] in first.inner_text() and "pinned" in first.inner_text()
        assert page.locator("#subject").inner_text().startswith(pin["title"][:40])

        story = page.locator("li.story").filter(has_text=edit["title"])
        story.locator("summary").click()
        story.get_by_label("Headline").fill(NEW_HEADLINE)
        _submit(page, story.get_by_role("button", name=f"Save “{edit['title']}”"))
        assert page.locator("li.story").filter(has_text=NEW_HEADLINE).count() == 1
        # The frames show the message as sending builds it: with the new headline.
        desktop = page.frame_locator("iframe[title='Desktop preview']")
        assert NEW_HEADLINE in desktop.locator("body").inner_text()
        phone = page.frame_locator("iframe[title='Phone preview']")
        assert pin["title"] in phone.locator("body").inner_text()
        assert NEW_HEADLINE in _words(page.locator("#text-part").inner_text())
        assert drop["title"] not in page.locator("#text-part").inner_text()
        history = page.get_by_role("region", name="Changes").inner_text()
        assert "Dropped" in history and "Pinned" in history and "Edited the headline" in history
        # The phone frame is 375 px wide and its message fits without scrolling sideways.
        frame = page.frame(url=re.compile(r"preview\.html"))
        assert frame is not None
        phone_box = page.locator("iframe[title='Phone preview']").bounding_box()
        assert phone_box is not None and round(phone_box["width"]) == 375
        for f in page.frames:
            if "preview.html" in f.url and f.evaluate("window.innerWidth") == 375:
                assert f.evaluate("document.documentElement.scrollWidth") <= 375
        page.goto(f"{base}/editions/{eid}")  # from the top: offscreen frames are not painted
        shots.append(_shot(page, "edition"))

        # -- a POST without a CSRF token is refused, even logged in -----------------------
        before = store.edition(eid)
        bare = page.request.post(
            f"{base}/editions/{eid}/stories",
            form={"action": "drop", "key": pin["key"]},
            max_redirects=0,
        )
        assert bare.status == 400
        bare = page.request.post(
            f"{base}/editions/{eid}/status", form={"action": "approve"}, max_redirects=0
        )
        assert bare.status == 400
        assert store.edition(eid) == before and store.edition_status(eid) == "draft"

        # -- approve ---------------------------------------------------------------------------
        _submit(page, page.get_by_role("button", name="Approve"))
        assert page.locator(".head .badge").inner_text() == "approved"
        assert page.get_by_role("button", name=f"Pin first: “{pin['title']}”").count() == 0

        page.goto(f"{base}/sources")
        assert page.get_by_role("row").filter(has_text="Harbour Herald").count() == 1
        shots.append(_shot(page, "sources"))
        page.goto(f"{base}/lists")
        assert page.get_by_role("row").filter(has_text="daily").count() == 1
        shots.append(_shot(page, "lists"))
        context.close()

        # -- send: the messages reflect every change ---------------------------------------------
        cli(config, "send", str(eid))
        sent = outbox(config, eid)
        assert len(sent) == 36
        everything = 0
        for address, msg in sent.items():
            parts = [_words(msg.get_body(("plain",)).get_content())]  # type: ignore[union-attr]
            if msg.get_body(("html",)) is not None:
                parts = list(_parts(msg))
            for part in parts:  # the dropped story is gone and the old headline with it
                assert drop["title"] not in part and edit["title"] not in part, address
            sections = store.subscriber("daily", address).sections  # type: ignore[union-attr]
            if sections and pin["section"] not in sections:
                continue  # their sections leave the pinned story out
            # Pinned first: before every other story's headline (in the text part; the
            # HTML part opens with the preheader, which lists the next headlines).
            text = parts[0]
            others = [s["title"] for s in leads + teasers if s is not pin and s is not drop]
            pos = text.find(pin["title"])
            assert pos >= 0, address
            assert all(text.find(t) == -1 or text.find(t) > pos for t in others), address
            assert str(msg["Subject"]).startswith(pin["title"][:40]), address
            if not sections:
                everything += 1
                assert all(NEW_HEADLINE in part for part in parts), address
        assert everything > 20
        # "View in your browser" leads to the archive's web edition.
        any_msg = next(m for m in sent.values() if m.get_body(("html",)) is not None)
        view = re.search(r"https://brief\.example\.org/archive/(\d+)", any_msg.as_string())
        assert view and int(view.group(1)) == eid

        # -- the archive and its feed list the sent edition, never a draft ------------------
        tomorrow = ("build", "--at", "2026-11-28T06:00:00Z", "--no-collect", "--json")
        later = json.loads(cli(config, *tomorrow))  # (collecting needs its own event loop)
        public = browser.new_context(viewport={"width": 1000, "height": 900})
        page = public.new_page()
        page.goto(f"{base}/archive")
        link = page.get_by_role("link", name=re.compile(re.escape(pin["title"][:40])))
        assert link.count() == 1
        assert page.locator(f"a[href='/archive/{later['id']}']").count() == 0
        shots.append(_shot(page, "archive"))
        link.click()
        page.wait_for_url(f"{base}/archive/{eid}")
        article = page.locator("article").inner_text()
        assert NEW_HEADLINE in article and pin["title"] in article
        assert drop["title"] not in article
        assert article.index(pin["title"]) < article.index(NEW_HEADLINE)
        shots.append(_shot(page, "archive-edition"))
        assert page.goto(f"{base}/archive/{later['id']}").status == 404  # type: ignore[union-attr]
        feed = page.request.get(f"{base}/archive.atom")
        assert feed.status == 200 and "application/atom+xml" in feed.headers["content-type"]
        root = ElementTree.fromstring(feed.body())
        entries = root.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}id") for e in entries] == [
            f"https://brief.example.org/archive/{eid}"
        ]
        assert (entries[0].findtext(f"{ATOM}title") or "").startswith(pin["title"][:40])
        content = entries[0].findtext(f"{ATOM}content") or ""
        assert NEW_HEADLINE in html.unescape(content) and drop["title"] not in content
        public.close()

    for shot in shots:
        assert shot.stat().st_size > 10_000, shot


def test_every_story_button_is_named_by_the_words_it_shows(tmp_path: Path) -> None:
    """WCAG 2.5.3 (label in name): a voice-control user says the words on a button. Each
    story button's accessible name holds its visible words (and names the story). Before,
    "Pin first" was named "Pin “…”" and "To teaser" / "To lead" "Demote “…” to a
    teaser" / "Promote “…” to a lead", so saying what the button shows found nothing."""
    config = newsletter(tmp_path)
    add_editor(config, EDITOR, PASSWORD)
    at = NOW.isoformat().replace("+00:00", "Z")
    eid = json.loads(cli(config, "build", "--at", at, "--json"))["id"]
    with chromium() as browser, serving(config) as base:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{base}/editions/{eid}")
        page.get_by_label("Email address").fill(EDITOR)
        page.get_by_label("Password").fill(PASSWORD)
        _submit(page, page.get_by_role("button", name="Log in"))
        stories = page.locator("li.story")
        assert stories.count() > 3
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        buttons = stories.locator("button")
        shown = set()
        for i in range(buttons.count()):
            button = buttons.nth(i)
            words = button.inner_text().strip(" ↑↓")
            name = button.get_attribute("aria-label") or words  # what Chromium names it
            assert words.lower() in name.lower(), (words, name)
            shown.add(words)
        assert {"Pin first", "Up", "Down", "To teaser", "To lead", "Drop", "Save"} <= shown
        title = stories.first.locator("h3").inner_text()
        assert stories.first.get_by_role("button", name=f"Pin first: “{title}”").count() == 1
